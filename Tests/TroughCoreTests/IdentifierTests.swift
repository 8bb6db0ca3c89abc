import Testing
import TroughCore

@Suite("Identifiers and secrets")
struct IdentifierTests {
    @Test("ids carry their prefix and are unique")
    func ids() {
        let ids = Set((0..<1000).map { _ in Identifier.make("prj") })
        #expect(ids.count == 1000)
        #expect(ids.allSatisfy { $0.hasPrefix("prj_") && $0.count == 24 })
    }

    @Test("time-ordered ids sort by their time, are unique within a millisecond, and differ between calls")
    func timeOrdered() {
        let times = [0, 1, 31, 32, 1_700_000_000_000, 1_800_000_000_123, 1 << 49].map { Timestamp(milliseconds: $0) }
        let ids = times.map { Identifier.makeTimeOrdered("evt", at: $0) }
        #expect(ids == ids.sorted())
        #expect(ids.allSatisfy { $0.hasPrefix("evt_") && $0.count == 4 + 22 })
        #expect(ids[0].dropFirst(4).prefix(10) == "0000000000")
        #expect(ids[2].dropFirst(4).prefix(10) == "000000000z")
        #expect(ids[3].dropFirst(4).prefix(10) == "0000000010")
        let sameMillisecond = Set((0..<10_000).map { _ in Identifier.makeTimeOrdered("evt", at: times[4]) })
        #expect(sameMillisecond.count == 10_000)
        // Ids drawn across several refills of the random pool never repeat.
        let many = Set((0..<2_000).map { _ in Identifier.make("prj") })
        #expect(many.count == 2_000)
    }

    @Test("random bytes are not all zero and differ between calls")
    func randomBytes() {
        let first = Identifier.randomBytes(64), second = Identifier.randomBytes(64)
        #expect(first.count == 64 && first != second && first.contains { $0 != 0 })
        #expect(Identifier.randomBytes(0).isEmpty)
    }

    @Test("secrets carry 32 random bytes after their prefix")
    func secrets() {
        let token = Identifier.secret(prefix: "trough_pt_")
        #expect(token.hasPrefix("trough_pt_"))
        #expect(token.count == "trough_pt_".count + 52)
    }

    @Test("base32 and SHA-256 match known values")
    func knownValues() {
        #expect(Identifier.base32([0xFF, 0x00]) == "zw00")
        #expect(Identifier.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}

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

import Testing
import TroughCore

@Suite("Money")
struct MoneyTests {
    @Test("parses decimal dollar strings exactly", arguments: [
        ("500.00", Int64(500_000_000_000)),
        ("0.0079", 7_900_000),
        ("12", 12_000_000_000),
        (".5", 500_000_000),
        ("0.000000001", 1),
        ("-1.25", -1_250_000_000),
    ])
    func parses(text: String, nanos: Int64) {
        #expect(Money(usd: text)?.nanos == nanos)
    }

    @Test("refuses what it cannot hold exactly", arguments: ["", ".", "1.0000000001", "1e3", "abc", "1,5", "99999999999999999999", "+1"])
    func refuses(text: String) {
        #expect(Money(usd: text) == nil)
    }

    @Test("formats without losing a nano-dollar")
    func formats() {
        #expect(Money(nanos: 500_000_000_000).usdString == "500.00")
        #expect(Money(nanos: 7_900_000).usdString == "0.0079")
        #expect(Money(nanos: 1).usdString == "0.000000001")
        #expect(Money(nanos: -1_250_000_000).usdString == "-1.25")
        #expect(Money(nanos: 0).usdString == "0.00" && Money(nanos: 10).usdString == "0.00000001")
        #expect(Money(nanos: .max).usdString == "9223372036.854775807")
        #expect(Money(nanos: .min).usdString == "-9223372036.854775808")
    }
}

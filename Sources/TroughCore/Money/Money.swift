import Foundation

/// An amount of money in integer nano-dollars (10⁻⁹ USD). Never a floating-point value.
public struct Money: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Nano-dollars in one dollar.
    public static let nanosPerDollar: Int64 = 1_000_000_000

    /// The amount in nano-dollars.
    public var nanos: Int64

    public init(nanos: Int64) {
        self.nanos = nanos
    }

    public static let zero = Money(nanos: 0)

    /// Parses a decimal dollar string such as `"500.00"`, `"0.0079"` or `"12"`.
    ///
    /// At most nine fractional digits are accepted (one nano-dollar); a sign, exponent,
    /// or anything else that is not plain decimal digits is refused, so no value is rounded silently.
    public init?(usd text: String) {
        var digits = Substring(text.trimmingCharacters(in: .whitespaces))
        var negative = false
        if digits.first == "-" {
            negative = true
            digits = digits.dropFirst()
        }
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty || parts.count == 2 else { return nil }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard whole.allSatisfy(\.isASCIIDigit), fraction.allSatisfy(\.isASCIIDigit),
              fraction.count <= 9, !(whole.isEmpty && fraction.isEmpty)
        else { return nil }
        let paddedFraction = fraction + String(repeating: "0", count: 9 - fraction.count)
        guard let dollars = Int64(whole.isEmpty ? "0" : String(whole)),
              let nanosPart = Int64(paddedFraction)
        else { return nil }
        let (scaled, overflow) = dollars.multipliedReportingOverflow(by: Self.nanosPerDollar)
        guard !overflow else { return nil }
        let (total, overflow2) = scaled.addingReportingOverflow(nanosPart)
        guard !overflow2 else { return nil }
        self.nanos = negative ? -total : total
    }

    /// The exact decimal dollar string, with all nine fractional digits trimmed of trailing zeros
    /// but keeping at least two (`"500.00"`, `"0.0079"`, `"0.000000001"`).
    public var usdString: String {
        let magnitude = nanos.magnitude
        var fraction = magnitude % UInt64(Self.nanosPerDollar)
        // Nine fractional digits, then trailing zeros dropped down to two.
        var digits = 9
        while digits > 2, fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        // Written backwards into one buffer (at most "-" + 11 integer digits + "." + 9): one string made, not five
        // (this is the cost header of every held answer).
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buffer in
            var start = buffer.count
            func put(_ byte: UInt8) {
                start -= 1
                buffer[start] = byte
            }
            for _ in 0..<digits {
                put(UInt8(ascii: "0") + UInt8(fraction % 10))
                fraction /= 10
            }
            put(UInt8(ascii: "."))
            var dollars = magnitude / UInt64(Self.nanosPerDollar)
            repeat {
                put(UInt8(ascii: "0") + UInt8(dollars % 10))
                dollars /= 10
            } while dollars > 0
            if nanos < 0 { put(UInt8(ascii: "-")) }
            return String(decoding: UnsafeMutableBufferPointer(rebasing: buffer[start...]), as: UTF8.self)
        }
    }

    public var description: String { "$" + usdString }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.nanos < rhs.nanos }
    public static func + (lhs: Money, rhs: Money) -> Money { Money(nanos: lhs.nanos + rhs.nanos) }
    public static func - (lhs: Money, rhs: Money) -> Money { Money(nanos: lhs.nanos - rhs.nanos) }

    public init(from decoder: any Decoder) throws {
        self.nanos = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(nanos)
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

import Crypto
import Foundation

/// Random identifiers and secrets.
public enum Identifier {
    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")

    /// A new resource id such as `prj_5k2x9w…`: a short prefix naming the kind, then 20 characters
    /// (100 bits) of randomness in lower-case Crockford base32, so ids reveal no counts or order.
    public static func make(_ prefix: String) -> String {
        prefix + "_" + base32(randomBytes(13)).prefix(20)
    }

    /// `count` bytes from the system's cryptographically secure generator, eight per call to it.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 7)
        while bytes.count < count {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) }
        }
        return Array(bytes.prefix(count))
    }

    /// A new secret token with a readable prefix, e.g. `trough_pt_…`, carrying `bytes` random bytes.
    public static func secret(prefix: String, bytes: Int = 32) -> String {
        prefix + base32(randomBytes(bytes))
    }

    /// Lower-case Crockford base32 without padding.
    public static func base32(_ bytes: [UInt8]) -> String {
        var output = ""
        output.reserveCapacity((bytes.count * 8 + 4) / 5)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                output.append(alphabet[Int((buffer >> UInt32(bits)) & 31)])
            }
        }
        if bits > 0 {
            output.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)])
        }
        return output
    }

    /// Lower-case hex SHA-256 of a secret: how tokens and session ids are stored and looked up.
    public static func sha256Hex(_ secret: String) -> String {
        hex(SHA256.hash(data: Data(secret.utf8)))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lower-case hex of bytes.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(64)
        for byte in bytes {
            output.append(hexDigits[Int(byte >> 4)])
            output.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}

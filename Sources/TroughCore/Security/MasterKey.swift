import Crypto
import Foundation

/// The key that encrypts provider keys and webhook secrets at rest (AES-256-GCM).
public struct MasterKey: Sendable {
    /// Which key this is, stored beside every ciphertext so keys can be rotated.
    public let version: Int
    private let bytes: [UInt8]

    /// The AES-256 key.
    public var key: SymmetricKey { SymmetricKey(data: bytes) }

    /// Parses base64 of exactly 32 bytes.
    public init?(base64: String, version: Int = 1) {
        guard let data = Data(base64Encoded: base64.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 else {
            return nil
        }
        self.version = version
        self.bytes = Array(data)
    }

    /// A new random key, as base64.
    public static func generateBase64() -> String {
        Data(Identifier.randomBytes(32)).base64EncodedString()
    }
}

import CArgon2
import Foundation

/// argon2id password hashing through libargon2. Hashing is CPU-bound (tens of milliseconds by design):
/// callers on an event loop run it on a thread pool.
public struct PasswordHasher: Sendable {
    /// Memory in KiB, iterations and lanes. The defaults are OWASP's argon2id minimum
    /// (m = 19 MiB, t = 2, p = 1); README states what they cost on the reference machine.
    public var memoryKiB: UInt32
    public var iterations: UInt32
    public var parallelism: UInt32

    public static let saltLength = 16
    public static let hashLength = 32

    public init(memoryKiB: UInt32 = 19_456, iterations: UInt32 = 2, parallelism: UInt32 = 1) {
        self.memoryKiB = memoryKiB
        self.iterations = iterations
        self.parallelism = parallelism
    }

    /// The encoded hash, `$argon2id$v=19$m=…,t=…,p=…$salt$hash`, with a fresh random salt.
    public func hash(_ password: String) throws -> String {
        let salt = Identifier.randomBytes(Self.saltLength)
        let length = argon2_encodedlen(iterations, memoryKiB, parallelism, UInt32(Self.saltLength), UInt32(Self.hashLength), Argon2_id)
        var encoded = [CChar](repeating: 0, count: length)
        let bytes = Array(password.utf8)
        let result = argon2id_hash_encoded(
            iterations, memoryKiB, parallelism,
            bytes, bytes.count, salt, salt.count, Self.hashLength,
            &encoded, length
        )
        guard result == ARGON2_OK.rawValue else {
            throw PasswordHashError(code: result)
        }
        return String(decoding: encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether `password` matches `encoded` (libargon2 compares in constant time).
    public func verify(_ password: String, against encoded: String) -> Bool {
        guard encoded.hasPrefix("$argon2id$") else { return false }
        let bytes = Array(password.utf8)
        return argon2id_verify(encoded, bytes, bytes.count) == ARGON2_OK.rawValue
    }

    /// Whether `encoded` was made with other parameters than these, so it should be re-hashed on login.
    public func needsRehash(_ encoded: String) -> Bool {
        !encoded.hasPrefix("$argon2id$v=19$m=\(memoryKiB),t=\(iterations),p=\(parallelism)$")
    }
}

/// libargon2 refused to hash.
public struct PasswordHashError: Error, CustomStringConvertible {
    public let code: Int32

    public var description: String {
        "argon2 error \(code): " + String(cString: argon2_error_message(code))
    }
}

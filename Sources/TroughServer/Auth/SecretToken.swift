import Crypto
import Foundation
import TroughCore

/// The secrets Trough hands out and how they are stored: a random token shown once, its SHA-256 kept.
enum SecretToken {
    static let sessionPrefix = "trough_ses_"
    static let apiKeyPrefix = "trough_ak_"
    static let projectTokenPrefix = "trough_pt_"
    static let invitePrefix = "trough_inv_"

    /// A new raw token with 32 random bytes.
    static func make(prefix: String) -> String {
        Identifier.secret(prefix: prefix, bytes: 32)
    }

    /// What is shown in lists: the prefix and four more characters.
    static func displayPrefix(_ token: String, prefix: String) -> String {
        String(token.prefix(prefix.count + 4))
    }

    /// The CSRF token of a session, derived from the session's secret so it needs no storage
    /// and cannot be computed without the HttpOnly cookie.
    static func csrfToken(forSession token: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("trough-csrf-v1".utf8), using: SymmetricKey(data: Data(token.utf8)))
        return Identifier.base32(Array(mac))
    }

    /// Compares two strings in time that depends only on their lengths.
    static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices {
            difference |= left[index] ^ right[index]
        }
        return difference == 0
    }
}

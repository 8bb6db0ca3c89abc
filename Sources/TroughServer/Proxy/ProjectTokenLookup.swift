import Logging
import TroughCore

/// Finds the live project token behind an `X-Project-Token` value: by its SHA-256 through the unique
/// index (never by scanning), confirmed in constant time. Revoked tokens are not found.
/// The proxy puts a cache in front of this, invalidated on revoke.
public struct ProjectTokenLookup: Sendable {
    let store: any Store

    public init(store: any Store) {
        self.store = store
    }

    public func resolve(_ raw: String, logger: Logger) async throws -> ProjectToken? {
        guard raw.hasPrefix(SecretToken.projectTokenPrefix), raw.count <= 128 else { return nil }
        let hash = Identifier.sha256Hex(raw)
        guard let token = try await store.activeProjectToken(tokenHash: hash, logger: logger),
              SecretToken.constantTimeEquals(token.tokenHash, hash)
        else { return nil }
        return token
    }
}

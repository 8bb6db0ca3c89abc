import Crypto
import Foundation

/// A secret sealed with AES-256-GCM under one version of the master key.
public struct SealedSecret: Hashable, Sendable {
    public var keyVersion: Int
    /// base64 of nonce (12 bytes) | ciphertext | tag (16 bytes).
    public var ciphertext: String

    public init(keyVersion: Int, ciphertext: String) {
        self.keyVersion = keyVersion
        self.ciphertext = ciphertext
    }
}

/// The row a secret belongs to, authenticated as associated data.
public struct SecretBinding: Hashable, Sendable {
    public var tenantID: String
    public var projectID: String
    public var serviceID: String

    public init(tenantID: String, projectID: String, serviceID: String) {
        self.tenantID = tenantID
        self.projectID = projectID
        self.serviceID = serviceID
    }

    var associatedData: Data { Data("trough-secret-v1|\(tenantID)|\(projectID)|\(serviceID)".utf8) }
}

/// Seals and opens secrets with the master keys; new secrets use the newest key, old ones open with theirs.
public struct SecretBox: Sendable {
    private let keys: [Int: MasterKey]
    private let current: MasterKey

    /// - Parameter keys: every master key still needed to open stored secrets; the highest version seals.
    public init(keys: [MasterKey]) {
        precondition(!keys.isEmpty, "at least one master key")
        self.keys = Dictionary(keys.map { ($0.version, $0) }, uniquingKeysWith: { first, _ in first })
        self.current = keys.max { $0.version < $1.version }!
    }

    public func seal(_ plaintext: String, binding: SecretBinding) throws -> SealedSecret {
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: current.key, authenticating: binding.associatedData)
        guard let combined = box.combined else { throw SecretBoxError.sealFailed }
        return SealedSecret(keyVersion: current.version, ciphertext: combined.base64EncodedString())
    }

    /// Opens a secret; throws when the key version is unknown, or the ciphertext was altered or belongs to another row.
    public func open(_ sealed: SealedSecret, binding: SecretBinding) throws -> String {
        guard let key = keys[sealed.keyVersion] else { throw SecretBoxError.unknownKeyVersion(sealed.keyVersion) }
        guard let data = Data(base64Encoded: sealed.ciphertext) else { throw SecretBoxError.openFailed }
        do {
            let box = try AES.GCM.SealedBox(combined: data)
            let plaintext = try AES.GCM.open(box, using: key.key, authenticating: binding.associatedData)
            return String(decoding: plaintext, as: UTF8.self)
        } catch {
            throw SecretBoxError.openFailed
        }
    }
}

/// Why a secret could not be sealed or opened.
public enum SecretBoxError: Error, Equatable, Sendable {
    case sealFailed
    case openFailed
    case unknownKeyVersion(Int)
}

import Foundation
import Logging
import TroughCore

/// The master key for a one-machine start: generated once into the data dir with mode 0600.
enum MasterKeyFile {
    static let fileName = "master.key"

    /// The configured key, or the one in the data dir, creating it on first start.
    static func load(configuration: TroughConfiguration, logger: Logger) throws -> MasterKey {
        if let base64 = configuration.masterKeyBase64, let key = MasterKey(base64: base64) {
            return key
        }
        let directory = URL(fileURLWithPath: configuration.dataDirectory)
        let path = directory.appendingPathComponent(fileName).path
        if FileManager.default.fileExists(atPath: path) {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            guard let key = MasterKey(base64: text) else {
                throw ConfigurationError(variable: "TROUGH_MASTER_KEY", expected: "a valid key in \(path) (base64 of 32 bytes)")
            }
            return key
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let base64 = MasterKey.generateBase64()
        guard FileManager.default.createFile(atPath: path, contents: Data((base64 + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ConfigurationError(variable: "TROUGH_DATA_DIR", expected: "a writable folder for \(path)")
        }
        logger.warning(
            "Generated a master key; back it up, or set TROUGH_MASTER_KEY, since stored provider keys cannot be decrypted without it",
            metadata: ["trough.path": .string(path)]
        )
        return MasterKey(base64: base64)!
    }
}

import Crypto
import Foundation
import TroughCore

/// One plain-SQL migration file, `NNNN_name.sql`.
public struct Migration: Sendable, Hashable {
    /// The number, e.g. `0001`: the order in which migrations apply.
    public let version: String
    /// The file name without `.sql`, e.g. `0001_initial_schema`.
    public let name: String
    /// The file's text.
    public let sql: String
    /// SHA-256 hex of the file's bytes: a file that changes after it was applied is refused.
    public let checksum: String

    public init(name: String, sql: String) {
        self.name = name
        self.version = String(name.prefix { $0.isNumber })
        self.sql = sql
        self.checksum = Identifier.hex(SHA256.hash(data: Data(sql.utf8)))
    }

    /// Reads every `NNNN_name.sql` in `directory`, in order of their numbers.
    public static func load(from directory: URL) throws -> [Migration] {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw MigrationError.missingDirectory(directory.path)
        }
        var migrations: [Migration] = []
        for file in files where file.hasSuffix(".sql") {
            let name = String(file.dropLast(4))
            let digits = name.prefix { $0.isNumber }
            guard digits.count == 4, name.dropFirst(4).first == "_" else {
                throw MigrationError.badFileName(file)
            }
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            migrations.append(Migration(name: name, sql: text))
        }
        migrations.sort { $0.version < $1.version }
        for (previous, next) in zip(migrations, migrations.dropFirst()) where previous.version == next.version {
            throw MigrationError.duplicateVersion(previous.name, next.name)
        }
        return migrations
    }

    /// The migrations folder for a dialect: `TROUGH_MIGRATIONS_DIR` when given, else the first of
    /// `./migrations`, `PREFIX/share/trough/migrations` beside the installed executable, or the source checkout's.
    public static func locateDirectory(dialect: SQLDialectKind, override: String?) -> URL {
        if let override {
            return URL(fileURLWithPath: override).appendingPathComponent(dialect.rawValue)
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
        let candidates = [
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("migrations"),
            executable.deletingLastPathComponent().appendingPathComponent("../share/trough/migrations"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../migrations"),
        ].map(\.standardizedFileURL)
        let found = candidates.first {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent(dialect.rawValue).path)
        }
        return (found ?? candidates[0]).appendingPathComponent(dialect.rawValue)
    }
}

/// Why migrations cannot run.
public struct MigrationError: Error, Sendable, CustomStringConvertible {
    public let description: String

    static func missingDirectory(_ path: String) -> MigrationError {
        MigrationError(description: "migrations folder \(path) cannot be read (set TROUGH_MIGRATIONS_DIR)")
    }

    static func badFileName(_ file: String) -> MigrationError {
        MigrationError(description: "migration file \(file) is not named NNNN_name.sql")
    }

    static func duplicateVersion(_ first: String, _ second: String) -> MigrationError {
        MigrationError(description: "migrations \(first) and \(second) share a number")
    }

    static func changed(_ name: String, applied: String, file: String) -> MigrationError {
        MigrationError(description: "migration \(name).sql changed after it was applied (applied checksum \(applied.prefix(12)), file \(file.prefix(12))); restore it and put the change in a new migration")
    }

    static func failed(_ name: String, _ error: any Error) -> MigrationError {
        MigrationError(description: "migration \(name).sql failed and was rolled back: \(String(reflecting: error))")
    }
}

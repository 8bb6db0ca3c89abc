import Foundation
import TroughCore

/// An append-only file of event batches that could not be written to the database, replayed in order
/// once it answers again. One JSON array of events per line; each append is flushed to disk.
public struct EventSpool: Sendable {
    public let path: String

    public init(directory: String) {
        self.path = URL(fileURLWithPath: directory).appendingPathComponent("events.spool").path
    }

    /// Appends a batch as one line and syncs it to disk.
    public func append(_ events: [RequestEvent]) throws {
        guard !events.isEmpty else { return }
        var line = try JSONEncoder().encode(events)
        line.append(UInt8(ascii: "\n"))
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
        try handle.synchronize()
    }

    /// Whether batches wait in the spool.
    public var isEmpty: Bool {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        return size == 0
    }

    /// The spooled batches in the order they were written (a torn last line is skipped).
    public func batches() throws -> [[RequestEvent]] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap { try? JSONDecoder().decode([RequestEvent].self, from: Data($0)) }
    }

    /// Empties the spool after its batches were written.
    public func clear() throws {
        if FileManager.default.fileExists(atPath: path) {
            try FileManager.default.removeItem(atPath: path)
        }
    }
}

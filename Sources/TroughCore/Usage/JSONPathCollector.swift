/// Finds the values at chosen paths of one JSON document fed in chunks of any size, keeping only those values (each
/// up to `valueLimit` bytes), not the document: the usage of every request in a Gemini batch's inlined results,
/// however many megabytes of generated text surround them.
///
/// A path is object keys and `[]` (any element of an array), dot-separated:
/// `response.inlinedResponses.inlinedResponses[].response.usageMetadata`.
struct JSONPathCollector: Sendable {
    private enum Segment: Hashable, Sendable {
        case key([UInt8])
        case element
    }

    static let valueLimit = 64 * 1024
    /// Keys longer than this are cut (no path of interest has one).
    static let keyLimit = 128

    private let paths: [[Segment]]
    /// The values found and not taken yet, in document order: the index of the path each was found at, and the value.
    private(set) var found: [(path: Int, value: JSONValue)] = []

    /// The values found since the last call (see `found`).
    mutating func takeFound() -> [(path: Int, value: JSONValue)] {
        defer { found.removeAll(keepingCapacity: true) }
        return found
    }

    /// One segment per open container: an object's current key, or `.element` for an array.
    private var levels: [Segment] = []
    private var inString = false
    private var escaped = false
    private var readingKey = false
    private var key: [UInt8] = []
    /// In an object, at the start or after a comma: the next string is a key.
    private var expectsKey = false
    /// Inside a number, `true`, `false` or `null`.
    private var inScalar = false
    /// The value being kept: its path's index, the depth it started at, its bytes so far.
    private var capture: (path: Int, depth: Int, bytes: [UInt8])?

    init(paths: [String]) {
        self.paths = paths.map { path in
            path.split(separator: ".").flatMap { part -> [Segment] in
                guard part.hasSuffix("[]") else { return [.key(Array(part.utf8))] }
                return [.key(Array(part.dropLast(2).utf8)), .element]
            }
        }
    }

    mutating func consume(_ bytes: some Collection<UInt8>) {
        for byte in bytes { step(byte) }
    }

    private mutating func step(_ byte: UInt8) {
        if inString {
            stringByte(byte)
            return
        }
        if ASCII.isWhitespace(byte) {
            if inScalar { endScalar() }
            return
        }
        switch byte {
        case UInt8(ascii: "\""):
            if expectsKey {
                expectsKey = false
                readingKey = true
                key.removeAll(keepingCapacity: true)
                keep(byte)
            } else {
                valueStarts()
                keep(byte)
            }
            inString = true
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            valueStarts()
            keep(byte)
            levels.append(byte == UInt8(ascii: "{") ? .key([]) : .element)
            expectsKey = byte == UInt8(ascii: "{")
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
            if inScalar { endScalar() }
            keep(byte)
            if !levels.isEmpty { levels.removeLast() }
            expectsKey = false
            if let capture, capture.depth == levels.count { finishCapture() }
        case UInt8(ascii: ","):
            if inScalar { endScalar() }
            keep(byte)
            if case .key = levels.last { expectsKey = true }
        case ASCII.colon:
            keep(byte)
        default:
            if !inScalar {
                inScalar = true
                valueStarts()
            }
            keep(byte)
        }
    }

    private mutating func stringByte(_ byte: UInt8) {
        keep(byte)
        if escaped {
            escaped = false
        } else if byte == UInt8(ascii: "\\") {
            escaped = true
        } else if byte == UInt8(ascii: "\"") {
            inString = false
            if readingKey {
                readingKey = false
                if !levels.isEmpty { levels[levels.count - 1] = .key(key) }
            } else if let capture, capture.depth == levels.count {
                finishCapture()
            }
            return
        }
        if readingKey, key.count < Self.keyLimit { key.append(byte) }
    }

    /// Adds a byte to the value being kept (a key read meanwhile is inside that value).
    private mutating func keep(_ byte: UInt8) {
        guard capture != nil else { return }
        capture!.bytes.append(byte)
        if capture!.bytes.count > Self.valueLimit { capture = nil }
    }

    private mutating func valueStarts() {
        guard capture == nil else { return }
        for (index, path) in paths.enumerated() where path == levels {
            capture = (index, levels.count, [])
            return
        }
    }

    private mutating func endScalar() {
        inScalar = false
        if let capture, capture.depth == levels.count { finishCapture() }
    }

    private mutating func finishCapture() {
        guard let capture else { return }
        self.capture = nil
        if let value = JSONValueParser.parse(capture.bytes[...]) { found.append((capture.path, value)) }
    }
}

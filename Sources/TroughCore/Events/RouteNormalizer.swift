import Foundation
/// The route an event is grouped by: the path with ids collapsed, so `/v1/files/file-abc123XYZ…` and
/// `/v1/files/file-def456…` count as one endpoint, `/v1/files/{id}`.
public enum RouteNormalizer {
    public static func route(for path: String) -> String {
        guard path.utf8.contains(where: { $0 >= 0x80 }) else { return asciiRoute(for: path) }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map { segment -> Substring in
            SegmentShape(segment).isIdentifier ? "{id}" : segment
        }
        let joined = segments.joined(separator: "/")
        return joined.isEmpty ? "/" : String(joined.prefix(256))
    }

    /// `route(for:)` of an ASCII path, on its bytes (one pass per segment). A path without ids is its own route.
    private static func asciiRoute(for path: String) -> String {
        if !path.isEmpty, path.utf8.count <= 256, !hasIdentifierSegment(path) { return path }
        var output: [UInt8] = []
        output.reserveCapacity(path.utf8.count)
        var segment: [UInt8] = []
        func flush() {
            if SegmentShape(ascii: segment).isIdentifier {
                output.append(contentsOf: "{id}".utf8)
            } else {
                output.append(contentsOf: segment)
            }
            segment.removeAll(keepingCapacity: true)
        }
        for byte in path.utf8 {
            if byte == UInt8(ascii: "/") {
                flush()
                output.append(byte)
            } else {
                segment.append(byte)
            }
        }
        flush()
        if output.isEmpty { return "/" }
        return String(decoding: output.prefix(256), as: UTF8.self)
    }

    /// Whether any segment of an ASCII path reads as an id, without copying it.
    private static func hasIdentifierSegment(_ path: String) -> Bool {
        var shape = SegmentShape()
        for byte in path.utf8 {
            if byte == UInt8(ascii: "/") {
                if shape.isIdentifier { return true }
                shape = SegmentShape()
            } else {
                shape.add(byte)
            }
        }
        return shape.isIdentifier
    }

    /// What a path segment is made of, counted in one pass, and whether that makes it an id.
    private struct SegmentShape {
        var count = 0, digits = 0, letters = 0, dashes = 0
        /// Only hexadecimal digits and dashes.
        var hexAndDashes = true
        var colonOrDot = false

        /// Digits only, a UUID, or a long token mixing letters and digits (`file-abc123…`, `msg_01XF…`, `AC1f9…`).
        var isIdentifier: Bool {
            guard count > 0 else { return false }
            if digits == count { return true }
            if count == 36, hexAndDashes, dashes == 4 { return true }
            if count >= 20, digits >= 2, letters >= 2, !colonOrDot { return true }
            return count >= 12 && hexAndDashes && digits >= 4
        }

        /// By character (any script's letters count as letters).
        init(_ segment: Substring) {
            for character in segment {
                count += 1
                if character.isASCIIDigit { digits += 1 }
                if character.isLetter { letters += 1 }
                if character == "-" { dashes += 1 }
                if character == ":" || character == "." { colonOrDot = true }
                if !(character.isHexDigit || character == "-") { hexAndDashes = false }
            }
        }

        init() {}

        /// By byte, for ASCII segments.
        init(ascii segment: [UInt8]) {
            for byte in segment { add(byte) }
        }

        /// Counts one more byte of an ASCII segment.
        mutating func add(_ byte: UInt8) {
            count += 1
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"): letters += 1
            case UInt8(ascii: "g")...UInt8(ascii: "z"), UInt8(ascii: "G")...UInt8(ascii: "Z"): letters += 1; hexAndDashes = false
            case UInt8(ascii: "-"): dashes += 1
            case UInt8(ascii: ":"), UInt8(ascii: "."): colonOrDot = true; hexAndDashes = false
            default: hexAndDashes = false
            }
        }
    }
}

/// Tags from `X-Trough-Tags: feature=chat,user=42`: at most 10, keys up to 32 and values up to 64 characters
/// of letters, digits and `-_.:/@`; anything else is dropped. Stored as a JSON object.
public enum RequestTags {
    public static let maxTags = 10

    /// On the header's bytes (Foundation's trimming and `Character` tests cost ~12 µs per tagged request).
    public static func parse(_ header: String?) -> [String: String] {
        guard let header, !header.isEmpty else { return [:] }
        var tags: [String: String] = [:]
        let bytes = Array(header.utf8)
        var pairs = 0
        var start = 0
        while start < bytes.count, pairs < maxTags * 2 {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: ",")) ?? bytes.count
            defer { start = end + 1 }
            guard end > start else { continue }
            pairs += 1
            guard let equals = bytes[start..<end].firstIndex(of: UInt8(ascii: "=")) else { continue }
            let key = trimmed(bytes[start..<equals]), value = trimmed(bytes[(equals + 1)..<end])
            guard (1...32).contains(key.count), (1...64).contains(value.count),
                  key.allSatisfy(isAllowed), value.allSatisfy(isAllowed), tags.count < maxTags
            else { continue }
            tags[String(decoding: key, as: UTF8.self)] = String(decoding: value, as: UTF8.self)
        }
        return tags
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isBlank($0) }), let last = bytes.lastIndex(where: { !isBlank($0) }) else { return [] }
        return bytes[first...last]
    }

    /// The tags as a compact JSON object with sorted keys, or nil when there are none.
    public static func json(_ tags: [String: String]) -> String? {
        guard !tags.isEmpty else { return nil }
        // Values are restricted to characters that need no escaping.
        return "{" + tags.keys.sorted().map { "\"\($0)\":\"\(tags[$0]!)\"" }.joined(separator: ",") + "}"
    }

    /// One tag's value from the stored JSON object, or nil.
    public static func value(of key: String, in json: String?) -> String? {
        guard let json, let object = JSONValueParser.parse(Array(json.utf8)[...])?.object else { return nil }
        return object[key]?.string
    }

    /// ASCII letters and digits, and `-_.:/@`.
    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: "@"): true
        default: false
        }
    }
}

import Foundation

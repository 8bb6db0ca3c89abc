import Foundation

/// Finds the values of chosen keys in the first and last bytes of a JSON payload too large to keep whole.
///
/// An unescaped `"key"` followed by `:` can only be an object key in valid JSON (inside a string the quotes would be
/// escaped), so keys are found by plain search, even in a tail that starts in the middle of a string; each value is
/// then cut out with a small balanced-bracket scanner that respects strings and escapes, and parsed on its own.
public enum JSONKeyScanner {
    /// A key to look for, and where its useful occurrence is.
    struct Key: Sendable {
        enum Place: Sendable {
            /// The payload's own field that comes first (an event's `type`, the response `model`): head first, else tail last.
            case first
            /// A field that comes last (`usage`): tail last, else head first.
            case last
        }

        let name: String
        let place: Place
        /// The name's UTF-8 bytes, as keys are compared.
        let bytes: [UInt8]

        init(name: String, place: Place) {
            self.name = name
            self.place = place
            bytes = Array(name.utf8)
        }

        static func first(_ name: String) -> Key { Key(name: name, place: .first) }
        static func last(_ name: String) -> Key { Key(name: name, place: .last) }
    }

    /// A flat object of the keys found, with their (non-null) values.
    static func flattened(head: [UInt8], tail: [UInt8], keys: [Key]) -> JSONObject {
        var object = JSONObject()
        for key in keys {
            let value: JSONValue? = switch key.place {
            case .first: firstValue(of: key.name, in: head) ?? lastValue(of: key.name, in: tail)
            case .last: lastValue(of: key.name, in: tail) ?? firstValue(of: key.name, in: head)
            }
            if let value { object.append(key.name, value) }
        }
        return object
    }

    /// The value of the first complete, non-null occurrence of `key`.
    static func firstValue(of key: String, in bytes: [UInt8]) -> JSONValue? {
        let pattern = Array("\"\(key)\"".utf8)
        guard bytes.count >= pattern.count else { return nil }
        for start in 0...(bytes.count - pattern.count) {
            if let value = value(at: start, pattern: pattern, in: bytes) { return value }
        }
        return nil
    }

    /// The value of the last complete, non-null occurrence of `key`.
    static func lastValue(of key: String, in bytes: [UInt8]) -> JSONValue? {
        let pattern = Array("\"\(key)\"".utf8)
        guard bytes.count >= pattern.count else { return nil }
        for start in stride(from: bytes.count - pattern.count, through: 0, by: -1) {
            if let value = value(at: start, pattern: pattern, in: bytes) { return value }
        }
        return nil
    }

    private static func value(at start: Int, pattern: [UInt8], in bytes: [UInt8]) -> JSONValue? {
        guard bytes[start] == ASCII.quote, matches(pattern, at: start, in: bytes), !isEscaped(start, in: bytes) else { return nil }
        var index = skipWhitespace(from: start + pattern.count, in: bytes)
        guard index < bytes.count, bytes[index] == ASCII.colon else { return nil }
        index = skipWhitespace(from: index + 1, in: bytes)
        guard let end = valueEnd(from: index, in: bytes), bytes[index] != UInt8(ascii: "n"),
              let value = JSONValueParser.parse(bytes[index..<end])
        else { return nil }
        return value
    }

    private static func matches(_ pattern: [UInt8], at start: Int, in bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < pattern.count {
            if bytes[start + offset] != pattern[offset] { return false }
            offset += 1
        }
        return true
    }

    /// Whether the quote at `index` is preceded by an odd number of backslashes.
    private static func isEscaped(_ index: Int, in bytes: [UInt8]) -> Bool {
        var backslashes = 0
        var cursor = index - 1
        while cursor >= 0, bytes[cursor] == ASCII.backslash {
            backslashes += 1
            cursor -= 1
        }
        return backslashes % 2 == 1
    }

    private static func skipWhitespace(from index: Int, in bytes: [UInt8]) -> Int {
        bytes.withUnsafeBufferPointer { skipWhitespace(from: index, in: $0) }
    }

    private static func skipWhitespace(from index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var index = index
        while index < bytes.count, ASCII.isWhitespace(bytes[index]) { index += 1 }
        return index
    }

    /// The end (exclusive) of the JSON value starting at `start`, or nil when the bytes end first.
    static func valueEnd(from start: Int, in bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { valueEnd(from: start, in: $0) }
    }

    /// Just past the closing quote of the string opening at `open`: `memchr` to each quote, kept unless an odd run
    /// of backslashes escapes it (a request's messages are mostly long strings: byte by byte took ~1.4 ns a byte).
    static func stringEnd(openingQuoteAt open: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var index = open + 1
        while let quote = ASCIIBytes.firstOffset(of: ASCII.quote, in: bytes, from: index) {
            var backslashes = 0
            while quote - backslashes - 1 > open, bytes[quote - backslashes - 1] == ASCII.backslash { backslashes += 1 }
            if backslashes % 2 == 0 { return quote + 1 }
            index = quote + 1
        }
        return nil
    }

    /// `valueEnd(from:in:)` over raw bytes (no bounds check per byte: scanning answers is on every request's path).
    static func valueEnd(from start: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard start < bytes.count else { return nil }
        switch bytes[start] {
        case ASCII.openBrace, ASCII.openBracket:
            var depth = 0
            var index = start
            while index < bytes.count {
                switch bytes[index] {
                case ASCII.quote:
                    guard let end = stringEnd(openingQuoteAt: index, in: bytes) else { return nil }
                    index = end
                    continue
                case ASCII.openBrace, ASCII.openBracket: depth += 1
                case ASCII.closeBrace, ASCII.closeBracket:
                    depth -= 1
                    if depth == 0 { return index + 1 }
                default: break
                }
                index += 1
            }
            return nil
        case ASCII.quote:
            return stringEnd(openingQuoteAt: start, in: bytes)
        default:
            var index = start
            while index < bytes.count {
                let byte = bytes[index]
                if byte == ASCII.comma || byte == ASCII.closeBrace || byte == ASCII.closeBracket || ASCII.isWhitespace(byte) {
                    return index > start ? index : nil
                }
                index += 1
            }
            return nil
        }
    }
}

extension JSONKeyScanner {
    /// The values of `keys` among the top-level members of a JSON object, each parsed on its own; members
    /// at other depths and all other values are skipped without being parsed. Nil when `bytes` is not an object.
    public static func topLevelValues(of keys: Set<String>, in bytes: [UInt8]) -> JSONObject? {
        var index = skipWhitespace(from: 0, in: bytes)
        guard index < bytes.count, bytes[index] == ASCII.openBrace else { return nil }
        index += 1
        var values = JSONObject()
        while true {
            index = skipWhitespace(from: index, in: bytes)
            guard index < bytes.count else { return nil }
            if bytes[index] == ASCII.closeBrace { return values }
            if bytes[index] == ASCII.comma {
                index += 1
                continue
            }
            guard bytes[index] == ASCII.quote, let keyEnd = valueEnd(from: index, in: bytes) else { return nil }
            let key = String(decoding: bytes[(index + 1)..<(keyEnd - 1)], as: UTF8.self)
            index = skipWhitespace(from: keyEnd, in: bytes)
            guard index < bytes.count, bytes[index] == ASCII.colon else { return nil }
            index = skipWhitespace(from: index + 1, in: bytes)
            guard let end = valueEnd(from: index, in: bytes) else { return nil }
            if keys.contains(key), let value = JSONValueParser.parse(bytes[index..<end]) {
                values.append(key, value)
            }
            index = end
        }
    }
}

extension JSONKeyScanner {
    /// `flattened(head:tail:keys:)` for one whole document, in a single pass: every object key at any depth is
    /// compared with `keys` once (strings are skipped whole, so text inside values never matches), and only
    /// the chosen occurrences' values are parsed: of the shallowest occurrences (the document's own field, not
    /// one of the same name inside a value, such as a caller's `metadata.usage`), the first non-null one for
    /// `.first` keys, the last for `.last`; deeper ones only when every shallower one is null.
    static func flattened(document bytes: [UInt8], keys: [Key]) -> JSONObject {
        // Every key's occurrences in document order, in one array (one allocation, not one per key).
        let occurrences = bytes.withUnsafeBufferPointer { occurrencesOf(keys, in: $0) }
        var object = JSONObject()
        object.reserveCapacity(keys.count)
        for (keyIndex, key) in keys.enumerated() {
            // In the key's own order (first to last, or last to first), a non-null value replaces the one chosen only
            // when it is shallower.
            var chosen: (value: JSONValue, depth: Int)?
            let inOrder = key.place == .first ? stride(from: 0, to: occurrences.count, by: 1) : stride(from: occurrences.count - 1, to: -1, by: -1)
            for index in inOrder where occurrences[index].key == keyIndex && occurrences[index].depth < chosen?.depth ?? .max {
                if let value = parsedNonNull(bytes[occurrences[index].value]) { chosen = (value, occurrences[index].depth) }
            }
            if let chosen { object.append(key.name, chosen.value) }
        }
        return object
    }

    /// Where each of `keys` occurs as an object key, with its value's range and how deep in objects and arrays the
    /// key is (1 for the document's own fields), in document order.
    private static func occurrencesOf(_ keys: [Key], in bytes: UnsafeBufferPointer<UInt8>) -> [(key: Int, value: Range<Int>, depth: Int)] {
        var occurrences: [(key: Int, value: Range<Int>, depth: Int)] = []
        occurrences.reserveCapacity(16)
        var index = 0
        var depth = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == ASCII.quote else {
                if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                    depth += 1
                } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                    depth -= 1
                }
                index += 1
                continue
            }
            guard let stringEnd = valueEnd(from: index, in: bytes) else { break }
            let afterString = skipWhitespace(from: stringEnd, in: bytes)
            if afterString < bytes.count, bytes[afterString] == ASCII.colon {
                let name = UnsafeBufferPointer(rebasing: bytes[(index + 1)..<(stringEnd - 1)])
                for (keyIndex, key) in keys.enumerated() where key.bytes.count == name.count && name.elementsEqual(key.bytes) {
                    let valueStart = skipWhitespace(from: afterString + 1, in: bytes)
                    if let valueEnd = valueEnd(from: valueStart, in: bytes) {
                        occurrences.append((keyIndex, valueStart..<valueEnd, depth))
                    }
                }
                index = afterString + 1
            } else {
                index = stringEnd
            }
        }
        return occurrences
    }

    /// The value of a complete JSON text, unless it is `null` (or does not parse).
    private static func parsedNonNull(_ text: ArraySlice<UInt8>) -> JSONValue? {
        guard let first = text.first, first != UInt8(ascii: "n") else { return nil }
        return JSONValueParser.parse(text)
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Parses one small JSON value (a usage object, a model name) straight into a `JSONValue`, without
/// `JSONSerialization`'s detour through Foundation objects (once the largest cost on the proxy's path) or
/// `[String: Any]`'s hashing and casts. Nil for malformed input.
enum JSONValueParser {
    static func parse(_ bytes: ArraySlice<UInt8>) -> JSONValue? {
        var parser = Parser(bytes: bytes)
        parser.skipWhitespace()
        guard let value = parser.value(depth: 0) else { return nil }
        parser.skipWhitespace()
        return parser.index == bytes.endIndex ? value : nil
    }

    /// Keys of the providers' usage objects, grouped by length.
    static let knownKeysByLength: [[(name: String, bytes: [UInt8])]] = {
        let keys = [
            "prompt_tokens", "completion_tokens", "total_tokens", "prompt_tokens_details", "completion_tokens_details", "cached_tokens",
            "audio_tokens", "reasoning_tokens", "accepted_prediction_tokens", "rejected_prediction_tokens", "input_tokens", "output_tokens",
            "input_tokens_details", "output_tokens_details", "cache_creation_input_tokens", "cache_read_input_tokens", "cache_creation",
            "ephemeral_5m_input_tokens", "ephemeral_1h_input_tokens", "server_tool_use", "web_search_requests", "service_tier",
            "promptTokenCount", "candidatesTokenCount", "totalTokenCount", "cachedContentTokenCount", "thoughtsTokenCount",
            "text_tokens", "image_tokens", "model",
        ]
        var groups = [[(name: String, bytes: [UInt8])]](repeating: [], count: keys.map(\.utf8.count).max()! + 1)
        for key in keys { groups[key.utf8.count].append((key, Array(key.utf8))) }
        return groups
    }()

    private struct Parser {
        let bytes: ArraySlice<UInt8>
        var index: Int

        init(bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            self.index = bytes.startIndex
        }

        mutating func skipWhitespace() {
            while index < bytes.endIndex, ASCII.isWhitespace(bytes[index]) { index += 1 }
        }

        mutating func value(depth: Int) -> JSONValue? {
            guard index < bytes.endIndex, depth < 64 else { return nil }
            switch bytes[index] {
            case ASCII.openBrace: return object(depth: depth).map(JSONValue.object)
            case ASCII.openBracket: return array(depth: depth).map(JSONValue.array)
            case ASCII.quote: return string().map(JSONValue.string)
            case UInt8(ascii: "t"): return literal("true", .bool(true))
            case UInt8(ascii: "f"): return literal("false", .bool(false))
            case UInt8(ascii: "n"): return literal("null", .null)
            default: return number()
            }
        }

        mutating func literal(_ text: StaticString, _ value: JSONValue) -> JSONValue? {
            let count = text.utf8CodeUnitCount
            guard bytes.endIndex - index >= count else { return nil }
            let matches = text.withUTF8Buffer { expected in bytes[index..<(index + count)].elementsEqual(expected) }
            guard matches else { return nil }
            index += count
            return value
        }

        mutating func object(depth: Int) -> JSONObject? {
            index += 1
            var object = JSONObject()
            object.reserveCapacity(8)
            skipWhitespace()
            if index < bytes.endIndex, bytes[index] == ASCII.closeBrace {
                index += 1
                return object
            }
            while true {
                skipWhitespace()
                guard index < bytes.endIndex, bytes[index] == ASCII.quote, let key = key() else { return nil }
                skipWhitespace()
                guard index < bytes.endIndex, bytes[index] == ASCII.colon else { return nil }
                index += 1
                skipWhitespace()
                guard let member = value(depth: depth + 1) else { return nil }
                object.append(key, member)
                skipWhitespace()
                guard index < bytes.endIndex else { return nil }
                if bytes[index] == ASCII.comma {
                    index += 1
                } else if bytes[index] == ASCII.closeBrace {
                    index += 1
                    return object
                } else {
                    return nil
                }
            }
        }

        mutating func array(depth: Int) -> [JSONValue]? {
            index += 1
            var array: [JSONValue] = []
            skipWhitespace()
            if index < bytes.endIndex, bytes[index] == ASCII.closeBracket {
                index += 1
                return array
            }
            while true {
                skipWhitespace()
                guard let element = value(depth: depth + 1) else { return nil }
                array.append(element)
                skipWhitespace()
                guard index < bytes.endIndex else { return nil }
                if bytes[index] == ASCII.comma {
                    index += 1
                } else if bytes[index] == ASCII.closeBracket {
                    index += 1
                    return array
                } else {
                    return nil
                }
            }
        }

        /// An object's key: the usual usage keys without building a new string (most are over 15 bytes, so each
        /// new one was an allocation).
        mutating func key() -> String? {
            let start = index + 1
            var end = start
            while end < bytes.endIndex, bytes[end] != ASCII.quote, bytes[end] != ASCII.backslash { end += 1 }
            if end < bytes.endIndex, bytes[end] == ASCII.quote {
                let length = end - start
                if length < JSONValueParser.knownKeysByLength.count, !JSONValueParser.knownKeysByLength[length].isEmpty {
                    let found = bytes[start..<end].withUnsafeBytes { candidate in
                        JSONValueParser.knownKeysByLength[length].first { known in
                            known.bytes.withUnsafeBytes { memcmp($0.baseAddress!, candidate.baseAddress!, length) == 0 }
                        }
                    }
                    if let found {
                        index = end + 1
                        return found.name
                    }
                }
            }
            return string()
        }

        mutating func string() -> String? {
            index += 1
            let start = index
            // Fast path: no escapes.
            while index < bytes.endIndex, bytes[index] != ASCII.quote, bytes[index] != ASCII.backslash { index += 1 }
            guard index < bytes.endIndex else { return nil }
            if bytes[index] == ASCII.quote {
                defer { index += 1 }
                return String(decoding: bytes[start..<index], as: UTF8.self)
            }
            var scalars = Array(bytes[start..<index])
            while index < bytes.endIndex {
                let byte = bytes[index]
                if byte == ASCII.quote {
                    index += 1
                    return String(decoding: scalars, as: UTF8.self)
                }
                if byte != ASCII.backslash {
                    scalars.append(byte)
                    index += 1
                    continue
                }
                index += 1
                guard index < bytes.endIndex else { return nil }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escape)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"):
                    guard var code = hex4() else { return nil }
                    if (0xD800..<0xDC00).contains(code), bytes.endIndex - index >= 6, bytes[index] == ASCII.backslash, bytes[index + 1] == UInt8(ascii: "u") {
                        index += 2
                        guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    scalars.append(contentsOf: Array(String(Character(Unicode.Scalar(code) ?? "\u{FFFD}")).utf8))
                default: return nil
                }
            }
            return nil
        }

        mutating func hex4() -> UInt32? {
            guard bytes.endIndex - index >= 4 else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: return nil
                }
                value = value * 16 + UInt32(digit)
                index += 1
            }
            return value
        }

        mutating func number() -> JSONValue? {
            let start = index
            var isInteger = true
            while index < bytes.endIndex {
                let byte = bytes[index]
                if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") {
                    index += 1
                } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                    isInteger = false
                    index += 1
                } else {
                    break
                }
            }
            guard index > start else { return nil }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            if isInteger, let integer = Int64(text) { return .integer(integer) }
            return Double(text).map(JSONValue.number)
        }
    }
}

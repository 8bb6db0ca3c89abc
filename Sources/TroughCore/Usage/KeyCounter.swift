/// Counts object keys (or string values) in a JSON body fed in chunks of any size, without keeping the body: how
/// many images an image-generation answer holds (one `"b64_json"` or `"url"` per image), however many megabytes
/// of base64 they are; how many `"web_search_call"` and `"file_search_call"` items a Responses API answer holds. An unescaped `"key"`
/// followed by `:` can only be an object key in valid JSON, and one followed by `,`, `}` or `]` a string value.
struct KeyCounter: Sendable {
    private let patterns: [[UInt8]]
    /// What must follow a match (after optional whitespace) for it to count.
    private let terminators: [UInt8]
    /// Per pattern: how many of its bytes were matched so far.
    private var matched: [Int]
    /// Per pattern: matched whole, waiting for the `:` after optional whitespace.
    private var awaitingColon: [Bool]
    /// Per pattern: how many counted (`count` is their sum).
    private(set) var counts: [Int64]
    var count: Int64 { counts.reduce(0, +) }

    init(keys: [String]) {
        self.init(strings: keys, terminators: [ASCII.colon])
    }

    /// Counts string values equal to one of `values`.
    init(values: [String]) {
        self.init(strings: values, terminators: [UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]")])
    }

    private init(strings keys: [String], terminators: [UInt8]) {
        self.terminators = terminators
        patterns = keys.map { Array("\"\($0)\"".utf8) }
        matched = Array(repeating: 0, count: keys.count)
        awaitingColon = Array(repeating: false, count: keys.count)
        counts = Array(repeating: 0, count: keys.count)
    }

    mutating func consume(_ bytes: some Collection<UInt8>) {
        for byte in bytes {
            for index in patterns.indices {
                step(byte, index)
            }
        }
    }

    private mutating func step(_ byte: UInt8, _ index: Int) {
        if awaitingColon[index] {
            if ASCII.isWhitespace(byte) { return }
            awaitingColon[index] = false
            if terminators.contains(byte) {
                counts[index] += 1
                return
            }
        }
        let pattern = patterns[index]
        if byte == pattern[matched[index]] {
            matched[index] += 1
            if matched[index] == pattern.count {
                matched[index] = 0
                awaitingColon[index] = true
            }
        } else {
            // The patterns start with a quote and hold no other quote but the last, so a mismatch restarts at 0,
            // or at 1 when the byte is itself a quote.
            matched[index] = byte == pattern[0] ? 1 : 0
        }
    }
}

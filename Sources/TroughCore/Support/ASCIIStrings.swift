/// Byte-level string helpers for the proxy's hot path, where Foundation's `contains`, `range(of:)` and
/// `trimmingCharacters` (bridged through CFString) cost more than the work they do. Matching is exact, by UTF-8 bytes.
extension StringProtocol {
    /// The first range of `needle`'s bytes in the string, compared byte for byte.
    public func utf8Range(of needle: String) -> Range<String.Index>? {
        let haystack = Array(utf8)
        let pattern = Array(needle.utf8)
        guard !pattern.isEmpty, pattern.count <= haystack.count else { return nil }
        let first = pattern[0]
        var start = 0
        while start <= haystack.count - pattern.count {
            if haystack[start] == first {
                var matched = 1
                while matched < pattern.count, haystack[start + matched] == pattern[matched] { matched += 1 }
                if matched == pattern.count {
                    let lower = utf8.index(utf8.startIndex, offsetBy: start)
                    let upper = utf8.index(lower, offsetBy: pattern.count)
                    return lower..<upper
                }
            }
            start += 1
        }
        return nil
    }

    /// Whether `needle`'s bytes occur in the string.
    public func containsBytes(_ needle: String) -> Bool {
        utf8Range(of: needle) != nil
    }

    /// Whether `needle` occurs, ignoring ASCII case (for header values such as media types and `Connection`).
    public func containsIgnoringASCIICase(_ needle: String) -> Bool {
        String(self).asciiLowercased().containsBytes(needle.asciiLowercased())
    }

    /// The string without leading and trailing spaces and tabs.
    public var trimmingSpacesAndTabs: String {
        let string = String(self)
        let bytes = string.utf8
        guard let first = bytes.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }),
              let last = bytes.lastIndex(where: { $0 != 0x20 && $0 != 0x09 })
        else { return "" }
        return String(string[first...last])
    }

    /// ASCII letters lowercased; other bytes unchanged.
    public func asciiLowercased() -> String {
        guard utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return String(self) }
        return String(decoding: utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
    }
}

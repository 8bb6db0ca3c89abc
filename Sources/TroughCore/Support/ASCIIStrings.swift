/// Byte-level string helpers for the proxy's hot path, where Foundation's `contains`, `range(of:)` and
/// `trimmingCharacters` (bridged through CFString) cost more than the work they do. Matching is exact, by UTF-8 bytes.
extension StringProtocol {
    /// The first range of `needle`'s bytes in the string, compared byte for byte (no copies).
    public func utf8Range(of needle: String) -> Range<String.Index>? {
        needle.isEmpty ? nil : utf8.firstRange(of: needle.utf8)
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

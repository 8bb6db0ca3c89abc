#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-level string helpers for the proxy's hot path, where Foundation's `contains`, `range(of:)` and
/// `trimmingCharacters` (bridged through CFString) and the standard library's generic collection search cost more
/// than the work they do. Matching is exact, by UTF-8 bytes, on the string's own storage (no copies). Inlinable, so
/// callers in other modules get them specialized for `String` and `Substring` (unspecialized, each call looked up
/// generic metadata: ~1 % of the proxy loops' CPU).
extension StringProtocol {
    /// The first range of `needle`'s bytes in the string.
    @inlinable
    public func utf8Range(of needle: String) -> Range<String.Index>? {
        guard let offset = utf8Offset(of: needle, ignoringASCIICase: false) else { return nil }
        let start = utf8.index(utf8.startIndex, offsetBy: offset)
        return start..<utf8.index(start, offsetBy: needle.utf8.count)
    }

    /// Whether `needle`'s bytes occur in the string.
    @inlinable
    public func containsBytes(_ needle: String) -> Bool {
        utf8Offset(of: needle, ignoringASCIICase: false) != nil
    }

    /// Whether `needle` occurs, ignoring ASCII case (for header values such as media types and `Connection`).
    @inlinable
    public func containsIgnoringASCIICase(_ needle: String) -> Bool {
        utf8Offset(of: needle, ignoringASCIICase: true) != nil
    }

    /// Whether the string starts with `prefix`, ignoring ASCII case.
    @inlinable
    public func hasPrefixIgnoringASCIICase(_ prefix: String) -> Bool {
        withUTF8Bytes { bytes in
            var prefix = prefix
            return prefix.withUTF8 { needle in
                needle.count <= bytes.count && ASCIIBytes.equalIgnoringCase(bytes, from: 0, needle)
            }
        }
    }

    /// Whether the string equals `other`, ignoring ASCII case (header names).
    @inlinable
    public func equalsIgnoringASCIICase(_ other: String) -> Bool {
        utf8.count == other.utf8.count && hasPrefixIgnoringASCIICase(other)
    }

    /// `lowercased()`, without making a new string when there is nothing to lower (ASCII with no capital: model and
    /// provider names, nearly always).
    @inlinable
    public var lowercasedASCIIIfNeeded: String {
        if utf8.allSatisfy({ $0 < 0x80 && !(0x41...0x5A).contains($0) }) { return String(self) }
        return lowercased()
    }

    /// The string without leading and trailing spaces and tabs.
    @inlinable
    public var trimmingSpacesAndTabs: String {
        let string = String(self)
        let bytes = string.utf8
        guard let first = bytes.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }),
              let last = bytes.lastIndex(where: { $0 != 0x20 && $0 != 0x09 })
        else { return "" }
        return String(string[first...last])
    }

    /// ASCII letters lowercased; other bytes unchanged.
    @inlinable
    public func asciiLowercased() -> String {
        guard utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return String(self) }
        return String(decoding: utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
    }

    /// The byte offset where `needle` first occurs.
    @inlinable
    func utf8Offset(of needle: String, ignoringASCIICase: Bool) -> Int? {
        withUTF8Bytes { bytes in
            var needle = needle
            return needle.withUTF8 { ASCIIBytes.firstOffset(of: $0, in: bytes, ignoringCase: ignoringASCIICase) }
        }
    }

    /// Calls `body` with the string's UTF-8 bytes: its own storage when contiguous, else a copy.
    @inlinable
    func withUTF8Bytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = String(self)
        return copy.withUTF8(body)
    }
}

/// Search and comparison on raw bytes.
@usableFromInline
enum ASCIIBytes {
    @inlinable @inline(__always)
    static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }

    /// Whether `needle` occurs in `bytes` at `offset` (which must leave room for it).
    @inlinable
    static func equalIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, from offset: Int, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
        for index in 0..<needle.count where lower(bytes[offset + index]) != lower(needle[index]) {
            return false
        }
        return true
    }

    @inlinable
    static func firstOffset(of needle: UnsafeBufferPointer<UInt8>, in bytes: UnsafeBufferPointer<UInt8>, ignoringCase: Bool) -> Int? {
        guard !needle.isEmpty, needle.count <= bytes.count else { return nil }
        guard ignoringCase else { return exactOffset(of: needle, in: bytes) }
        let first = lower(needle[0])
        for offset in 0...(bytes.count - needle.count) where lower(bytes[offset]) == first {
            if equalIgnoringCase(bytes, from: offset, needle) { return offset }
        }
        return nil
    }

    /// Where `needle` (not empty, not longer than `bytes`) first occurs: `memchr` for its rarest byte, then
    /// `memcmp` (quotes and common letters are everywhere in JSON; every streamed event is searched).
    @usableFromInline
    static func exactOffset(of needle: UnsafeBufferPointer<UInt8>, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = bytes.baseAddress, let pattern = needle.baseAddress else { return nil }
        let anchor = needle.indices.max { rarity[Int(needle[$0])] < rarity[Int(needle[$1])] }!
        let last = bytes.count - needle.count
        var offset = 0
        while offset <= last {
            guard let hit = firstOffset(of: needle[anchor], in: bytes, from: offset + anchor, to: last + anchor + 1) else { return nil }
            offset = hit - anchor
            if memcmp(base + offset, pattern, needle.count) == 0 { return offset }
            offset += 1
        }
        return nil
    }

    /// Where `byte` first occurs in `bytes[start..<end]` (`end` nil: to the end), by `memchr`.
    @usableFromInline
    static func firstOffset(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int? = nil) -> Int? {
        let end = end ?? bytes.count
        guard start < end, let base = bytes.baseAddress, let hit = memchr(base + start, Int32(byte), end - start) else { return nil }
        return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
    }

    /// How rare a byte is in JSON text, higher is rarer: letters by their English frequency, then punctuation.
    private static let rarity: [Int] = {
        var rank = [Int](repeating: 0, count: 256)
        for (position, letter) in "etaoinshrdlcumwfgypbvkjxqz".utf8.enumerated() {
            rank[Int(letter)] = position + 1
            rank[Int(letter) - 32] = position + 1
        }
        for byte in "_-".utf8 { rank[Int(byte)] = 8 }
        for byte in "[]".utf8 { rank[Int(byte)] = 20 }
        return rank
    }()
}

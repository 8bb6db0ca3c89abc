import Foundation

/// Picks the rule that prices a request: of the rules whose method and pattern match, the most specific —
/// a named method over any method, then more literal segments, then fewer `*`, and a pattern without `**`
/// over one with it.
public struct CostRuleMatcher: Sendable {
    /// The rules, most specific first, each with its pattern's segments.
    private let rules: [(rule: CostRule, pattern: [Substring])]

    public init(rules: [CostRule]) {
        self.rules = rules.sorted { Self.specificity($0) > Self.specificity($1) }.map { ($0, Self.segments($0.pathPattern)) }
    }

    public var isEmpty: Bool { rules.isEmpty }

    /// The most specific matching rule for `method` and `path` (without the query).
    public func match(method: String, path: String) -> CostRule? {
        guard !rules.isEmpty else { return nil }
        let segments = Self.segments(path)
        return rules.first { entry in
            (entry.rule.method.map { $0.equalsIgnoringASCIICase(method) } ?? true) && Self.matches(entry.pattern, segments)
        }?.rule
    }

    /// Whether a pattern is acceptable: starts with `/`, `**` only last.
    public static func isValid(pattern: String) -> Bool {
        guard pattern.hasPrefix("/"), pattern.count <= 512 else { return false }
        let parts = segments(pattern)
        return !parts.dropLast().contains("**")
    }

    static func segments(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    static func matches(_ pattern: [Substring], _ path: [Substring]) -> Bool {
        var index = 0
        for (position, part) in pattern.enumerated() {
            if part == "**" { return position == pattern.count - 1 }
            guard index < path.count, part == "*" || part == path[index] else { return false }
            index += 1
        }
        return index == path.count
    }

    /// Larger is more specific.
    static func specificity(_ rule: CostRule) -> Int {
        let parts = segments(rule.pathPattern)
        let literals = parts.filter { $0 != "*" && $0 != "**" }.count
        let singles = parts.filter { $0 == "*" }.count
        let rest = parts.contains("**") ? 1 : 0
        return (rule.method == nil ? 0 : 1_000_000) + literals * 1_000 - singles * 10 - rest * 500
    }

    /// The units for a per-unit rule, read from the JSON response (a number, or a numeric string as Twilio sends).
    /// One unit when the field is missing or the body is not JSON.
    public static func units(field: String, body: [UInt8]) -> Int64 {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) else { return 1 }
        var current: Any? = object
        for key in field.split(separator: ".") {
            current = (current as? [String: Any])?[String(key)]
        }
        if let number = current as? NSNumber { return max(0, number.int64Value) }
        if let text = current as? String, let number = Int64(text.trimmingCharacters(in: .whitespaces)) { return max(0, number) }
        return 1
    }
}

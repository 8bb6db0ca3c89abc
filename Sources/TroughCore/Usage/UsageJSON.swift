import Foundation

/// Reading counts out of `JSONValueParser`'s values.
enum UsageJSON {
    /// A token count: integers as they are, fractions (Cohere's billed units are numbers) rounded up, negatives as 0.
    static func count(_ value: Any?) -> Int64? {
        if let integer = value as? Int64 { return max(0, integer) }
        if let double = value as? Double {
            guard double.isFinite else { return nil }
            return double <= 0 ? 0 : Int64(exactly: double.rounded(.up)) ?? Int64.max
        }
        return nil
    }

    static func object(_ value: Any?) -> [String: Any]? {
        value as? [String: Any]
    }

    static func string(_ value: Any?) -> String? {
        guard let string = value as? String, !string.isEmpty else { return nil }
        return string
    }

    static func bool(_ value: Any?) -> Bool? {
        value as? Bool
    }

    /// `object[a][b]…`, each step an object.
    static func path(_ object: [String: Any], _ keys: String...) -> Any? {
        var current: Any? = object
        for key in keys {
            guard let dictionary = current as? [String: Any] else { return nil }
            current = dictionary[key]
        }
        return current
    }
}

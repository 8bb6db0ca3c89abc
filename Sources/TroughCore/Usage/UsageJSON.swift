/// Reading counts out of `JSONValueParser`'s values.
enum UsageJSON {
    /// A token count: integers as they are, fractions (Cohere's billed units are numbers) rounded up, negatives as 0.
    static func count(_ value: JSONValue?) -> Int64? {
        switch value {
        case .integer(let integer)?: return max(0, integer)
        case .number(let double)?:
            guard double.isFinite else { return nil }
            return double <= 0 ? 0 : Int64(exactly: double.rounded(.up)) ?? Int64.max
        default: return nil
        }
    }

    /// Seconds (an integer or a fraction) as whole milliseconds, rounded half up; negatives as 0.
    static func milliseconds(_ value: JSONValue?) -> Int64? {
        switch value {
        case .integer(let seconds)?: return max(0, seconds).multipliedReportingOverflow(by: 1000).partialValue
        case .number(let seconds)?:
            guard seconds.isFinite else { return nil }
            return seconds <= 0 ? 0 : Int64(exactly: (seconds * 1000).rounded()) ?? Int64.max
        default: return nil
        }
    }

    static func object(_ value: JSONValue?) -> JSONObject? {
        value?.object
    }

    static func string(_ value: JSONValue?) -> String? {
        guard let string = value?.string, !string.isEmpty else { return nil }
        return string
    }

    static func bool(_ value: JSONValue?) -> Bool? {
        value?.bool
    }

    /// `object[a][b]…`, each step an object.
    static func path(_ object: JSONObject, _ keys: String...) -> JSONValue? {
        var current: JSONValue? = .object(object)
        for key in keys {
            guard let dictionary = current?.object else { return nil }
            current = dictionary[key]
        }
        return current
    }
}

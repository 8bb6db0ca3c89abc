import Foundation

/// JSON keys between Swift's camelCase and snake_case, as Foundation's `convertFromSnakeCase` /
/// `convertToSnakeCase` do, except that a run of digits is a word of its own: `cache_write_1h` ⇄ `cacheWrite1h`.
/// Foundation's strategies make those `cacheWrite1H` and `cache_write1h`, so a field documented as
/// `cache_write_1h_usd_per_mtok` was neither read from requests nor written under that name.
public enum SnakeCaseKeys {
    /// `cache_write_1h` → `cacheWrite1h`; keys without an inner underscore, and leading or trailing underscores,
    /// stay as they are.
    public static func camelCase(_ key: String) -> String {
        let core = key.drop { $0 == "_" }
        let leading = key.prefix(key.count - core.count)
        let body = core.reversed().drop { $0 == "_" }.reversed()
        let trailing = core.suffix(core.count - body.count)
        let words = String(body).split(separator: "_")
        guard words.count > 1 else { return key }
        var result = String(leading) + words[0]
        for word in words.dropFirst() {
            result += word.first!.isLetter ? word.prefix(1).uppercased() + word.dropFirst().lowercased() : word.lowercased()
        }
        return result + trailing
    }

    /// `cacheWrite1hUsdPerMtok` → `cache_write_1h_usd_per_mtok`, `projectID` → `project_id`, `baseURLValue` →
    /// `base_url_value`. Digits at the end of a word stay in it (`last4`, `base64`).
    public static func snakeCase(_ key: String) -> String {
        let characters = Array(key)
        var result = ""
        for (index, character) in characters.enumerated() {
            if index > 0 {
                let previous = characters[index - 1]
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                let startsWord = character.isUppercase && (!previous.isUppercase || next?.isLowercase == true)
                    || character.isNumber && previous.isLetter && startsUnitWord(characters[index...])
                if startsWord, previous != "_" { result += "_" }
            }
            result += character.lowercased()
        }
        return result
    }

    /// Whether the digits at the start of `rest` are followed by a letter (`1h…`): a quantity with its unit.
    private static func startsUnitWord(_ rest: ArraySlice<Character>) -> Bool {
        rest.first { !$0.isNumber }?.isLetter ?? false
    }
}

extension JSONDecoder.KeyDecodingStrategy {
    /// snake_case keys to camelCase, digits kept as a word (`SnakeCaseKeys.camelCase`).
    public static var fromSnakeCaseKeys: Self {
        .custom { path in SnakeCaseKey(SnakeCaseKeys.camelCase(path.last!.stringValue)) }
    }
}

extension JSONEncoder.KeyEncodingStrategy {
    /// camelCase keys to snake_case, digits kept as a word (`SnakeCaseKeys.snakeCase`).
    public static var toSnakeCaseKeys: Self {
        .custom { path in SnakeCaseKey(SnakeCaseKeys.snakeCase(path.last!.stringValue)) }
    }
}

private struct SnakeCaseKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }

    init(_ stringValue: String) {
        self.stringValue = stringValue
    }

    init?(stringValue: String) {
        self.stringValue = stringValue
    }

    init?(intValue: Int) {
        return nil
    }
}

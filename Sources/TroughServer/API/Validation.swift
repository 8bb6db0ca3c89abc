import Foundation
import TroughCore

/// Input rules shared by the management API; each failure is a 400 `validation_failed` naming the field.
enum Validate {
    static func email(_ value: String) throws -> String {
        let email = value.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !email.contains(where: { $0.isWhitespace || $0.isNewline })
        else { throw APIError.validation("email: expected an address like name@example.com") }
        return email
    }

    static func newPassword(_ password: String, email: String) throws {
        guard password.count >= AuthSettings.minimumPasswordLength else {
            throw APIError.validation("password: use at least \(AuthSettings.minimumPasswordLength) characters")
        }
        guard password.count <= AuthSettings.maximumPasswordLength else {
            throw APIError.validation("password: use at most \(AuthSettings.maximumPasswordLength) characters")
        }
        guard !CommonPasswords.contains(password), password.lowercased() != User.normalize(email: email) else {
            throw APIError.validation("password: this password is too common; choose another")
        }
    }

    /// A display name: trimmed, 1 to `maxLength` characters, no control characters.
    static func name(_ value: String, field: String, maxLength: Int = 100) throws -> String {
        let name = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...maxLength).contains(name.count), !name.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw APIError.validation("\(field): expected 1 to \(maxLength) characters")
        }
        return name
    }

    /// A URL slug: lower-case letters, digits and hyphens, starting with a letter or digit, at most 63 characters.
    static func slug(_ value: String) throws -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        guard (1...63).contains(value.count), value.allSatisfy(allowed.contains), value.first != "-" else {
            throw APIError.validation("slug: expected lower-case letters, digits and hyphens (1 to 63), not starting with a hyphen")
        }
        return value
    }

    /// A slug made from a name: `"My Chat Bot!"` → `my-chat-bot`.
    static func slugify(_ name: String) -> String {
        var slug = ""
        for character in name.lowercased() {
            if character.isASCII, character.isLetter || character.isNumber {
                slug.append(character)
            } else if !slug.isEmpty, slug.last != "-" {
                slug.append("-")
            }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        return String(slug.prefix(63)).isEmpty ? "project" : String(slug.prefix(63))
    }

    /// A non-negative USD amount as a decimal string, e.g. `"500.00"`.
    static func budget(_ value: String, field: String = "monthly_budget_usd") throws -> Money {
        guard let money = Money(usd: value), money.nanos >= 0 else {
            throw APIError.validation("\(field): expected a decimal string of dollars such as \"500.00\" (at most 9 decimals)")
        }
        return money
    }
}

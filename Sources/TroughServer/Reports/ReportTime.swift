import Foundation
import TroughCore

/// Reading `from` / `to` query parameters and cutting time into UTC days and hours.
enum ReportTime {
    static let day = UsageRollup.Granularity.day.milliseconds
    static let hour = UsageRollup.Granularity.hour.milliseconds

    static func startOfDay(_ time: Timestamp) -> Timestamp { UsageRollup.Granularity.day.bucket(time) }

    static func startOfHour(_ time: Timestamp) -> Timestamp { UsageRollup.Granularity.hour.bucket(time) }

    /// `YYYY-MM-DD` of a UTC day.
    static func date(_ time: Timestamp) -> String { String(time.iso8601.prefix(10)) }

    /// `YYYY-MM` of a UTC month.
    static func month(_ time: Timestamp) -> String { String(time.iso8601.prefix(7)) }

    /// `2026-11-23T13:00:00Z` of an hour.
    static func hourLabel(_ time: Timestamp) -> String { String(time.iso8601.prefix(13)) + ":00:00Z" }

    /// A `YYYY-MM-DD` date (its first millisecond) or an ISO-8601 date-time; nil when absent.
    /// Throws a 400 naming the parameter when it is malformed.
    static func parse(_ text: String?, parameter: String) throws -> (time: Timestamp, isDate: Bool)? {
        guard let text, !text.isEmpty else { return nil }
        if text.count == 10, let date = try? Date(text + "T00:00:00Z", strategy: .iso8601) {
            return (Timestamp(date), true)
        }
        if let date = (try? Date(text, strategy: .iso8601)) ?? (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)) {
            return (Timestamp(date), false)
        }
        throw APIError.validation("\(parameter): expected a date (YYYY-MM-DD) or an ISO-8601 time such as 2026-11-23T13:00:00Z")
    }

    /// A half-open range `[from, to)` from `from` / `to` parameters: a `to` date includes that whole day.
    /// Defaults apply when a parameter is absent; ranges longer than `maxDays` or reversed are refused.
    static func range(from fromText: String?, to toText: String?, defaultFrom: Timestamp, defaultTo: Timestamp, maxDays: Int64 = 400) throws -> (from: Timestamp, to: Timestamp) {
        let from = try parse(fromText, parameter: "from")?.time ?? defaultFrom
        var to = defaultTo
        if let parsed = try parse(toText, parameter: "to") {
            to = parsed.isDate ? parsed.time.adding(milliseconds: day) : parsed.time
        }
        guard from < to else { throw APIError.validation("from: must be before to") }
        guard to.milliseconds - from.milliseconds <= maxDays * day else { throw APIError.validation("to: ranges are at most \(maxDays) days") }
        return (from, to)
    }
}

/// RFC 4180 CSV: comma separated, CRLF line ends, fields quoted when they hold a comma, quote, CR or LF.
/// A field that a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) is prefixed with `'`.
enum CSV {
    static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    static func field(_ value: String) -> String {
        var value = value
        if let first = value.first, "=+-@".contains(first), Double(value) == nil {
            value = "'" + value
        }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Byte constants for the body parsers.
enum ASCII {
    static let lf = UInt8(ascii: "\n")
    static let cr = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let colon = UInt8(ascii: ":")
    static let comma = UInt8(ascii: ",")
    static let quote = UInt8(ascii: "\"")
    static let slash = UInt8(ascii: "/")
    static let backslash = UInt8(ascii: "\\")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let data = Array("data".utf8)
    static let event = Array("event".utf8)
    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == space || byte == lf || byte == cr || byte == tab
    }
}

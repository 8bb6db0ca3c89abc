/// Finds one small form field (`model`) in a `multipart/form-data` body fed in chunks as it streams upstream,
/// without keeping the body: audio transcriptions name their model only there, and their answers do not name it.
/// Clients put the field before or after the file (curl in the order given, the Python SDK first).
public struct MultipartFieldScanner: Sendable {
    private enum Phase: Sendable {
        /// Looking for `name="model"`.
        case searching(matched: Int)
        /// Found; waiting for the blank line that ends the part's headers (the last bytes seen, newest last).
        case headers(recent: UInt32)
        /// Reading the value, up to its line end.
        case value([UInt8])
        case done
    }

    private let pattern: [UInt8]
    private var phase = Phase.searching(matched: 0)
    /// The field's value once it was read whole; nil until then, or when it is not in the body.
    public private(set) var value: String?

    /// A scanner for `field`, or nil when `contentType` is not `multipart/form-data`.
    public init?(field: String, contentType: String?) {
        guard let contentType, contentType.hasPrefixIgnoringASCIICase("multipart/form-data") else { return nil }
        // The name starts the pattern and does not occur in it again, so a mismatch restarts at 0 (or 1).
        pattern = Array("name=\"\(field)\"".utf8)
    }

    private static let maxValueLength = 256
    /// `\r\n\r\n`, as the last four bytes seen.
    private static let blankLine: UInt32 = 0x0D0A_0D0A

    public mutating func consume(_ bytes: some Collection<UInt8>) {
        if case .done = phase { return }
        for byte in bytes {
            switch phase {
            case .searching(let matched):
                if byte == pattern[matched] {
                    phase = matched + 1 == pattern.count ? .headers(recent: 0) : .searching(matched: matched + 1)
                } else {
                    phase = .searching(matched: byte == pattern[0] ? 1 : 0)
                }
            case .headers(let recent):
                let shifted = recent << 8 | UInt32(byte)
                phase = shifted == Self.blankLine ? .value([]) : .headers(recent: shifted)
            case .value(var text):
                if byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") {
                    value = text.isEmpty ? nil : String(decoding: text, as: UTF8.self)
                    phase = .done
                    return
                }
                guard text.count < Self.maxValueLength else {
                    phase = .done
                    return
                }
                text.append(byte)
                phase = .value(text)
            case .done:
                return
            }
        }
    }

    /// The field's value in a whole body.
    public static func value(of field: String, in body: some Collection<UInt8>, contentType: String?) -> String? {
        guard var scanner = MultipartFieldScanner(field: field, contentType: contentType) else { return nil }
        scanner.consume(body)
        return scanner.value
    }
}

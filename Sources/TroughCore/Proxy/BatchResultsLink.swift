/// Points the `results_url` of Anthropic Message Batch objects at Trough.
///
/// A batch names where its results are as an absolute URL at the provider
/// (`https://api.anthropic.com/v1/messages/batches/{id}/results`), and the SDKs fetch that URL as it is: through
/// Trough they would send the project token (or a key Trough holds for them) to the provider directly, and the
/// results would not be billed. Trough's answer names the same path under the service's proxy route instead.
public enum BatchResultsLink {
    static let key = Array("\"results_url\"".utf8)

    /// `body` with every `results_url` that starts with `upstreamBase` changed to start with `troughBase`; nil when
    /// none does (the body goes on unchanged).
    public static func rewrite(_ body: some Collection<UInt8>, upstreamBase: String, troughBase: String) -> [UInt8]? {
        let bytes = Array(body)
        let from = Array(trimmingSlash(upstreamBase).utf8)
        let to = Array(trimmingSlash(troughBase).utf8)
        guard !from.isEmpty, bytes.count > key.count else { return nil }
        var output: [UInt8] = []
        var copied = 0
        var index = 0
        while index <= bytes.count - key.count {
            guard bytes[index] == ASCII.quote, bytes[index..<(index + key.count)].elementsEqual(key) else {
                index += 1
                continue
            }
            var cursor = skipWhitespace(bytes, from: index + key.count)
            guard cursor < bytes.count, bytes[cursor] == ASCII.colon else {
                index += key.count
                continue
            }
            cursor = skipWhitespace(bytes, from: cursor + 1)
            guard cursor < bytes.count, bytes[cursor] == ASCII.quote else {
                index = cursor
                continue
            }
            let valueStart = cursor + 1
            if valueStart + from.count <= bytes.count, bytes[valueStart..<(valueStart + from.count)].elementsEqual(from),
               valueStart + from.count == bytes.count || [ASCII.slash, ASCII.quote].contains(bytes[valueStart + from.count]) {
                output.append(contentsOf: bytes[copied..<valueStart])
                output.append(contentsOf: to)
                copied = valueStart + from.count
            }
            index = valueStart
        }
        guard copied > 0 else { return nil }
        output.append(contentsOf: bytes[copied...])
        return output
    }

    private static func trimmingSlash(_ url: String) -> String {
        url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    private static func skipWhitespace(_ bytes: [UInt8], from start: Int) -> Int {
        var index = start
        while index < bytes.count, ASCII.isWhitespace(bytes[index]) { index += 1 }
        return index
    }
}

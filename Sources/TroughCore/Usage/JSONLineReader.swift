/// Reads newline-delimited JSON (Ollama's native stream, Cohere v1 `application/stream+json`) for the usage
/// accumulator: keeps only the current line (bounded: a line over 1 MiB keeps just its head and tail).
struct JSONLineReader: Sendable {
    static let lineLimit = 1024 * 1024

    private var line = BoundedBuffer(wholeLimit: JSONLineReader.lineLimit)

    mutating func consume(_ bytes: UnsafeBufferPointer<UInt8>, into state: inout UsageState) {
        for byte in bytes {
            if byte == ASCII.lf {
                endLine(into: &state)
            } else if !(line.isEmpty && ASCII.isWhitespace(byte)) {
                line.append(byte)
            }
        }
    }

    /// The body ended: an unterminated last line is read as if complete.
    mutating func finish(into state: inout UsageState) {
        endLine(into: &state)
    }

    private mutating func endLine(into state: inout UsageState) {
        guard !line.isEmpty else { return }
        state.handle(line)
        line.reset()
    }
}

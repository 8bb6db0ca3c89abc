/// One `name: value` line of an SSE event.
struct SSEField {
    enum Name {
        case data, event, other
    }

    var name: Name
    var value: ArraySlice<UInt8>

    /// nil for a comment (a line starting with ":").
    init?(line: ArraySlice<UInt8>) {
        guard line.first != ASCII.colon else { return nil }
        let nameBytes: ArraySlice<UInt8>
        if let colon = line.firstIndex(of: ASCII.colon) {
            nameBytes = line[line.startIndex..<colon]
            var valueStart = line.index(after: colon)
            if valueStart < line.endIndex, line[valueStart] == ASCII.space { valueStart += 1 }
            value = line[valueStart...]
        } else {
            nameBytes = line
            value = []
        }
        if nameBytes.elementsEqual(ASCII.data) {
            name = .data
        } else if nameBytes.elementsEqual(ASCII.event) {
            name = .event
        } else {
            name = .other
        }
    }
}

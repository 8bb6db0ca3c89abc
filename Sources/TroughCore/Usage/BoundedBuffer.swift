/// Bytes of one JSON payload (a response body, an SSE event's data, an NDJSON line) kept within a memory bound:
/// all of it while it fits in `wholeLimit`, else only its first 64 KiB and a rolling last 256 KiB.
struct BoundedBuffer: Sendable {
    static let headLimit = 64 * 1024
    static let tailLimit = 256 * 1024
    /// Tail bytes allowed beyond `tailLimit` before trimming, so trimming is amortised.
    static let tailSlack = 64 * 1024

    let wholeLimit: Int
    /// Every byte, until more than `wholeLimit` arrive.
    private(set) var whole: [UInt8] = []
    /// The first bytes, once the payload overflowed.
    private(set) var head: [UInt8] = []
    /// At least the last `tailLimit` bytes (or all), once the payload overflowed.
    private(set) var tail: [UInt8] = []
    private(set) var overflowed = false
    private(set) var count = 0

    init(wholeLimit: Int) {
        self.wholeLimit = max(wholeLimit, Self.headLimit)
    }

    var isEmpty: Bool { count == 0 }

    /// The last byte that is not JSON whitespace.
    var lastNonWhitespace: UInt8? {
        (overflowed ? tail : whole).last { !ASCII.isWhitespace($0) }
    }

    mutating func append(_ byte: UInt8) {
        if !overflowed, whole.count < wholeLimit {
            whole.append(byte)
            count += 1
        } else {
            append(contentsOf: CollectionOfOne(byte))
        }
    }

    mutating func append(contentsOf bytes: some Collection<UInt8>) {
        let added = bytes.count
        guard added > 0 else { return }
        count += added
        if !overflowed {
            if whole.count + added <= wholeLimit {
                whole.append(contentsOf: bytes)
                return
            }
            overflowed = true
            let kept = whole
            whole = []
            appendOverflowed(kept)
        }
        appendOverflowed(bytes)
    }

    mutating func reset() {
        whole.removeAll(keepingCapacity: whole.capacity <= Self.headLimit)
        head = []
        tail = []
        overflowed = false
        count = 0
    }

    private mutating func appendOverflowed(_ bytes: some Collection<UInt8>) {
        if head.count < Self.headLimit {
            head.append(contentsOf: bytes.prefix(Self.headLimit - head.count))
        }
        if bytes.count >= Self.tailLimit {
            tail = Array(bytes.suffix(Self.tailLimit))
        } else {
            tail.append(contentsOf: bytes)
            if tail.count > Self.tailLimit + Self.tailSlack {
                tail.removeFirst(tail.count - Self.tailLimit)
            }
        }
    }
}

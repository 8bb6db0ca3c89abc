import Crypto
import Foundation
import Synchronization

/// Random identifiers and secrets.
public enum Identifier {
    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)

    /// A new resource id such as `prj_5k2x9w…`: a short prefix naming the kind, then 20 characters
    /// (100 bits) of randomness in lower-case Crockford base32, so ids reveal no counts or order.
    public static func make(_ prefix: String) -> String {
        id(prefix) { output in
            randomPool.withLock { $0.take(13) { appendBase32(of: $0) { output.append($0) } } }
            output.count -= 1  // 13 bytes make 21 characters; the first 20 carry 100 bits
        }
    }

    /// A new id that sorts by creation time, for rows written in bulk (events): the prefix, then the time in
    /// milliseconds (10 characters of base32) and 60 bits of randomness (12 characters). New rows land at the end
    /// of the id's index instead of on a random page each.
    public static func makeTimeOrdered(_ prefix: String, at time: Timestamp) -> String {
        id(prefix) { output in
            let milliseconds = UInt64(max(0, time.milliseconds))
            for shift in stride(from: 45, through: 0, by: -5) {
                output.append(alphabet[Int((milliseconds >> UInt64(shift)) & 31)])
            }
            randomPool.withLock { $0.take(8) { appendBase32(of: $0) { output.append($0) } } }
            output.count -= 1  // 8 bytes make 13 characters; the first 12 carry 60 bits
        }
    }

    /// An id's characters, written into stack memory (ids are made per request: one allocation, the string's).
    private struct IDBytes {
        let storage: UnsafeMutableBufferPointer<UInt8>
        var count = 0

        mutating func append(_ byte: UInt8) {
            storage[count] = byte
            count += 1
        }
    }

    /// `prefix_` followed by what `body` appends (at most 32 characters).
    private static func id(_ prefix: String, _ body: (inout IDBytes) -> Void) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: prefix.utf8.count + 33) { storage in
            var output = IDBytes(storage: storage)
            for byte in prefix.utf8 { output.append(byte) }
            output.append(UInt8(ascii: "_"))
            body(&output)
            return String(decoding: UnsafeBufferPointer(rebasing: storage[..<output.count]), as: UTF8.self)
        }
    }

    /// `count` bytes from the system's cryptographically secure generator.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { SystemRandom.fill($0) }
        return bytes
    }

    /// A new secret token with a readable prefix, e.g. `trough_pt_…`, carrying `bytes` random bytes.
    public static func secret(prefix: String, bytes: Int = 32) -> String {
        prefix + base32(randomBytes(bytes))
    }

    /// Lower-case Crockford base32 without padding.
    public static func base32(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 8 + 4) / 5)
        appendBase32(of: bytes) { output.append($0) }
        return String(decoding: output, as: UTF8.self)
    }

    private static func appendBase32(of bytes: some Sequence<UInt8>, _ emit: (UInt8) -> Void) {
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                emit(alphabet[Int((buffer >> UInt32(bits)) & 31)])
            }
        }
        if bits > 0 {
            emit(alphabet[Int((buffer << UInt32(5 - bits)) & 31)])
        }
    }

    /// Random bytes for ids, read from the system generator 4 KiB at a time (ids are made per request).
    private static let randomPool = Mutex(RandomPool())

    /// Lower-case hex SHA-256 of a secret: how tokens and session ids are stored and looked up.
    public static func sha256Hex(_ secret: String) -> String {
        hex(SHA256.hash(data: Data(secret.utf8)))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lower-case hex of bytes.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(64)
        for byte in bytes {
            output.append(hexDigits[Int(byte >> 4)])
            output.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// A buffer of bytes from the system's generator, handed out once each.
struct RandomPool: ~Copyable {
    private var bytes = [UInt8](repeating: 0, count: 4096)
    private var next = 4096

    /// Hands `count` fresh bytes to `body` (they are not handed out again).
    mutating func take<Result>(_ count: Int, _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        precondition(count <= bytes.count)
        if next + count > bytes.count {
            bytes.withUnsafeMutableBytes { SystemRandom.fill($0) }
            next = 0
        }
        defer { next += count }
        return bytes.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[next..<next + count])) }
    }
}

/// The system's cryptographically secure generator, a whole buffer per call: `/dev/urandom` read through a descriptor
/// kept open (the standard library's generator asks the kernel for eight bytes at a time), with the standard
/// library's generator as the fallback when the device cannot be read.
enum SystemRandom {
    private static let urandom: Int32 = open("/dev/urandom", O_RDONLY | O_CLOEXEC)

    static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        guard !buffer.isEmpty else { return }
        var filled = 0
        while urandom >= 0, filled < buffer.count {
            let count = read(urandom, buffer.baseAddress! + filled, buffer.count - filled)
            if count > 0 {
                filled += count
            } else if count < 0, errno == EINTR {
                continue
            } else {
                break
            }
        }
        guard filled < buffer.count else { return }
        var generator = SystemRandomNumberGenerator()
        for index in filled..<buffer.count { buffer[index] = generator.next() }
    }
}

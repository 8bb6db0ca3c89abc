#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Which upstream base URLs customers may use. On the hosted service a customer-chosen URL must not reach
/// Trough's own network: loopback, private, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT,
/// multicast and other special-purpose addresses are refused, unless the operator allows private upstreams.
public struct UpstreamPolicy: Sendable {
    /// `TROUGH_ALLOW_PRIVATE_UPSTREAMS=true`: for self-hosting next to the upstreams, and for tests.
    public var allowPrivateAddresses: Bool

    public init(allowPrivateAddresses: Bool) {
        self.allowPrivateAddresses = allowPrivateAddresses
    }

    /// Checks the shape of a base URL: http or https, a host, no credentials, query or fragment.
    /// Returns the URL without a trailing slash.
    public func validate(baseURL text: String) throws(UpstreamPolicyError) -> String {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              ["http", "https"].contains(scheme), let host = components.host, !host.isEmpty
        else { throw UpstreamPolicyError("base_url must be an http:// or https:// URL with a host") }
        guard components.user == nil, components.password == nil else {
            throw UpstreamPolicyError("base_url must not carry credentials; store the key in api_key")
        }
        guard components.query == nil, components.fragment == nil else {
            throw UpstreamPolicyError("base_url must not have a query or fragment")
        }
        if let literal = IPAddress(host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))) {
            try check(literal, host: host)
        } else if !allowPrivateAddresses, Self.isInternalName(host) {
            throw UpstreamPolicyError("base_url host \(host) is an internal name")
        }
        var normalized = text
        while normalized.hasSuffix("/") { normalized.removeLast() }
        return normalized
    }

    /// Refuses an address the policy does not allow.
    public func check(_ address: IPAddress, host: String) throws(UpstreamPolicyError) {
        guard allowPrivateAddresses || address.isPublic else {
            throw UpstreamPolicyError("base_url host \(host) resolves to \(address), a loopback, private, link-local or reserved address")
        }
    }

    static func isInternalName(_ host: String) -> Bool {
        let lower = host.lowercased()
        return lower == "localhost" || lower.hasSuffix(".localhost") || lower.hasSuffix(".internal") || lower.hasSuffix(".local")
            || lower == "metadata.google.internal"
    }
}

/// Why an upstream is refused.
public struct UpstreamPolicyError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// An IPv4 or IPv6 address, classified for the upstream policy.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    public init?(_ text: String) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
        } else {
            return nil
        }
    }

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    public var description: String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }.joined(separator: ":")
    }

    /// Whether the address is globally routable: not loopback, private, link-local, CGNAT, multicast, or reserved.
    public var isPublic: Bool {
        if bytes.count == 4 { return Self.isPublicV4(bytes) }
        // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible forms are judged as IPv4.
        if bytes[0..<10].allSatisfy({ $0 == 0 }), (bytes[10] == 0xff && bytes[11] == 0xff) || (bytes[10] == 0 && bytes[11] == 0) {
            return Self.isPublicV4(Array(bytes[12..<16]))
        }
        if bytes[0] == 0x20, bytes[1] == 0x01, bytes[2] == 0x0d, bytes[3] == 0xb8 { return false } // 2001:db8::/32 documentation
        if bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xff && bytes[3] == 0x9b { return false } // 64:ff9b::/96 NAT64
        if bytes[0] & 0xfe == 0xfc { return false }     // fc00::/7 unique local
        if bytes[0] == 0xfe, bytes[1] & 0xc0 == 0x80 { return false } // fe80::/10 link-local
        if bytes[0] == 0xff { return false }             // multicast
        return bytes[0] & 0xe0 == 0x20                   // 2000::/3 global unicast only
    }

    private static func isPublicV4(_ b: [UInt8]) -> Bool {
        switch (b[0], b[1]) {
        case (0, _), (10, _), (127, _): return false                 // this network, private, loopback
        case (100, 64...127): return false                           // carrier-grade NAT
        case (169, 254): return false                                // link-local, cloud metadata
        case (172, 16...31), (192, 168): return false                // private
        case (192, 0) where b[2] == 0 || b[2] == 2: return false     // IETF protocol assignments, TEST-NET-1
        case (198, 18...19): return false                            // benchmarking
        case (198, 51) where b[2] == 100, (203, 0) where b[2] == 113: return false // TEST-NET-2, -3
        case (224...255, _): return false                            // multicast, reserved, broadcast
        default: return true
        }
    }
}

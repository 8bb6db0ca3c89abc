import HTTPTypes
import NIOHTTP1
import TroughCore

/// Which headers cross the proxy, in each direction. Names compare without regard to ASCII case, on the
/// headers as received (no lower-cased copies per header).
enum ProxyHeaders {
    /// Hop-by-hop headers (RFC 9110 §7.6.1) and the ones the HTTP client sets itself.
    static let hopByHop = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
        "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length",
    ]

    /// Headers that carry a provider credential.
    static let credentialNames = ["authorization", "x-api-key", "x-goog-api-key"]

    /// The headers to send upstream: the client's, minus hop-by-hop ones and Trough's own (`X-Project-Token`,
    /// `X-Trough-*`, a project token given as the credential); with the stored key added the way the provider
    /// expects when the client sent no credential of its own. Responses are asked for uncompressed so usage can be read.
    static func upstream(from headers: HTTPHeaders, kind: ProviderKind, storedKey: () throws -> String?) rethrows -> HTTPHeaders {
        var result = HTTPHeaders()
        result.reserveCapacity(headers.count + 2)
        try forEachUpstream(from: headers, kind: kind, storedKey: storedKey) { result.add(name: $0, value: $1) }
        return result
    }

    /// `upstream(from:kind:storedKey:)`'s headers, one by one (the event-loop path writes them as bytes).
    static func forEachUpstream(from headers: HTTPHeaders, kind: ProviderKind, storedKey: () throws -> String?,
                                _ body: (_ name: String, _ value: String) -> Void) rethrows {
        let options = connectionOptions(headers)
        var hasCredential = false
        for (name, value) in headers {
            if isHopByHop(name, connectionOptions: options) || isOneOf(name, ownByLength) || name.hasPrefixIgnoringASCIICase("x-trough-") {
                continue
            }
            if isOneOf(name, credentialNamesByLength) {
                if ProjectCredential.isProjectToken(value) { continue }
                hasCredential = true
            }
            body(name, value)
        }
        body("Accept-Encoding", "identity")
        // The stored key is the one value here that no HTTP parser has seen (keys are checked to be one line when
        // saved; a control character would still break the request's framing, so such a key is not sent).
        if !hasCredential, let key = try storedKey(), isFieldValue(key) {
            switch kind {
            case .anthropic: body("x-api-key", key)
            case .gemini: body("x-goog-api-key", key)
            default: body("Authorization", "Bearer " + key)
            }
        }
    }

    /// Whether `value` can be sent as a header value as it is: no control character but horizontal tab.
    static func isFieldValue(_ value: String) -> Bool {
        !value.utf8.contains { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }
    }

    /// `upstream(from:kind:storedKey:)` for a request as Hummingbird gives it.
    static func upstream(from fields: HTTPFields, kind: ProviderKind, storedKey: () throws -> String?) rethrows -> HTTPHeaders {
        try upstream(from: HTTPHeaders(fields.map { ($0.name.rawName, $0.value) }), kind: kind, storedKey: storedKey)
    }

    /// The upstream's response headers for the client, minus hop-by-hop ones (and its length, which Trough sets),
    /// `Date` and `Server`.
    static func downstream(from headers: HTTPHeaders) -> HTTPHeaders {
        let options = connectionOptions(headers)
        var result = HTTPHeaders()
        result.reserveCapacity(headers.count + 4)
        for (name, value) in headers {
            guard !isHopByHop(name, connectionOptions: options), !isOneOf(name, answerOnlyByLength) else { continue }
            result.add(name: name, value: value)
        }
        return result
    }

    /// `downstream(from:)` as the fields of a Hummingbird response (names HTTP does not allow are dropped).
    static func downstreamFields(from headers: HTTPHeaders) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in downstream(from: headers) {
            guard let fieldName = HTTPField.Name(name) else { continue }
            fields.append(HTTPField(name: fieldName, value: value))
        }
        return fields
    }

    /// Whether a header stays behind: hop-by-hop, or named by the message's `Connection` header.
    static func isHopByHop(_ name: String, connectionOptions: Set<String>) -> Bool {
        isOneOf(name, hopByHopByLength) || (!connectionOptions.isEmpty && connectionOptions.contains(name.asciiLowercased()))
    }

    /// Whether `name` is one of the names in `byLength` (names grouped by their length), ignoring ASCII case: most
    /// header names have no candidate of their length, so most checks compare nothing.
    static func isOneOf(_ name: String, _ byLength: [[String]]) -> Bool {
        let length = name.utf8.count
        return length < byLength.count && byLength[length].contains(where: name.equalsIgnoringASCIICase)
    }

    static func groupedByLength(_ names: [String]) -> [[String]] {
        var groups = [[String]](repeating: [], count: (names.map(\.utf8.count).max() ?? 0) + 1)
        for name in names { groups[name.utf8.count].append(name) }
        return groups
    }

    private static let hopByHopByLength = groupedByLength(hopByHop)
    private static let credentialNamesByLength = groupedByLength(credentialNames)
    /// Request headers that stay behind besides hop-by-hop ones: Trough's token, and the client's encodings
    /// (usage is read from uncompressed answers).
    private static let ownByLength = groupedByLength(["x-project-token", "accept-encoding"])
    private static let answerOnlyByLength = groupedByLength(["date", "server"])

    /// The header names the `Connection` headers list (RFC 9110 §7.6.1), lower-cased. The usual `keep-alive` or
    /// `close` names no header beyond the hop-by-hop ones already removed, so it costs nothing.
    static func connectionOptions(_ headers: HTTPHeaders) -> Set<String> {
        var options: Set<String> = []
        for (name, value) in headers where name.utf8.count == 10 && name.equalsIgnoringASCIICase("connection") {
            if value.equalsIgnoringASCIICase("keep-alive") || value.equalsIgnoringASCIICase("close") { continue }
            for option in value.split(separator: ",") { options.insert(option.trimmingSpacesAndTabs.asciiLowercased()) }
        }
        return options
    }
}

/// Where the proxy finds a project token: `X-Project-Token`, or as the credential the SDK sends
/// (`Authorization: Bearer trough_pt_…`, `x-api-key`, `x-goog-api-key`) when the service stores the provider key.
enum ProjectCredential {
    static let prefix = "trough_pt_"

    static func isProjectToken(_ value: String) -> Bool {
        value.hasPrefix(prefix) || value.hasPrefix("Bearer " + prefix) || value.hasPrefix("bearer " + prefix)
    }

    static func find(in fields: HTTPFields) -> String? {
        find(projectToken: fields[.projectToken], credentials: [fields[.authorization], fields[.xAPIKey], fields[.xGoogAPIKey]])
    }

    /// The token from `X-Project-Token`, else from the first credential header (`Authorization`, `x-api-key`,
    /// `x-goog-api-key`, in that order) that holds a project token.
    static func find(projectToken: String?, credentials: [String?]) -> String? {
        if let projectToken, !projectToken.isEmpty { return projectToken.trimmingSpacesAndTabs }
        for case let value? in credentials {
            let token = value.hasPrefix("Bearer ") || value.hasPrefix("bearer ") ? String(value.dropFirst(7)) : value
            if token.hasPrefix(prefix) { return token.trimmingSpacesAndTabs }
        }
        return nil
    }
}

extension HTTPField.Name {
    static let projectToken = HTTPField.Name("X-Project-Token")!
    static let xAPIKey = HTTPField.Name("x-api-key")!
    static let xGoogAPIKey = HTTPField.Name("x-goog-api-key")!
    static let troughTags = HTTPField.Name("X-Trough-Tags")!
    static let troughOverhead = HTTPField.Name("X-Trough-Overhead-Ms")!
    static let troughCost = HTTPField.Name("X-Trough-Cost-Usd")!
    static let troughBudgetRemaining = HTTPField.Name("X-Trough-Budget-Remaining-Usd")!
}

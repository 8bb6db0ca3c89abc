import HTTPTypes
import NIOHTTP1
import TroughCore

/// Which headers cross the proxy, in each direction.
enum ProxyHeaders {
    /// Hop-by-hop headers (RFC 9110 §7.6.1) and the ones the HTTP client sets itself.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
        "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length",
    ]

    /// The headers to send upstream: the client's, minus hop-by-hop ones and Trough's own (`X-Project-Token`,
    /// `X-Trough-*`, a project token given as the credential); with the stored key added the way the provider
    /// expects when the client sent no credential of its own. Responses are asked for uncompressed so usage can be read.
    static func upstream(from fields: HTTPFields, kind: ProviderKind, storedKey: () throws -> String?) rethrows -> HTTPHeaders {
        let connectionTokens = connectionOptions(fields[values: .connection])
        var headers = HTTPHeaders()
        var hasCredential = false
        for field in fields {
            let name = field.name.canonicalName
            if hopByHop.contains(name) || connectionTokens.contains(name) || name == "x-project-token" || name.hasPrefix("x-trough-")
                || name == "accept-encoding" {
                continue
            }
            if ["authorization", "x-api-key", "x-goog-api-key"].contains(name) {
                if ProjectCredential.isProjectToken(field.value) { continue }
                hasCredential = true
            }
            headers.add(name: field.name.rawName, value: field.value)
        }
        headers.add(name: "Accept-Encoding", value: "identity")
        if !hasCredential, let key = try storedKey() {
            switch kind {
            case .anthropic: headers.add(name: "x-api-key", value: key)
            case .gemini: headers.add(name: "x-goog-api-key", value: key)
            default: headers.add(name: "Authorization", value: "Bearer " + key)
            }
        }
        return headers
    }

    /// The upstream's response headers for the client, minus hop-by-hop ones (and its length, which Trough sets).
    static func downstream(from headers: HTTPHeaders) -> HTTPFields {
        let connectionTokens = connectionOptions(headers["connection"])
        var fields = HTTPFields()
        fields.reserveCapacity(headers.count + 4)
        for (name, value) in headers {
            guard let fieldName = HTTPField.Name(name) else { continue }
            let lower = fieldName.canonicalName
            guard !hopByHop.contains(lower), !connectionTokens.contains(lower), lower != "date", lower != "server" else { continue }
            fields.append(HTTPField(name: fieldName, value: value))
        }
        return fields
    }

    private static func isPlainConnectionValue(_ value: String) -> Bool {
        value.utf8.count <= 10 && (value.hasPrefixIgnoringASCIICase("keep-alive") && value.utf8.count == 10
            || value.hasPrefixIgnoringASCIICase("close") && value.utf8.count == 5)
    }

    /// The header names a `Connection` header lists (RFC 9110 §7.6.1), lower-cased.
    static func connectionOptions(_ values: [String]) -> Set<String> {
        // The usual `keep-alive` or `close` names no header beyond the hop-by-hop ones already removed.
        guard !values.allSatisfy({ isPlainConnectionValue($0) }) else { return [] }
        return Set(values.flatMap { $0.split(separator: ",") }.map { $0.trimmingSpacesAndTabs.asciiLowercased() })
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
        if let token = fields[.projectToken], !token.isEmpty { return token.trimmingSpacesAndTabs }
        for name in [HTTPField.Name.authorization, .xAPIKey, .xGoogAPIKey] {
            guard let value = fields[name] else { continue }
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

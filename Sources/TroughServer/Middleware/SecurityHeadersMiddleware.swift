import HTTPTypes
import Hummingbird

/// Security headers on every page and API answer: a strict CSP (self only, no inline script),
/// no framing, no MIME sniffing, and no referrer leaking tokens in URLs.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = TroughRequestContext

    static let contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        // Proxied answers come back as the upstream sent them.
        if ProxyPaths.isProxied(request.uri.path) { return response }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xFrameOptions] = "DENY"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "same-origin"
        return response
    }
}

extension HTTPField.Name {
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}

/// The paths the proxy owns.
enum ProxyPaths {
    static func isProxied(_ path: String) -> Bool {
        path.hasPrefix("/proxy/") || path.hasPrefix("/v1/") || path == "/v1"
    }
}

/// Serves `web/` for GET and HEAD of page paths only, so API and proxy requests never touch the file system.
struct StaticFilesMiddleware: RouterMiddleware {
    typealias Context = TroughRequestContext
    let files: FileMiddleware<TroughRequestContext, LocalFileSystem>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard request.method == .get || request.method == .head, !ProxyPaths.isProxied(path), !path.hasPrefix("/api/") else {
            return try await next(request, context)
        }
        return try await files.handle(request, context: context, next: next)
    }
}

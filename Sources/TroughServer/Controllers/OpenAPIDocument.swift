import Foundation
import Hummingbird
import NIOCore

/// `GET /api/openapi.json`: the OpenAPI 3.1 description of the management and reporting API
/// (`web/openapi.json`), public like the pages.
struct OpenAPIDocument {
    let document: ByteBuffer?

    init(webDirectory: String) {
        document = (try? Data(contentsOf: URL(fileURLWithPath: webDirectory).appendingPathComponent("openapi.json"))).map { ByteBuffer(data: $0) }
    }

    func addRoutes(to router: Router<TroughRequestContext>) {
        router.get("/api/openapi.json") { _, _ in
            guard let document else { throw APIError.notFound("the API description is not installed") }
            return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-cache"], body: .init(byteBuffer: document))
        }
    }
}

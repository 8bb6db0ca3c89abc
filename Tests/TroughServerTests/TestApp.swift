import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SQLKit
import Synchronization
import TroughCore
@testable import TroughServer
import TroughStore
import TroughTestSupport

/// The real application on a fresh database of one driver, driven over real HTTP on loopback.
struct TestApp {
    let client: any TestClientProtocol
    let database: Database
    let store: SQLStore
    /// The settings the app runs with (its database URL, master key…), for starting `trough` processes beside it.
    let environment: [String: String]
    /// The clock limits count months by; tests move it.
    let clock: TroughClock

    static let adminKey = "operator-key-0123456789-0123456789-abcdef"

    /// Builds the app on a fresh database and runs `body` with a live HTTP client.
    static func with(_ driver: TestDriver, environment extra: [String: String] = [:], _ body: @escaping @Sendable (TestApp) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("trough-app-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var environment = [
            "TROUGH_DATA_DIR": directory.path,
            "TROUGH_MASTER_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
            "TROUGH_ADMIN_KEY": adminKey,
            "TROUGH_PORT": "0",
            "TROUGH_ALLOW_PRIVATE_UPSTREAMS": "true",
            // Many tests run at once against one PostgreSQL server: keep each app's pool small.
            "TROUGH_DATABASE_POOL_SIZE": "2",
        ]
        // `TROUGH_TEST_PROXY_PATH=router` (ops/test.sh's second pass) runs the proxy tests on the router's path.
        if ProcessInfo.processInfo.environment["TROUGH_TEST_PROXY_PATH"] == "router" {
            environment["TROUGH_PROXY_EVENT_LOOP"] = "false"
        }
        environment.merge(extra) { _, new in new }
        var drop: (@Sendable () async -> Void)?
        switch driver {
        case .sqlite:
            environment["TROUGH_DATABASE_URL"] = "sqlite://" + directory.appendingPathComponent("trough.sqlite").path
        case .postgres:
            let (url, dropDatabase) = try await PostgresTestServer.createDatabase()
            environment["TROUGH_DATABASE_URL"] = url
            drop = dropDatabase
        }
        let settings = environment
        let configuration = try TroughConfiguration.fromEnvironment(settings)
        let app = try await buildApplication(configuration: configuration, options: ServeOptions(migrate: true), logger: TestDatabase.logger)
        // A second connection to the same database lets tests look at (and age) what the server stored.
        let database = try Database.open(configuration.database, connectionsPerEventLoop: 1, logger: TestDatabase.logger)
        let store = SQLStore(database: database, location: configuration.database, migrations: try TestDatabase.migrations(for: configuration.database.dialect))
        // A failing test body is caught inside and rethrown after the server has shut down gracefully: a throw
        // inside `test(.live)` would cancel the running server mid-request instead, which only hides the failure.
        let failure = FirstError()
        do {
            try await app.test(.live) { client in
                do {
                    try await body(TestApp(client: client, database: database, store: store, environment: settings, clock: configuration.clock))
                } catch {
                    failure.record(error)
                }
            }
            try failure.rethrow()
        } catch {
            await database.close()
            await drop?()
            throw error
        }
        await database.close()
        await drop?()
    }
}

extension TestApp {
    /// A real HTTP client with many connections per host, for requests that must reach the server at the same
    /// time (the live test client sends everything down one connection, one request after another).
    static let concurrentClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// Sends one request to the app with `concurrentClient` (30 s deadline); returns status, headers and body.
    func send(_ method: HTTPRequest.Method, _ path: String, headers: [String: String], body: String?) async throws -> (status: Int, headers: HTTPFields, body: String) {
        guard let port = client.port else { throw TestSetupError(description: "the live server has no port") }
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)" + path)
        request.method = .init(rawValue: method.rawValue)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await Self.concurrentClient.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        var fields = HTTPFields()
        for (name, value) in response.headers {
            if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        return (Int(response.status.code), fields, String(buffer: bytes))
    }

    /// Moves a tenant to a plan through the operator endpoint.
    static func setPlan(_ plan: String, tenantID: String, app: TestApp) async throws {
        let operatorUser = APIUser(app: app)
        operatorUser.bearer = adminKey
        let response = try await operatorUser.send(.patch, "/api/admin/tenants/\(tenantID)", ["plan": plan])
        guard response.status == 200 else { throw TestSetupError(description: "plan change failed: \(response.body)") }
    }

    /// Waits (up to 10 s) until the event writer has stored `count` events of the project, and returns them.
    func events(projectID: String, tenantID: String, count: Int) async throws -> [RequestEvent] {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let events = try await store.events(projectID: projectID, tenantID: tenantID, from: Timestamp(milliseconds: 0), to: Timestamp.now().adding(seconds: 60), limit: 1000, logger: TestDatabase.logger)
            if events.count >= count || ContinuousClock.now > deadline { return events }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// An HTTP answer with its JSON body parsed.
struct APIResponse: Sendable {
    let status: Int
    let headers: HTTPFields
    let body: String

    var json: [String: any Sendable] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: any Sendable] ?? [:]
    }

    /// `error.type` of a JSON error.
    var errorType: String? {
        (json["error"] as? [String: Any])?["type"] as? String
    }

    func string(_ key: String) -> String? { json[key] as? String }

    func list(_ key: String) -> [[String: Any]] { json[key] as? [[String: Any]] ?? [] }
}

/// A browser-like or script-like caller: keeps the session cookie and CSRF token, or sends an API key.
final class APIUser: @unchecked Sendable {
    let app: TestApp
    var cookie: String?
    var csrf: String?
    var bearer: String?
    var userID: String = ""
    var tenantID: String = ""
    var email: String = ""

    init(app: TestApp) {
        self.app = app
    }

    /// Signs up a new user with their own tenant.
    static func signUp(_ app: TestApp, email: String = "user-\(UUID().uuidString.prefix(8))@example.com", password: String = "a long enough secret", tenant: String = "Acme") async throws -> APIUser {
        let user = APIUser(app: app)
        let response = try await user.send(.post, "/api/auth/signup", ["email": email, "password": password, "tenant_name": tenant])
        guard response.status == 201 else { throw TestSetupError(description: "sign-up failed: \(response.status) \(response.body)") }
        user.email = email
        user.userID = ((response.json["user"] as? [String: Any])?["id"] as? String) ?? ""
        user.tenantID = ((response.json["tenants"] as? [[String: Any]])?.first?["id"] as? String) ?? ""
        return user
    }

    @discardableResult
    func send(_ method: HTTPRequest.Method, _ path: String, _ body: [String: Any]? = nil, csrf sendCSRF: Bool = true, headers extra: HTTPFields = [:]) async throws -> APIResponse {
        var headers = extra
        if let cookie { headers[.cookie] = cookie }
        if let bearer { headers[.authorization] = "Bearer " + bearer }
        if sendCSRF, let csrf, method != .get { headers[HTTPField.Name("X-CSRF-Token")!] = csrf }
        var buffer: ByteBuffer?
        if let body {
            headers[.contentType] = "application/json"
            buffer = ByteBuffer(data: try JSONSerialization.data(withJSONObject: body))
        }
        let response = try await app.client.execute(uri: path, method: method, headers: headers, body: buffer)
        let result = APIResponse(status: Int(response.status.code), headers: response.headers, body: String(buffer: response.body))
        for setCookie in response.headers[values: .setCookie] where setCookie.hasPrefix(AuthSettings.sessionCookie + "=") {
            let value = setCookie.split(separator: ";")[0]
            cookie = value.hasSuffix("=") ? nil : String(value)
        }
        if let token = result.string("csrf_token") { csrf = token }
        return result
    }
}

/// Holds the error a concurrent piece of a test threw, to rethrow it later.
final class FirstError: Sendable {
    private let error = Mutex<(any Error)?>(nil)

    func record(_ error: any Error) {
        self.error.withLock { if $0 == nil { $0 = error } }
    }

    func rethrow() throws {
        if let error = error.withLock({ $0 }) { throw error }
    }
}

import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import TroughTestSupport

/// `trough serve` as a user runs it: the real executable, real HTTP over loopback.

extension ServerSuites {
    @Suite("trough serve", .serialized)
    struct ServeProcessTests {
        static func temporaryDirectory() throws -> URL {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("trough-serve-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return directory
        }

        static func get(_ url: String) async throws -> (status: Int, body: String, headers: [String: String]) {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            let headers = Dictionary(response.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
            return (Int(response.status.code), String(buffer: body), headers)
        }

        @Test("on the SQLite default it creates its data folder, migrates, and answers /healthz and /readyz")
        func servesOnSQLiteDefault() async throws {
            let directory = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let server = try ServerProcess(environment: [:], directory: directory)
            defer { server.stop() }
            try await server.waitUntilListening()

            let health = try await Self.get(server.baseURL + "/healthz")
            #expect(health.status == 200)
            #expect(health.body == #"{"status":"ok"}"#)
            #expect(health.headers["x-request-id"]?.hasPrefix("req_") == true)

            let ready = try await Self.get(server.baseURL + "/readyz")
            #expect(ready.status == 200)
            #expect(ready.body == #"{"status":"ready"}"#)

            let dataDirectory = directory.appendingPathComponent("trough-data")
            #expect(FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("trough.sqlite").path))
            let keyPath = dataDirectory.appendingPathComponent("master.key").path
            let attributes = try FileManager.default.attributesOfItem(atPath: keyPath)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            #expect(server.log.contains("Generated a master key"))

            // The database file is removed under the running server: no longer ready, still alive.
            try FileManager.default.removeItem(at: dataDirectory.appendingPathComponent("trough.sqlite"))
            let gone = try await Self.get(server.baseURL + "/readyz")
            #expect(gone.status == 503)
            #expect(gone.body.contains(#""type":"not_ready""#))
            #expect(try await Self.get(server.baseURL + "/healthz").status == 200)
        }

        @Test("the master key is generated once and kept across restarts")
        func masterKeyIsStable() async throws {
            let directory = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let keyPath = directory.appendingPathComponent("trough-data/master.key").path
            let first = try ServerProcess(environment: [:], directory: directory)
            try await first.waitUntilListening()
            first.signal(SIGTERM)
            #expect(try await first.waitForExit() == 0)
            let key = try String(contentsOfFile: keyPath, encoding: .utf8)

            let second = try ServerProcess(environment: [:], directory: directory)
            defer { second.stop() }
            try await second.waitUntilListening()
            #expect(try String(contentsOfFile: keyPath, encoding: .utf8) == key)
            #expect(!second.log.contains("Generated a master key"))
        }

        @Test("a malformed or missing setting stops start-up with exit code 2 and one line naming it", arguments: [
            (["TROUGH_PORT": "eighty"], "TROUGH_PORT: expected an integer"),
            (["TROUGH_DATABASE_URL": "mysql://x"], "TROUGH_DATABASE_URL: expected"),
            (["TROUGH_MASTER_KEY": "c2hvcnQ="], "TROUGH_MASTER_KEY: expected base64 of exactly 32"),
            (["TROUGH_DATABASE_URL": "postgres://u@127.0.0.1:1/db"], "TROUGH_MASTER_KEY: expected required with PostgreSQL"),
            (["TROUGH_LOG_LEVEL": "loud"], "TROUGH_LOG_LEVEL: expected one of"),
            (["TROUGH_PUBLIC_URL": "ftp://x"], "TROUGH_PUBLIC_URL: expected"),
        ])
        func badSettingExitsTwo(environment: [String: String], message: String) async throws {
            let directory = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let server = try ServerProcess(environment: environment, directory: directory)
            #expect(try await server.waitForExit() == 2)
            let lines = server.log.split(separator: "\n")
            #expect(lines.count == 1)
            #expect(lines.first?.hasPrefix("trough: " + message) == true, "got: \(server.log)")
        }

        @Test("on PostgreSQL a schema that is behind is refused in one line, and --migrate brings it current")
        func postgresSchemaBehind() async throws {
            let (url, drop) = try await PostgresTestServer.createDatabase()
            let directory = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let environment = ["TROUGH_DATABASE_URL": url, "TROUGH_MASTER_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="]

            let refused = try ServerProcess(environment: environment, directory: directory)
            #expect(try await refused.waitForExit() == 1)
            #expect(refused.log.contains("schema is behind by \(try TestDatabase.migrations(for: .postgres).count) migration(s)"))
            #expect(refused.log.contains("trough serve --migrate"))

            let status = try ServerProcess(arguments: ["migrate", "--status"], environment: environment, directory: directory)
            #expect(try await status.waitForExit() == 0)
            #expect(status.log.contains("pending  0001_initial_schema"))

            let server = try ServerProcess(arguments: ["serve", "--migrate"], environment: environment, directory: directory)
            try await server.waitUntilListening()
            #expect(try await Self.get(server.baseURL + "/readyz").status == 200)

            // The database is dropped under the running server: /readyz answers 503 within its timeout.
            await drop()
            let gone = try await Self.get(server.baseURL + "/readyz")
            #expect(gone.status == 503)
            #expect(try await Self.get(server.baseURL + "/healthz").status == 200)
            server.signal(SIGTERM)
            #expect(try await server.waitForExit() == 0)
        }
    }
}


extension ServerSuites {
    @Suite("Graceful shutdown", .serialized)
    struct GracefulShutdownTests {
        @Test("SIGTERM lets an in-flight request finish, then the process exits 0")
        func sigtermDrainsInFlightRequest() async throws {
            let directory = try ServeProcessTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let server = try ServerProcess(environment: [:], directory: directory)
            defer { server.stop() }
            try await server.waitUntilListening()

            // A login whose body is still uploading when SIGTERM arrives.
            let body = Data(#"{"email":"someone@example.com","password":"not the password"}"#.utf8)
            let (chunks, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
            var request = HTTPClientRequest(url: server.baseURL + "/api/auth/login")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .stream(chunks, length: .known(Int64(body.count)))
            let inFlight = Task {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                let text = try await response.body.collect(upTo: 1 << 16)
                return (Int(response.status.code), String(buffer: text))
            }
            continuation.yield(ByteBuffer(data: body.prefix(10)))
            try await Task.sleep(for: .milliseconds(300))

            server.signal(SIGTERM)
            try await Task.sleep(for: .milliseconds(500))
            #expect(server.process.isRunning, "the server must wait for the request in flight")

            continuation.yield(ByteBuffer(data: body.dropFirst(10)))
            continuation.finish()
            let (status, text) = try await inFlight.value
            #expect(status == 401)
            #expect(text.contains(#""type":"unauthorized""#))
            #expect(try await server.waitForExit() == 0)
        }
    }
}

extension ServerSuites {
    @Suite("trough admin")
    struct AdminCommandTests {
        @Test("prices import stores a LiteLLM file into the shared table; a missing file fails in one line")
        func importPrices() async throws {
            let directory = try ServeProcessTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let file = directory.appendingPathComponent("litellm.json")
            try Data(#"{"my-model":{"litellm_provider":"openai","mode":"chat","input_cost_per_token":1e-06,"output_cost_per_token":2e-06}}"#.utf8).write(to: file)
            // The first start creates and migrates the SQLite default; then the import goes into it.
            let first = try ServerProcess(environment: [:], directory: directory)
            try await first.waitUntilListening()
            first.signal(SIGTERM)
            #expect(try await first.waitForExit() == 0)

            let importer = try ServerProcess(arguments: ["admin", "prices", "import", file.path, "--effective-at", "2026-01-01T00:00:00Z"], environment: [:], directory: directory)
            #expect(try await importer.waitForExit() == 0)
            #expect(importer.log.contains("imported 1 prices"), "\(importer.log)")

            let missing = try ServerProcess(arguments: ["admin", "prices", "import", "/nonexistent.json"], environment: [:], directory: directory)
            #expect(try await missing.waitForExit() != 0)
            #expect(missing.log.contains("cannot read /nonexistent.json"))
        }
    }
}

extension ServerSuites {
    @Suite("trough admin plans")
    struct AdminPlanTests {
        @Test("plans list shows the seeded plans; plans set changes a limit, and the API sees it at once")
        func plans() async throws {
            let directory = try ServeProcessTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let server = try ServerProcess(environment: [:], directory: directory)
            defer { server.stop() }
            try await server.waitUntilListening()

            let list = try ServerProcess(arguments: ["admin", "plans", "list"], environment: [:], directory: directory)
            #expect(try await list.waitForExit() == 0)
            let lines = list.log.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
            #expect(lines.contains("free $0.00 10000 1 7 days"), "\(list.log)")
            #expect(lines.contains("pro $2.99 unlimited (fair use 5000000) unlimited 90 days"), "\(list.log)")

            let set = try ServerProcess(arguments: ["admin", "plans", "set", "free", "--monthly-requests", "50", "--services", "2", "--history-days", "3"], environment: [:], directory: directory)
            #expect(try await set.waitForExit() == 0)
            #expect(set.log.contains("free: 50 requests/month, 2 services, 3 days of history"), "\(set.log)")
            let bad = try ServerProcess(arguments: ["admin", "plans", "set", "gold", "--services", "2"], environment: [:], directory: directory)
            #expect(try await bad.waitForExit() != 0)
            #expect(bad.log.contains("no plan 'gold'"))

            // The running server reads plans per request: a new sign-up sees the new limits.
            var request = HTTPClientRequest(url: server.baseURL + "/api/auth/signup")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: #"{"email":"plan@example.com","password":"a long enough secret","tenant_name":"P"}"#))
            let signup = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let body = try JSONSerialization.jsonObject(with: Data(buffer: try await signup.body.collect(upTo: 1 << 20))) as? [String: Any]
            let tenant = try #require((body?["tenants"] as? [[String: Any]])?.first?["id"] as? String)
            let cookie = try #require(signup.headers["set-cookie"].first?.split(separator: ";").first.map(String.init))
            var planRequest = HTTPClientRequest(url: server.baseURL + "/api/tenants/\(tenant)/plan")
            planRequest.headers.add(name: "Cookie", value: cookie)
            let plan = try JSONSerialization.jsonObject(with: Data(buffer: try await HTTPClient.shared.execute(planRequest, timeout: .seconds(10)).body.collect(upTo: 1 << 20))) as? [String: Any]
            #expect(plan?["request_limit"] as? Int == 50)
            #expect(plan?["services_allowed"] as? Int == 2)
        }
    }
}

import Foundation
import HTTPTypes
import Testing
import TroughCore
import TroughTestSupport

/// An https upstream: a Python TLS server with a certificate made for the test (`Tests/TLSCheck`).
final class TLSUpstream: Sendable {
    let process: Process
    let port: Int
    let certificate: String

    private init(process: Process, port: Int, certificate: String) {
        self.process = process
        self.port = port
        self.certificate = certificate
    }

    /// Makes a self-signed certificate for localhost in `directory` and starts the server with it.
    static func start(in directory: URL) async throws -> TLSUpstream {
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "2",
                             "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else { throw TestSetupError(description: "openssl could not make a certificate") }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: PythonCheck.python ?? "/usr/bin/python3")
        process.arguments = [TestDatabase.repositoryRoot.appendingPathComponent("Tests/TLSCheck/tls_upstream.py").path, certificate, key]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = try await Task.detached { () throws -> String in
            var bytes = Data()
            while !bytes.contains(0x0A) {
                let chunk = output.fileHandleForReading.availableData
                guard !chunk.isEmpty else { throw TestSetupError(description: "the TLS upstream exited before listening") }
                bytes.append(chunk)
            }
            return String(decoding: bytes, as: UTF8.self)
        }.value
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            throw TestSetupError(description: "the TLS upstream printed \(line)")
        }
        return TLSUpstream(process: process, port: port, certificate: certificate)
    }

    /// Kills it (by pid: the test process ignores SIGTERM while a service group runs, and children inherit that).
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

extension ServerSuites.ProxyTests {
    static func chatBody(streamed: Bool) -> String {
        #"{"model":"gpt-4o","stream":\#(streamed),"messages":[{"role":"user","content":"Hi"}]}"#
    }

    @Test("https upstreams: TLS with the server name sent and the certificate checked (TROUGH_UPSTREAM_CA_FILE), streamed and not, priced; an untrusted certificate is a 502")
    func httpsUpstream() async throws {
        let directory = try ServerSuites.ServeProcessTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let secure = try await TLSUpstream.start(in: directory)
        defer { secure.stop() }
        let upstream = try await MockUpstream.start()

        try await TestApp.with(.sqlite, environment: ["TROUGH_UPSTREAM_CA_FILE": secure.certificate]) { app in
            let setup = try await ProxySetup.make(app, upstream: upstream)
            try await setup.addService(app, name: "secure", kind: "openai", baseURL: "https://localhost:\(secure.port)/v1", apiKey: "sk-tls-key-0000")
            for streamed in [false, false, true, true] {
                let response = try await Self.call(app, .post, "/proxy/secure/chat/completions", token: setup.token, body: Self.chatBody(streamed: streamed))
                #expect(response.status == 200, "\(response.body)")
                #expect(response.headers[HTTPField.Name("X-Seen-SNI")!] == "localhost")
                #expect(response.headers[HTTPField.Name("X-Seen-Authorization")!] == "Bearer sk-tls-key-0000")
                if streamed {
                    #expect(response.body.contains("data: [DONE]"))
                    #expect(!response.body.contains(#""usage""#), "the usage chunk Trough asked for is removed")
                } else {
                    // 10 input × $2.50/M + 5 output × $10/M = $0.000075
                    #expect(response.headers[HTTPField.Name("X-Trough-Cost-Usd")!] == "0.000075")
                }
            }
            let events = try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 4)
            #expect(events.count == 4)
            #expect(events.allSatisfy { $0.cost.nanos == 75_000 && $0.costSource == .usage && $0.status == 200 })
            #expect(events.filter(\.streamed).count == 2)
        }

        // Without the test's authority the certificate is not trusted: nothing is sent, 502, recorded.
        // (AsyncHTTPClient, on the router's path, retries a failed handshake until its connect timeout.)
        try await TestApp.with(.sqlite, environment: ["TROUGH_UPSTREAM_CONNECT_TIMEOUT_MS": "1500"]) { app in
            let setup = try await ProxySetup.make(app, upstream: upstream)
            try await setup.addService(app, name: "secure", kind: "openai", baseURL: "https://localhost:\(secure.port)/v1", apiKey: "sk-tls-key-0000")
            let response = try await Self.call(app, .post, "/proxy/secure/chat/completions", token: setup.token, body: Self.chatBody(streamed: false))
            #expect(response.status == 502)
            #expect(response.body.contains(#""type":"upstream_unavailable""#))
            let events = try await app.events(projectID: setup.projectID, tenantID: setup.owner.tenantID, count: 1)
            #expect(events.first?.errorType == "upstream_unavailable")
        }
        await upstream.stop()
    }
}

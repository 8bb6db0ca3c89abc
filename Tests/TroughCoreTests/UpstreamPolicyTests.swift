import Testing
import TroughCore

@Suite("Upstream policy")
struct UpstreamPolicyTests {
    @Test("internal addresses are not public", arguments: [
        "127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.0.10", "169.254.169.254", "100.64.0.1",
        "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::", "198.18.0.1",
    ])
    func internalAddresses(text: String) throws {
        #expect(try #require(IPAddress(text)).isPublic == false)
    }

    @Test("public addresses are", arguments: ["8.8.8.8", "104.18.6.192", "172.32.0.1", "2606:4700::6810:7b8", "::ffff:8.8.8.8"])
    func publicAddresses(text: String) throws {
        #expect(try #require(IPAddress(text)).isPublic)
    }

    @Test("base URLs: only http(s) with a host, no credentials; internal literals refused unless allowed")
    func baseURLs() throws {
        let strict = UpstreamPolicy(allowPrivateAddresses: false)
        #expect(try strict.validate(baseURL: "https://api.openai.com/v1/") == "https://api.openai.com/v1")
        for bad in ["ftp://x.com", "https://", "http://u:p@x.com", "http://127.0.0.1:8080", "http://[::1]/", "http://localhost:11434", "http://x.com/?a=1", "not a url"] {
            #expect(throws: UpstreamPolicyError.self) { try strict.validate(baseURL: bad) }
        }
        let open = UpstreamPolicy(allowPrivateAddresses: true)
        #expect(try open.validate(baseURL: "http://127.0.0.1:11434") == "http://127.0.0.1:11434")
    }
}

import Testing
import TroughCore

@Suite("Secret box")
struct SecretBoxTests {
    let key = MasterKey(base64: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")!
    let binding = SecretBinding(tenantID: "ten_a", projectID: "prj_a", serviceID: "svc_a")

    @Test("seals and opens; the ciphertext does not contain the secret")
    func roundTrip() throws {
        let box = SecretBox(keys: [key])
        let sealed = try box.seal("sk-live-secret", binding: binding)
        #expect(sealed.keyVersion == 1)
        #expect(!sealed.ciphertext.contains("sk-live"))
        #expect(try box.open(sealed, binding: binding) == "sk-live-secret")
        #expect(try box.seal("sk-live-secret", binding: binding) != sealed, "a fresh nonce every time")
    }

    @Test("a ciphertext moved to another row, or altered, does not open")
    func bindingIsEnforced() throws {
        let box = SecretBox(keys: [key])
        let sealed = try box.seal("sk-live-secret", binding: binding)
        for other in [
            SecretBinding(tenantID: "ten_b", projectID: "prj_a", serviceID: "svc_a"),
            SecretBinding(tenantID: "ten_a", projectID: "prj_b", serviceID: "svc_a"),
            SecretBinding(tenantID: "ten_a", projectID: "prj_a", serviceID: "svc_b"),
        ] {
            #expect(throws: SecretBoxError.openFailed) { try box.open(sealed, binding: other) }
        }
        var tampered = sealed
        tampered.ciphertext = String(sealed.ciphertext.dropLast(4)) + "AAA="
        #expect(throws: SecretBoxError.openFailed) { try box.open(tampered, binding: binding) }
    }

    @Test("old secrets open with their key version after a new key is added")
    func rotation() throws {
        let old = SecretBox(keys: [key])
        let sealed = try old.seal("sk-old", binding: binding)
        let newKey = MasterKey(base64: MasterKey.generateBase64(), version: 2)!
        let rotated = SecretBox(keys: [key, newKey])
        #expect(try rotated.open(sealed, binding: binding) == "sk-old")
        #expect(try rotated.seal("sk-new", binding: binding).keyVersion == 2)
        #expect(throws: SecretBoxError.unknownKeyVersion(2)) { try old.open(try rotated.seal("x", binding: binding), binding: binding) }
    }
}

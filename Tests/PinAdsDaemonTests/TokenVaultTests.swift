import Foundation
import Testing

@testable import PinAdsDaemon

@Suite("Token vault")
struct TokenVaultTests {
    private func folder() throws -> String {
        let path = NSTemporaryDirectory() + "pinads-vault-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func sealsAndOpensBoundToItsContext() throws {
        let directory = try folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let vault = try TokenVault.open(stateDirectory: directory, environment: [:])
        let secret = "pina_AMAZING_SECRET_TOKEN_\(UUID().uuidString)"
        let sealed = try vault.seal(secret, context: "connection 1 access")
        #expect(!sealed.contains(secret))
        #expect(try vault.open(sealed, context: "connection 1 access") == secret)
        #expect(try vault.seal(secret, context: "c") != vault.seal(secret, context: "c"), "a fresh nonce each time")
        #expect(throws: VaultError.authenticationFailed) { try vault.open(sealed, context: "connection 2 access") }

        var bytes = Array(Data(base64Encoded: sealed) ?? Data())
        bytes[bytes.count / 2] ^= 1
        #expect(throws: VaultError.authenticationFailed) {
            try vault.open(Data(bytes).base64EncodedString(), context: "connection 1 access")
        }
        #expect(throws: VaultError.sealedValueMalformed) { try vault.open("not sealed", context: "x") }
    }

    @Test func keyFileIsOwnerOnlyAndReused() throws {
        let directory = try folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try TokenVault.open(stateDirectory: directory, environment: [:])
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/pinads.key")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let sealed = try first.seal("s", context: "c")
        let second = try TokenVault.open(stateDirectory: directory, environment: [:])
        #expect(try second.open(sealed, context: "c") == "s", "the key survives a restart")

        chmod(directory + "/pinads.key", 0o644)
        #expect(throws: VaultError.self) { try TokenVault.open(stateDirectory: directory, environment: [:]) }
    }

    @Test func systemdCredentialsWin() throws {
        let state = try folder(), credentials = try folder()
        defer {
            try? FileManager.default.removeItem(atPath: state)
            try? FileManager.default.removeItem(atPath: credentials)
        }
        let key = Data((0..<32).map { UInt8($0) })
        _ = FileManager.default.createFile(atPath: credentials + "/pinads.key", contents: key)
        let vault = try TokenVault.open(stateDirectory: state, environment: ["CREDENTIALS_DIRECTORY": credentials])
        let known = try TokenVault(key: Array(key))
        #expect(try known.open(vault.seal("x", context: "c"), context: "c") == "x")
        #expect(!FileManager.default.fileExists(atPath: state + "/pinads.key"), "no key is made when systemd gives one")
    }

    @Test func fingerprintsAreShortAndStable() {
        #expect(TokenVault.fingerprint("abc") == "sha256:ba7816bf")
        #expect(TokenVault.fingerprint("abc") != TokenVault.fingerprint("abd"))
    }
}

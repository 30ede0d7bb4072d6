#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PinAdsStore
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

    @Test func anEmptyKeyLeftByACrashIsMadeAgainButAShortOneIsRefused() throws {
        let directory = try folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A start killed between creating the key file and writing it.
        let path = directory + "/pinads.key"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(), attributes: [.posixPermissions: 0o600]))
        let vault = try TokenVault.open(stateDirectory: directory, environment: [:])
        let sealed = try vault.seal("s", context: "c")
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue == 32)
        #expect(try TokenVault.open(stateDirectory: directory, environment: [:]).open(sealed, context: "c") == "s")
        // A key with some bytes is not a crash's leftover: it is refused, not replaced.
        try Data(repeating: 1, count: 16).write(to: URL(fileURLWithPath: path))
        #expect(throws: VaultError.self) { try TokenVault.open(stateDirectory: directory, environment: [:]).seal("s", context: "c") }
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

    /// Root may mount a small tmpfs to fill up (a container may refuse even root).
    static let canMountTmpfs: Bool = {
        guard getuid() == 0 else { return false }
        let path = NSTemporaryDirectory() + "pinads-vault-probe-\(UUID().uuidString)"
        guard (try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)) != nil else { return false }
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard mount("tmpfs", path, "tmpfs", 0, "size=64k") == 0 else { return false }
        umount2(path, Int32(MNT_DETACH))
        return true
    }()

    /// On a full state directory without a key yet, the vault opens all the same; sealing says
    /// the directory is full (so a request answers UNAVAILABLE) until there is room, then the
    /// key is made (0600) and kept.
    @Test(.enabled(if: canMountTmpfs, "needs root and the right to mount a tmpfs (CAP_SYS_ADMIN)"))
    func aKeyThatFindsNoRoomIsMadeOnceThereIs() throws {
        let directory = try folder()
        guard mount("tmpfs", directory, "tmpfs", 0, "size=256k,mode=0700") == 0 else { throw VaultTestFailure("mount: errno \(errno)") }
        defer {
            umount2(directory, Int32(MNT_DETACH))
            try? FileManager.default.removeItem(atPath: directory)
        }
        let filler = directory + "/filler"
        let fd = open(filler, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        let block = [UInt8](repeating: 1, count: 4096)
        while block.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == block.count {}
        close(fd)

        let vault = try TokenVault.open(stateDirectory: directory, environment: [:])
        #expect(!vault.hasKey)
        #expect(!FileManager.default.fileExists(atPath: directory + "/pinads.key"), "no empty or partial key is left behind")
        #expect(throws: StoreUnavailable.self) { try vault.seal("s", context: "c") }
        #expect(throws: VaultError.authenticationFailed) { try vault.open("AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", context: "c") }

        try FileManager.default.removeItem(atPath: filler)
        let sealed = try vault.seal("s", context: "c")
        #expect(vault.hasKey)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/pinads.key")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try TokenVault.open(stateDirectory: directory, environment: [:]).open(sealed, context: "c") == "s", "the key was kept")
    }

    @Test func fingerprintsAreShortAndStable() {
        #expect(TokenVault.fingerprint("abc") == "sha256:ba7816bf")
        #expect(TokenVault.fingerprint("abc") != TokenVault.fingerprint("abd"))
    }
}

struct VaultTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

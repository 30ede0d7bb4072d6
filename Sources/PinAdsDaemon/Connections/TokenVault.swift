import COpenSSL
import Foundation
import NIOConcurrencyHelpers
import PinAdsStore

/// Why a secret could not be sealed or opened.
public enum VaultError: Error, CustomStringConvertible, Equatable {
    case keyUnreadable(path: String, reason: String)
    case keyWrongSize(path: String, bytes: Int)
    /// The key file in the state directory breaks its rules (owner, mode, a symlink).
    case unsafeKeyFile(StateDirectoryError)
    case sealedValueMalformed
    /// The value was not sealed with this key and context, or was altered.
    case authenticationFailed
    case openSSL(String)

    public var description: String {
        switch self {
        case .keyUnreadable(let path, let reason): return "cannot read the secrets key \(path): \(reason)"
        case .keyWrongSize(let path, let bytes): return "the secrets key \(path) holds \(bytes) bytes, not 32"
        case .unsafeKeyFile(let error): return error.description
        case .sealedValueMalformed: return "a sealed secret in the store is malformed"
        case .authenticationFailed: return "a sealed secret does not open with this key (was the key file replaced?)"
        case .openSSL(let what): return "OpenSSL: \(what)"
        }
    }
}

/// Seals secrets (tokens, app secrets) for the store with AES-256-GCM, so the database file never
/// holds one in the clear. Each value is bound to a context ("user:777 access") as
/// additional authenticated data, so a sealed value moved to another row does not open.
///
/// The key is 32 random bytes in `pinads.key`: from `$CREDENTIALS_DIRECTORY` when systemd
/// provides one (LoadCredential=), read as systemd gives it; else in the state directory, held to
/// its rules (the daemon's own, 0600, no symlink) and created there with `O_EXCL` on first use.
/// When the state directory is full, a key that does not exist yet is made when the first secret
/// is sealed; until then sealing answers that the directory is full.
public struct TokenVault: Sendable {
    private static let version: UInt8 = 1
    private static let nonceLength = 12
    private static let tagLength = 16

    private enum KeyState {
        case ready([UInt8])
        /// Not written yet (the disk was full): made on first use.
        case pending(path: String)
    }

    private let state: NIOLockedValueBox<KeyState>

    public init(key: [UInt8]) throws {
        guard key.count == 32 else { throw VaultError.keyWrongSize(path: "(memory)", bytes: key.count) }
        state = NIOLockedValueBox(.ready(key))
    }

    private init(pendingKeyAt path: String) {
        state = NIOLockedValueBox(.pending(path: path))
    }

    /// Whether the key exists (false while it waits for space in the state directory).
    public var hasKey: Bool {
        state.withLockedValue { if case .ready = $0 { return true } else { return false } }
    }

    /// Loads the key, creating it in the state directory when there is none yet.
    public static func open(stateDirectory: String, environment: [String: String]) throws -> TokenVault {
        if let credentials = environment["CREDENTIALS_DIRECTORY"], !credentials.isEmpty {
            let path = credentials + "/pinads.key"
            if FileManager.default.fileExists(atPath: path) { return try TokenVault(key: readCredential(path)) }
        }
        let path = stateDirectory + "/" + StateFile.key.name
        switch try loadOrCreate(path) {
        case .some(let key): return try TokenVault(key: key)
        case .none: return TokenVault(pendingKeyAt: path)
        }
    }

    /// The key, made now if it waited for space.
    private func currentKey() throws -> [UInt8] {
        try state.withLockedValue { state in
            switch state {
            case .ready(let key):
                return key
            case .pending(let path):
                guard let key = try Self.loadOrCreate(path) else {
                    throw StoreUnavailable(
                        .full, directory: (path as NSString).deletingLastPathComponent, underlying: "no space for the secrets key \(path)")
                }
                state = .ready(key)
                return key
            }
        }
    }

    /// The key in `path`, created (O_EXCL, 0600) when missing; nil when it is missing and the
    /// disk has no room for it.
    private static func loadOrCreate(_ path: String) throws -> [UInt8]? {
        do {
            if let key = try readKey(path) { return key }
        } catch VaultError.keyWrongSize(_, let bytes) where bytes == 0 {
            // A start that died between creating the key and writing it: nothing was sealed
            // with a key that was never written (sealing waits for its fsync), so it is made again.
            unlink(path)
        }
        var key = [UInt8](repeating: 0, count: 32)
        guard RAND_bytes(&key, 32) == 1 else { throw VaultError.openSSL("RAND_bytes failed") }
        let fd: Int32
        do {
            guard let opened = try StateDirectory.open(path: path, file: .key, access: O_WRONLY, create: true) else { return nil }
            fd = opened
        } catch StateDirectoryError.cannotCreate(_, let code) where code == ENOSPC || code == EDQUOT {
            return nil
        } catch {
            throw VaultError.unsafeKeyFile(error)
        }
        var info = stat()
        if fstat(fd, &info) == 0, info.st_size > 0 {
            // Another start made it first (O_EXCL said so): use that one.
            close(fd)
            return try readKey(path)
        }
        let written = key.withUnsafeBytes { write(fd, $0.baseAddress, 32) }
        // A short write to a regular file: no room for the rest.
        var failure: Int32 = written < 0 ? errno : written < 32 ? ENOSPC : 0
        if failure == 0, fsync(fd) != 0 { failure = errno }
        close(fd)
        guard failure == 0 else {
            // No key is better than a partial one: the next try starts afresh.
            unlink(path)
            if failure == ENOSPC || failure == EDQUOT { return nil }
            throw VaultError.keyUnreadable(path: path, reason: "could not write the new key: \(String(cString: strerror(failure)))")
        }
        return key
    }

    /// The key in the state directory, held to its rules; nil when there is none.
    private static func readKey(_ path: String) throws -> [UInt8]? {
        let opened: Int32?
        do {
            opened = try StateDirectory.open(path: path, file: .key, access: O_RDONLY, create: false)
        } catch {
            throw VaultError.unsafeKeyFile(error)
        }
        guard let fd = opened else { return nil }
        defer { close(fd) }
        var key = [UInt8](repeating: 0, count: 33)
        let count = key.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count >= 0 else { throw VaultError.keyUnreadable(path: path, reason: String(cString: strerror(errno))) }
        guard count == 32 else { throw VaultError.keyWrongSize(path: path, bytes: count) }
        return Array(key.prefix(32))
    }

    /// A key from systemd's credentials folder, as systemd gives it (its owner and mode are
    /// systemd's business).
    private static func readCredential(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw VaultError.keyUnreadable(path: path, reason: "unreadable")
        }
        guard data.count == 32 else { throw VaultError.keyWrongSize(path: path, bytes: data.count) }
        return Array(data)
    }

    /// `version ‖ nonce ‖ ciphertext ‖ tag`, base64: text for a TEXT column.
    public func seal(_ secret: String, context: String) throws -> String {
        var nonce = [UInt8](repeating: 0, count: Self.nonceLength)
        guard RAND_bytes(&nonce, Int32(Self.nonceLength)) == 1 else { throw VaultError.openSSL("RAND_bytes failed") }
        let (ciphertext, tag) = try crypt(key: currentKey(), encrypt: true, input: Array(secret.utf8), nonce: nonce, aad: Array(context.utf8), tag: nil)
        return Data([Self.version] + nonce + ciphertext + tag).base64EncodedString()
    }

    public func open(_ sealed: String, context: String) throws -> String {
        guard let data = Data(base64Encoded: sealed), data.count >= 1 + Self.nonceLength + Self.tagLength,
            data.first == Self.version
        else { throw VaultError.sealedValueMalformed }
        let bytes = Array(data)
        let nonce = Array(bytes[1...Self.nonceLength])
        let ciphertext = Array(bytes[(1 + Self.nonceLength)..<(bytes.count - Self.tagLength)])
        let tag = Array(bytes[(bytes.count - Self.tagLength)...])
        guard hasKey else { throw VaultError.authenticationFailed }
        let (plaintext, _) = try crypt(key: currentKey(), encrypt: false, input: ciphertext, nonce: nonce, aad: Array(context.utf8), tag: tag)
        return String(decoding: plaintext, as: UTF8.self)
    }

    /// A short, stable, non-reversible name for a secret, for status output: `sha256:1a2b3c4d`.
    public static func fingerprint(_ secret: String) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let bytes = Array(secret.utf8)
        _ = EVP_Digest(bytes, bytes.count, &digest, &length, EVP_sha256(), nil)
        return "sha256:" + digest.prefix(4).map { String(format: "%02x", $0) }.joined()
    }

    private func crypt(key: [UInt8], encrypt: Bool, input: [UInt8], nonce: [UInt8], aad: [UInt8], tag: [UInt8]?) throws -> ([UInt8], [UInt8]) {
        guard let context = EVP_CIPHER_CTX_new() else { throw VaultError.openSSL("EVP_CIPHER_CTX_new failed") }
        defer { EVP_CIPHER_CTX_free(context) }
        let cipher = EVP_aes_256_gcm()
        let initialised =
            encrypt
            ? EVP_EncryptInit_ex(context, cipher, nil, nil, nil) : EVP_DecryptInit_ex(context, cipher, nil, nil, nil)
        guard initialised == 1,
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_IVLEN, Int32(nonce.count), nil) == 1
        else { throw VaultError.openSSL("cipher setup failed") }
        let keyed =
            encrypt ? EVP_EncryptInit_ex(context, nil, nil, key, nonce) : EVP_DecryptInit_ex(context, nil, nil, key, nonce)
        guard keyed == 1 else { throw VaultError.openSSL("key setup failed") }
        var length: Int32 = 0
        if !aad.isEmpty {
            let ok =
                encrypt
                ? EVP_EncryptUpdate(context, nil, &length, aad, Int32(aad.count))
                : EVP_DecryptUpdate(context, nil, &length, aad, Int32(aad.count))
            guard ok == 1 else { throw VaultError.openSSL("AAD failed") }
        }
        var output = [UInt8](repeating: 0, count: input.count + 16)
        var produced: Int32 = 0
        if !input.isEmpty {
            let ok =
                encrypt
                ? EVP_EncryptUpdate(context, &output, &produced, input, Int32(input.count))
                : EVP_DecryptUpdate(context, &output, &produced, input, Int32(input.count))
            guard ok == 1 else { throw VaultError.openSSL("update failed") }
        }
        if encrypt {
            var final: Int32 = 0
            let ok = output.withUnsafeMutableBufferPointer { buffer in
                EVP_EncryptFinal_ex(context, buffer.baseAddress.map { $0 + Int(produced) }, &final)
            }
            guard ok == 1 else { throw VaultError.openSSL("final failed") }
            var newTag = [UInt8](repeating: 0, count: Self.tagLength)
            guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(Self.tagLength), &newTag) == 1 else {
                throw VaultError.openSSL("get tag failed")
            }
            return (Array(output.prefix(Int(produced + final))), newTag)
        } else {
            guard var expected = tag else { throw VaultError.sealedValueMalformed }
            guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(expected.count), &expected) == 1 else {
                throw VaultError.openSSL("set tag failed")
            }
            var final: Int32 = 0
            let ok = output.withUnsafeMutableBufferPointer { buffer in
                EVP_DecryptFinal_ex(context, buffer.baseAddress.map { $0 + Int(produced) }, &final)
            }
            guard ok == 1 else { throw VaultError.authenticationFailed }
            return (Array(output.prefix(Int(produced + final))), [])
        }
    }
}

import COpenSSL
import Foundation

/// Why a secret could not be sealed or opened.
public enum VaultError: Error, CustomStringConvertible, Equatable {
    case keyUnreadable(path: String, reason: String)
    case keyWrongSize(path: String, bytes: Int)
    case keyTooOpen(path: String, mode: Int)
    case sealedValueMalformed
    /// The value was not sealed with this key and context, or was altered.
    case authenticationFailed
    case openSSL(String)

    public var description: String {
        switch self {
        case .keyUnreadable(let path, let reason): return "cannot read the secrets key \(path): \(reason)"
        case .keyWrongSize(let path, let bytes): return "the secrets key \(path) holds \(bytes) bytes, not 32"
        case .keyTooOpen(let path, let mode):
            return "the secrets key \(path) has mode \(String(mode, radix: 8)); it must be readable by its owner only (chmod 600)"
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
/// provides one (LoadCredential=), else in the state directory, created 0600 on first use.
public struct TokenVault: Sendable {
    private static let version: UInt8 = 1
    private static let nonceLength = 12
    private static let tagLength = 16

    private let key: [UInt8]

    public init(key: [UInt8]) throws {
        guard key.count == 32 else { throw VaultError.keyWrongSize(path: "(memory)", bytes: key.count) }
        self.key = key
    }

    /// Loads the key, creating it in the state directory when there is none yet.
    public static func open(stateDirectory: String, environment: [String: String]) throws -> TokenVault {
        if let credentials = environment["CREDENTIALS_DIRECTORY"], !credentials.isEmpty {
            let path = credentials + "/pinads.key"
            if FileManager.default.fileExists(atPath: path) { return try TokenVault(key: readKey(path, checkMode: false)) }
        }
        let path = stateDirectory + "/pinads.key"
        if !FileManager.default.fileExists(atPath: path) {
            try createKey(path)
        }
        return try TokenVault(key: readKey(path, checkMode: true))
    }

    private static func createKey(_ path: String) throws {
        var key = [UInt8](repeating: 0, count: 32)
        guard RAND_bytes(&key, 32) == 1 else { throw VaultError.openSSL("RAND_bytes failed") }
        // O_EXCL: two starts racing cannot both write a key.
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 {
            if errno == EEXIST { return }
            throw VaultError.keyUnreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        let written = key.withUnsafeBytes { write(fd, $0.baseAddress, 32) }
        guard written == 32, fsync(fd) == 0 else {
            unlink(path)
            throw VaultError.keyUnreadable(path: path, reason: "could not write the new key")
        }
    }

    private static func readKey(_ path: String, checkMode: Bool) throws -> [UInt8] {
        var info = stat()
        guard stat(path, &info) == 0 else { throw VaultError.keyUnreadable(path: path, reason: String(cString: strerror(errno))) }
        if checkMode, info.st_mode & 0o077 != 0 { throw VaultError.keyTooOpen(path: path, mode: Int(info.st_mode & 0o777)) }
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
        let (ciphertext, tag) = try crypt(encrypt: true, input: Array(secret.utf8), nonce: nonce, aad: Array(context.utf8), tag: nil)
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
        let (plaintext, _) = try crypt(encrypt: false, input: ciphertext, nonce: nonce, aad: Array(context.utf8), tag: tag)
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

    private func crypt(encrypt: Bool, input: [UInt8], nonce: [UInt8], aad: [UInt8], tag: [UInt8]?) throws -> ([UInt8], [UInt8]) {
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

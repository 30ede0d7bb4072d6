import COpenSSL
import PinAdsStore

/// SHA-256 through OpenSSL, to lowercase hex. The digest is fetched once and the context reused,
/// which is several times faster than one-shot hashing of many short strings (emails, device
/// ids, phone numbers). Not thread-safe: one per task.
public final class SHA256Hasher {
    private let digest: OpaquePointer?
    private let context: OpaquePointer?
    private var output = [UInt8](repeating: 0, count: 32)
    private static let hexDigits = Array("0123456789abcdef".utf8)

    public init() {
        digest = EVP_MD_fetch(nil, "SHA256", nil)
        context = EVP_MD_CTX_new()
    }

    deinit {
        EVP_MD_CTX_free(context)
        EVP_MD_free(digest)
    }

    /// The SHA-256 of the UTF-8 bytes of `text`, as 64 lowercase hex digits.
    public func hex(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in hex(bytes) }
    }

    /// The SHA-256 of `bytes` as a stored member hash.
    public func digest(_ bytes: UnsafeBufferPointer<UInt8>) -> MemberHash {
        compute(bytes)
        return output.withUnsafeBytes { MemberHash(bytes: $0) } ?? MemberHash(w0: 0, w1: 0, w2: 0, w3: 0)
    }

    private func compute(_ bytes: UnsafeBufferPointer<UInt8>) {
        var length: UInt32 = 0
        let ok = output.withUnsafeMutableBufferPointer { out -> Bool in
            EVP_DigestInit_ex(context, digest, nil) == 1
                && EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) == 1
                && EVP_DigestFinal_ex(context, out.baseAddress, &length) == 1
        }
        precondition(ok && length == 32, "OpenSSL SHA-256 failed")
    }

    public func hex(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        compute(bytes)
        return String(unsafeUninitializedCapacity: 64) { buffer in
            for (i, byte) in output.enumerated() {
                buffer[2 * i] = Self.hexDigits[Int(byte >> 4)]
                buffer[2 * i + 1] = Self.hexDigits[Int(byte & 0x0f)]
            }
            return 64
        }
    }
}

import PinAdsStore

/// What kind of identifiers an audience holds (Pinterest's customer list `list_type`).
public enum MemberKind: String, Sendable, CaseIterable {
    case email = "EMAIL", maid = "MAID", idfa = "IDFA"
}

/// Why a member value was refused; said per index to the caller.
public enum MemberRejection: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case tooLong(Int)
    case notAnEmail
    case notADeviceID

    public var description: String {
        switch self {
        case .empty: return "empty"
        case .tooLong(let bytes): return "too long (\(bytes) bytes of UTF-8; at most 254)"
        case .notAnEmail: return "not an email address"
        case .notADeviceID: return "not a device id (expected a GAID or IDFA like 38400000-8cf0-11bd-b23e-10b96e40000d)"
        }
    }
}

/// Turns what a business sends (plain emails or device ids, or values it already hashed) into
/// what is stored and sent to Pinterest: SHA-256 as 64 lowercase hex digits. Emails are trimmed
/// and lowercased first, device ids lowercased (Pinterest's rules, NOTES §3.1 and §8.3). The raw
/// value goes no further than this call.
public struct MemberNormalizer {
    public let kind: MemberKind
    private let hasher = SHA256Hasher()
    private let scratch = Scratch()

    /// A reused buffer for the lowercased bytes of the ASCII path.
    private final class Scratch {
        var bytes = [UInt8](repeating: 0, count: 256)
    }

    public init(kind: MemberKind) { self.kind = kind }

    /// The hashed member as 64 lowercase hex digits, or why it is refused.
    public func hash(_ raw: String) -> Result<String, MemberRejection> {
        digest(raw).map(\.hex)
    }

    /// The hashed member as stored, or why it is refused.
    public func digest(_ raw: String) -> Result<MemberHash, MemberRejection> {
        var raw = raw
        if let fast = raw.withUTF8({ asciiHash($0) }) { return fast }
        return unicodeHash(raw)
    }

    /// Members are nearly always ASCII: trimmed, checked and lowercased on bytes, hashed from a
    /// reused buffer. Nil when a byte is not ASCII (the general path handles it).
    private func asciiHash(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<MemberHash, MemberRejection>? {
        func isSpace(_ byte: UInt8) -> Bool { byte == 32 || (byte >= 9 && byte <= 13) }
        var start = 0, end = bytes.count
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        let count = end - start
        guard count > 0 else { return .failure(.empty) }
        var ascii = true
        for i in start..<end where bytes[i] >= 128 { ascii = false }
        guard ascii else { return nil }
        guard count <= 254 else { return .failure(.tooLong(count)) }
        return scratch.bytes.withUnsafeMutableBufferPointer { buffer -> Result<MemberHash, MemberRejection> in
            var hexDigits = 0
            for i in 0..<count {
                var byte = bytes[start + i]
                if byte >= 65 && byte <= 90 { byte += 32 }
                buffer[i] = byte
                if (byte >= 48 && byte <= 57) || (byte >= 97 && byte <= 102) { hexDigits += 1 }
            }
            let lowered = UnsafeBufferPointer(rebasing: buffer[0..<count])
            if count == 64 && hexDigits == 64, let hash = MemberHash(hex: String(decoding: lowered, as: UTF8.self)) { return .success(hash) }
            switch kind {
            case .email:
                guard Self.looksLikeEmail(lowered) else { return .failure(.notAnEmail) }
            case .maid, .idfa:
                guard Self.looksLikeDeviceID(Array(lowered)) else { return .failure(.notADeviceID) }
            }
            return .success(hasher.digest(lowered))
        }
    }

    private func unicodeHash(_ raw: String) -> Result<MemberHash, MemberRejection> {
        let trimmed = raw.trimmingWhitespace()
        guard !trimmed.isEmpty else { return .failure(.empty) }
        guard trimmed.utf8.count <= 254 else { return .failure(.tooLong(trimmed.utf8.count)) }
        if Self.isSHA256Hex(trimmed), let hash = MemberHash(hex: trimmed) { return .success(hash) }
        var lowered = trimmed.lowercased()
        switch kind {
        case .email:
            guard Self.looksLikeEmail(Array(lowered.utf8)) else { return .failure(.notAnEmail) }
        case .maid, .idfa:
            guard Self.looksLikeDeviceID(Array(lowered.utf8)) else { return .failure(.notADeviceID) }
        }
        return .success(lowered.withUTF8 { hasher.digest($0) })
    }

    /// Already hashed: exactly 64 hex digits.
    static func isSHA256Hex(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }
    }

    /// One `@`, something before it, a dotted domain after it, no spaces or control characters.
    static func looksLikeEmail(_ text: String) -> Bool { looksLikeEmail(Array(text.utf8)) }

    static func looksLikeEmail<Bytes: RandomAccessCollection>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8, Bytes.Index == Int {
        guard let at = bytes.firstIndex(of: UInt8(ascii: "@")), at > 0, bytes.lastIndex(of: UInt8(ascii: "@")) == at else { return false }
        let domain = bytes[(at + 1)...]
        guard let dot = domain.lastIndex(of: UInt8(ascii: ".")), dot > domain.startIndex, dot < bytes.endIndex - 1 else { return false }
        return bytes.allSatisfy { $0 > 32 && $0 != 127 }
    }

    /// A GAID or IDFA: a UUID (hex with dashes), or 32 bare hex digits.
    static func looksLikeDeviceID(_ text: String) -> Bool { looksLikeDeviceID(Array(text.utf8)) }

    static func looksLikeDeviceID(_ bytes: [UInt8]) -> Bool {
        let hex = bytes.filter { $0 != UInt8(ascii: "-") }
        return (bytes.count == 36 || bytes.count == 32) && hex.count == 32
            && hex.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and line breaks (no Foundation needed).
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}

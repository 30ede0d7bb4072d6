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

    public init(kind: MemberKind) { self.kind = kind }

    /// The hashed member, or why it is refused.
    public func hash(_ raw: String) -> Result<String, MemberRejection> {
        let trimmed = raw.trimmingWhitespace()
        guard !trimmed.isEmpty else { return .failure(.empty) }
        guard trimmed.utf8.count <= 254 else { return .failure(.tooLong(trimmed.utf8.count)) }
        if Self.isSHA256Hex(trimmed) { return .success(trimmed.lowercased()) }
        let lowered = trimmed.lowercased()
        switch kind {
        case .email:
            guard Self.looksLikeEmail(lowered) else { return .failure(.notAnEmail) }
        case .maid, .idfa:
            guard Self.looksLikeDeviceID(lowered) else { return .failure(.notADeviceID) }
        }
        return .success(hasher.hex(lowered))
    }

    /// Already hashed: exactly 64 hex digits.
    static func isSHA256Hex(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }
    }

    /// One `@`, something before it, a dotted domain after it, no spaces or control characters.
    static func looksLikeEmail(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let at = bytes.firstIndex(of: UInt8(ascii: "@")), at > 0, bytes.lastIndex(of: UInt8(ascii: "@")) == at else { return false }
        let domain = bytes[(at + 1)...]
        guard let dot = domain.lastIndex(of: UInt8(ascii: ".")), dot > domain.startIndex, dot < bytes.count - 1 else { return false }
        return bytes.allSatisfy { $0 > 32 && $0 != 127 }
    }

    /// A GAID or IDFA: a UUID (hex with dashes), or 32 bare hex digits.
    static func looksLikeDeviceID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
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

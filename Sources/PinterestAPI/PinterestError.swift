import PinAdsJSON

/// Why a Pinterest call failed. Callers decide what to do from the case, never from the text.
public enum PinterestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 401 or 403: the token is invalid, expired, revoked, or lacks access. Refresh or reconnect.
    case unauthorized(status: Int, code: Int?, message: String, requestID: String?)
    /// 429: wait. `resetAfter` (seconds) comes from `x-ratelimit-reset` when Pinterest sent it.
    case rateLimited(code: Int?, message: String, resetAfter: Double?, limit: Int?, remaining: Int?, requestID: String?)
    /// Any other 4xx: the request itself is wrong; retrying the same request will not help.
    case rejected(status: Int, code: Int?, message: String, requestID: String?, details: JSONValue?)
    /// 5xx, timeouts, connection failures: retry with backoff.
    case transient(reason: String, status: Int?, requestID: String?)
    /// A 200 bulk answer in which some items failed: `(index, exceptions)` per failed item.
    case itemsFailed(operation: String, failures: [ItemFailure])
    /// Refused before sending: the call breaks a rule of the API (e.g. 31 items in a bulk create).
    case invalidRequest(String)
    /// A 2xx answer that is not what the spec describes.
    case malformedResponse(operation: String, reason: String, requestID: String?)

    public struct ItemFailure: Sendable, Equatable {
        public var index: Int
        public var exceptions: [PinterestItemException]
    }

    /// Whether the same call may succeed later without change.
    public var isRetryable: Bool {
        switch self {
        case .transient, .rateLimited: return true
        case .unauthorized, .rejected, .itemsFailed, .invalidRequest, .malformedResponse: return false
        }
    }

    /// Pinterest's own error code, when it answered with one.
    public var pinterestCode: Int? {
        switch self {
        case .unauthorized(_, let code, _, _), .rejected(_, let code, _, _, _), .rateLimited(let code, _, _, _, _, _): return code
        case .transient, .itemsFailed, .invalidRequest, .malformedResponse: return nil
        }
    }

    /// Whether the call certainly had no effect at Pinterest: it answered with a refusal, or the
    /// call was never sent. A timeout, a reset, a 5xx or a garbled answer leave it open.
    public var certainlyNotApplied: Bool {
        switch self {
        case .unauthorized, .rejected, .rateLimited, .invalidRequest: return true
        case .transient, .itemsFailed, .malformedResponse: return false
        }
    }

    /// Pinterest's request id, for support and logs.
    public var requestID: String? {
        switch self {
        case .unauthorized(_, _, _, let rid), .rateLimited(_, _, _, _, _, let rid), .rejected(_, _, _, let rid, _),
            .transient(_, _, let rid), .malformedResponse(_, _, let rid):
            return rid
        case .itemsFailed, .invalidRequest:
            return nil
        }
    }

    public var description: String {
        func suffix(_ code: Int?, _ rid: String?) -> String {
            var parts: [String] = []
            if let code { parts.append("code \(code)") }
            if let rid { parts.append("request id \(rid)") }
            return parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))"
        }
        switch self {
        case .unauthorized(let status, let code, let message, let rid):
            return "Pinterest refused the token (HTTP \(status)): \(message)\(suffix(code, rid))"
        case .rateLimited(let code, let message, let reset, _, _, let rid):
            let wait = reset.map { "; resets in \($0) s" } ?? ""
            return "Pinterest rate limit: \(message)\(wait)\(suffix(code, rid))"
        case .rejected(let status, let code, let message, let rid, _):
            return "Pinterest rejected the request (HTTP \(status)): \(message)\(suffix(code, rid))"
        case .transient(let reason, _, let rid):
            return "Pinterest unavailable: \(reason)\(suffix(nil, rid))"
        case .itemsFailed(let operation, let failures):
            let list = failures.map { "item \($0.index): \($0.exceptions.map(\.description).joined(separator: "; "))" }
            return "\(operation): \(failures.count) item(s) failed: \(list.joined(separator: " | "))"
        case .invalidRequest(let why):
            return "invalid Pinterest request: \(why)"
        case .malformedResponse(let operation, let reason, let rid):
            return "\(operation): unexpected answer from Pinterest: \(reason)\(suffix(nil, rid))"
        }
    }
}

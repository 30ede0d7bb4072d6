import Foundation

/// What Pinterest's redirect brought back after a person approved the app (NOTES §1.1):
/// `<redirect_uri>?code=…&state=…`. Pure: text in, the two values (or why not) out.
///
/// - Important: `code` is a credential (single use, minutes long): it is never printed.
public struct OAuthRedirect: Sendable, Equatable {
    public var code: String
    public var state: String

    public init(code: String, state: String) {
        self.code = code
        self.state = state
    }

    /// Reads a redirect: a whole URL as pasted from the browser's address bar
    /// (`http://127.0.0.1:8085/callback?code=…&state=…`), a request target (`/callback?…`), or
    /// just its query (`code=…&state=…`, with or without `?`). Surrounding spaces and quotes
    /// are dropped; a `#fragment` is ignored.
    public static func parse(_ text: String) throws(OAuthRedirectError) -> OAuthRedirect {
        var text = Substring(text).trimmingSpaces()
        for (open, close) in [("\"", "\""), ("'", "'"), ("<", ">")] where text.count >= 2 && text.hasPrefix(open) && text.hasSuffix(close) {
            text = text.dropFirst().dropLast().trimmingSpaces()
        }
        if let hash = text.firstIndex(of: "#") { text = text[..<hash] }
        let query: Substring
        if let question = text.firstIndex(of: "?") {
            query = text[text.index(after: question)...]
        } else if text.contains("=") && !text.contains("/") {
            query = text
        } else {
            throw .notARedirect
        }
        let parameters = Self.parameters(query)
        if let error = parameters["error"] {
            throw .denied(error: String(error.prefix(100)), description: parameters["error_description"].map { String($0.prefix(300)) })
        }
        guard let code = parameters["code"], !code.isEmpty else { throw .missing("code") }
        guard let state = parameters["state"], !state.isEmpty else { throw .missing("state") }
        return OAuthRedirect(code: code, state: state)
    }

    /// `a=1&b=2` decoded (`+` is a space, `%XX` a byte); the first of a repeated name wins.
    static func parameters(_ query: Substring) -> [String: String] {
        var values: [String: String] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = parts.first.map({ percentDecoded($0) }), !name.isEmpty, values[name] == nil else { continue }
            values[name] = parts.count > 1 ? percentDecoded(parts[1]) : ""
        }
        return values
    }

    static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), utf8.count >= 2, let high = hexValue(utf8[utf8.startIndex]),
                let low = hexValue(utf8[utf8.startIndex + 1])
            {
                bytes.append(high << 4 | low)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// Why a redirect does not give a code to exchange.
public enum OAuthRedirectError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text has no query: not the address Pinterest sent the browser to.
    case notARedirect
    /// Pinterest sent an error instead of a code (the person declined, say).
    case denied(error: String, description: String?)
    /// The redirect lacks `code` or `state`.
    case missing(String)
    /// The redirect's `state` is not the one this connect sent: it answers another request (a
    /// stale tab, or a forged link). Nothing is connected.
    case stateMismatch

    public var description: String {
        switch self {
        case .notARedirect:
            return "that is not the address Pinterest sent the browser to: paste the whole URL, http://127.0.0.1:…/callback?code=…&state=…"
        case .denied(let error, let description):
            return "Pinterest did not authorize the app: \(error)\(description.map { " (\($0))" } ?? "")"
        case .missing(let name):
            return "the redirect has no \(name): paste the whole address the browser landed on"
        case .stateMismatch:
            return "the redirect's state is not the one this connect sent (a stale tab or a forged link?): refused, nothing was connected; run `pinads connect --oauth` again"
        }
    }
}

/// The `state` of one authorization: random, unguessable, checked when the redirect comes back.
public enum OAuthState {
    /// 32 random bytes in hex (the system's cryptographic generator).
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for _ in 0..<32 {
            let byte = UInt8.random(in: .min ... .max, using: &generator)
            text += [digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]]
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Throws `.stateMismatch` unless `received` is `expected`, compared in constant time.
    public static func check(_ received: String, expected: String) throws(OAuthRedirectError) {
        let a = Array(received.utf8), b = Array(expected.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<min(a.count, b.count) { difference |= a[index] ^ b[index] }
        guard difference == 0, !b.isEmpty else { throw .stateMismatch }
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var text = self
        while let first = text.first, first.isWhitespace { text = text.dropFirst() }
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return text
    }
}

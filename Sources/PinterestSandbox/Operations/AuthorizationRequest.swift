import Foundation

/// A valid request of the browser step of OAuth, `GET /oauth/?client_id=…&redirect_uri=…&
/// response_type=code&scope=…&state=…` (the stand-in for www.pinterest.com/oauth/, NOTES §1.1).
///
/// Each of the five parameters is required and may appear once (RFC 6749 §3.1); other
/// parameters (`refreshable`, …) are ignored, as OAuth asks.
struct AuthorizationRequest: Sendable {
    /// The app id.
    var clientID: String
    /// An absolute http or https URL without a fragment, kept exactly as sent.
    var redirectURI: String
    /// Known Pinterest scopes, duplicates dropped, in the order asked.
    var scopes: [String]
    /// Echoed in the redirect.
    var state: String

    init(_ query: QueryParameters, appID: String, registeredRedirectURIs: Set<String>?) throws(AuthorizationError) {
        func single(_ name: String) throws(AuthorizationError) -> String? {
            let values = query.values(name)
            guard values.count <= 1 else {
                throw AuthorizationError(name, "\(name) must be given once, not \(values.count) times.")
            }
            return values.first
        }
        guard let clientID = try single("client_id"), !clientID.isEmpty else {
            throw AuthorizationError("client_id", "client_id is required: the app id.")
        }
        guard clientID == appID else {
            throw AuthorizationError("client_id", "client_id \(clientID.prefix(60)) is not the id of a registered app.", error: "unauthorized_client")
        }
        guard let redirectURI = try single("redirect_uri"), !redirectURI.isEmpty else {
            throw AuthorizationError("redirect_uri", "redirect_uri is required.")
        }
        guard AuthorizationRequest.isAbsoluteHTTPURL(redirectURI) else {
            throw AuthorizationError("redirect_uri", "redirect_uri must be an absolute http or https URL without a fragment.")
        }
        if let registeredRedirectURIs, !registeredRedirectURIs.contains(redirectURI) {
            throw AuthorizationError("redirect_uri", "redirect_uri is not one of the app's registered redirect URIs (exact match).")
        }
        guard let responseType = try single("response_type") else {
            throw AuthorizationError("response_type", "response_type is required and must be code.")
        }
        guard responseType == "code" else {
            throw AuthorizationError(
                "response_type", "response_type must be code, not \(responseType.prefix(40)).", error: "unsupported_response_type")
        }
        let scopes = PinterestScope.split(try single("scope") ?? "")
        guard !scopes.isEmpty else {
            throw AuthorizationError(
                "scope", "scope is required: comma- or space-separated scopes such as ads:read,ads:write,user_accounts:read.",
                error: "invalid_scope")
        }
        if let unknown = scopes.first(where: { !PinterestScope.all.contains($0) }) {
            throw AuthorizationError(
                "scope", "scope \(unknown.prefix(60)) is not a Pinterest scope (\(PinterestScope.all.sorted().joined(separator: ", "))).",
                error: "invalid_scope")
        }
        guard let state = try single("state"), !state.isEmpty else {
            throw AuthorizationError("state", "state is required: an unguessable value the redirect echoes.")
        }
        self.clientID = clientID
        self.redirectURI = redirectURI
        self.scopes = scopes
        self.state = state
    }

    /// `redirect_uri` with `code` and `state` added to its query (`?` or `&` as it needs).
    func location(code: String) -> String {
        let separator =
            !redirectURI.contains("?") ? "?" : (redirectURI.hasSuffix("?") || redirectURI.hasSuffix("&") ? "" : "&")
        return redirectURI + separator + "code=" + AuthorizationRequest.queryEncode(code) + "&state="
            + AuthorizationRequest.queryEncode(state)
    }

    static func isAbsoluteHTTPURL(_ text: String) -> Bool {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else { return false }
        return components.fragment == nil && !text.contains("#")
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters (a space is `%20`).
    static func queryEncode(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                output += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return output
    }
}

/// Why the browser step refuses: a 400 naming the parameter, never a redirect (the sandbox
/// does not send errors to a redirect URI it has not validated, nor to one it has).
struct AuthorizationError: Error, Sendable {
    /// The query parameter at fault.
    var parameter: String
    /// The OAuth 2.0 error code (RFC 6749 §4.1.2.1).
    var error: String
    var message: String

    init(_ parameter: String, _ message: String, error: String = "invalid_request") {
        self.parameter = parameter
        self.error = error
        self.message = message
    }

    /// `400 {"code": 1, "message": "…", "error": "invalid_request", "parameter": "redirect_uri"}`.
    var response: SandboxResponse {
        .json(
            400,
            [
                "code": 1, "message": .string("Invalid parameters: \(message)"), "error": .string(error),
                "parameter": .string(parameter),
            ])
    }
}

import Foundation

/// What the browser step of Pinterest's OAuth asks for (NOTES §1.1): the app, where Pinterest
/// sends the person back, the scopes, and a `state` only the asker knows.
public struct AuthorizationRequest: Sendable, Equatable {
    public var clientID: String
    public var redirectURI: String
    public var scopes: [String]
    /// Random and unguessable: the redirect must bring it back unchanged.
    public var state: String

    public init(clientID: String, redirectURI: String, scopes: [String] = PinterestAuthorization.scopes, state: String) {
        self.clientID = clientID
        self.redirectURI = redirectURI
        self.scopes = scopes
        self.state = state
    }
}

/// Where a person approves the app, and the URL that asks them. Pure: strings in, a URL out.
public enum PinterestAuthorization {
    /// Pinterest's authorize page (the spec's `authorizationUrl`).
    public static let pinterestAuthorizeURL = "https://www.pinterest.com/oauth/"
    /// Everything the daemon does: read and write ads objects, read the token's user.
    public static let scopes = ["ads:read", "ads:write", "user_accounts:read"]

    /// The authorize page that goes with an API base URL: Pinterest's own for
    /// `api.pinterest.com`, else (a sandbox) the base's origin followed by `/oauth/`
    /// (`http://127.0.0.1:8787/v5` → `http://127.0.0.1:8787/oauth/`). Nil for a base that is not
    /// an http(s) URL with a host.
    public static func authorizeBase(forAPIBaseURL base: String) -> String? {
        guard let components = URLComponents(string: base), let scheme = components.scheme?.lowercased(),
            scheme == "https" || scheme == "http", let host = components.host, !host.isEmpty
        else { return nil }
        if host.lowercased() == "api.pinterest.com" { return pinterestAuthorizeURL }
        let port = components.port.map { ":\($0)" } ?? ""
        return "\(scheme)://\(host)\(port)/oauth/"
    }

    /// `base` with `client_id`, `redirect_uri`, `response_type=code`, `scope` (comma-separated)
    /// and `state` as its query, each percent-encoded (a query `base` already has is kept).
    public static func url(base: String, _ request: AuthorizationRequest) -> String {
        let query = [
            ("client_id", request.clientID), ("redirect_uri", request.redirectURI), ("response_type", "code"),
            ("scope", request.scopes.joined(separator: ",")), ("state", request.state),
        ].map { "\(PinterestClient.queryEncode($0.0))=\(PinterestClient.queryEncode($0.1))" }.joined(separator: "&")
        return base + (base.contains("?") ? "&" : "?") + query
    }
}

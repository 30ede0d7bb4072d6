/// `connections.authorize_url`: the URL of Pinterest's page where a person lets the app act for
/// them (OAuth's browser step). Pinterest sends the browser back to `redirect_uri` with `code`
/// and `state`; the code then goes to `connections.connect`. The daemon builds the URL because it
/// knows where Pinterest is (or its sandbox); it calls nothing and stores nothing.
public struct AuthorizeURLRequest: PinAdsRequest {
    public static let method = "connections.authorize_url"
    public typealias Result = AuthorizeURLResult

    /// The app's id; the daemon's own (`--client-id`) when left out.
    public var clientId: String?
    /// Where Pinterest sends the browser back, e.g. `http://127.0.0.1:8085/callback`; the same
    /// value goes with the code to `connections.connect`.
    public var redirectUri: String
    /// An unguessable random value the redirect must bring back unchanged (16–512 characters).
    public var state: String
    /// Default: `ads:read`, `ads:write`, `user_accounts:read` (what the daemon uses).
    public var scopes: [String]?

    public init(clientId: String? = nil, redirectUri: String, state: String, scopes: [String]? = nil) {
        self.clientId = clientId
        self.redirectUri = redirectUri
        self.state = state
        self.scopes = scopes
    }

    enum CodingKeys: String, CodingKey {
        case state, scopes
        case clientId = "client_id"
        case redirectUri = "redirect_uri"
    }
}

public struct AuthorizeURLResult: Codable, Sendable, Equatable {
    /// Open it in a browser.
    public var authorizeUrl: String
    public var clientId: String
    public var redirectUri: String
    public var scopes: [String]

    public init(authorizeUrl: String, clientId: String, redirectUri: String, scopes: [String]) {
        self.authorizeUrl = authorizeUrl
        self.clientId = clientId
        self.redirectUri = redirectUri
        self.scopes = scopes
    }

    enum CodingKeys: String, CodingKey {
        case scopes
        case authorizeUrl = "authorize_url"
        case clientId = "client_id"
        case redirectUri = "redirect_uri"
    }
}

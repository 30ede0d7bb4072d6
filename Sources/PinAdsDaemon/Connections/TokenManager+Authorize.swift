import Foundation
import PinterestAPI

/// The page that asks a person to let the app act for them (OAuth's browser step), and what it
/// asks for.
public struct AuthorizationURLView: Sendable, Equatable {
    public var url: String
    public var clientID: String
    public var redirectURI: String
    public var scopes: [String]
}

extension TokenManager {
    /// Pinterest's authorize URL for the app (`clientID`, else the daemon's own), sending the
    /// person back to `redirectURI` with a code and `state`. The base is Pinterest's page, or the
    /// sandbox's when the API base is not Pinterest's, or `--oauth-authorize-url`. Calls nothing.
    public nonisolated func authorizationURL(clientID: String?, redirectURI: String, state: String, scopes: [String]?) throws
        -> AuthorizationURLView
    {
        guard let clientID = clientID.map({ $0.trimmingCharacters(in: .whitespaces) }) ?? defaultApp?.clientID else {
            throw ConnectionError.noAppCredentials(purpose: "authorizing the app")
        }
        guard !clientID.isEmpty else { throw InvalidInput(field: "client_id", reason: "must not be empty") }
        guard let components = URLComponents(string: redirectURI), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", components.host?.isEmpty == false, components.fragment == nil
        else {
            throw InvalidInput(
                field: "redirect_uri", reason: "must be an absolute http(s) URL without a fragment, e.g. http://127.0.0.1:8085/callback")
        }
        // The state is the asker's proof that a redirect answers its own request: it must not be
        // guessable (pinads sends 32 random bytes in hex).
        guard (16...512).contains(state.utf8.count) else {
            throw InvalidInput(field: "state", reason: "must be 16 to 512 characters of an unguessable random value, got \(state.utf8.count)")
        }
        let scopes = scopes ?? PinterestAuthorization.scopes
        guard !scopes.isEmpty else { throw InvalidInput(field: "scopes", reason: "must name at least one scope") }
        if let bad = scopes.first(where: { $0.isEmpty || $0.contains(",") || $0.contains(where: \.isWhitespace) }) {
            throw InvalidInput(field: "scopes", reason: "each scope is one word such as ads:read, got '\(bad)'")
        }
        let request = AuthorizationRequest(clientID: clientID, redirectURI: redirectURI, scopes: scopes, state: state)
        return AuthorizationURLView(
            url: PinterestAuthorization.url(base: authorizeBase, request), clientID: clientID, redirectURI: redirectURI, scopes: scopes)
    }
}

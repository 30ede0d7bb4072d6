import Foundation

/// How `connect` obtains the tokens it stores, decided from what was given. Pure.
///
/// - An authorization code (with its `redirect_uri`) is exchanged: `authorization_code` grant.
/// - A refresh token alone is exchanged for an access token first: `refresh_token` grant.
/// - An access token whose expiry is not given, with a refresh token and app credentials, is
///   refreshed first too: only Pinterest's answer tells both expiry times, and a connection that
///   does not know them would never refresh before a 401 (an idle one would lose its 60-day
///   refresh token unseen). The given refresh token is spent by it; the rotated pair is stored.
/// - Otherwise the tokens are used as given.
enum ConnectPlan: Sendable, Equatable {
    case useGiven(accessToken: String)
    case exchangeCode(code: String, redirectURI: String)
    case refreshFirst(refreshToken: String, because: RefreshReason)

    enum RefreshReason: Sendable, Equatable {
        /// No access token was given.
        case noAccessToken
        /// The access token's expiry was not given.
        case expiryUnknown
    }

    /// The plan for `grant`; `hasApp`: app credentials are at hand (given, or the daemon's).
    /// Throws `InvalidInput` naming the field, or `ConnectionError.noAppCredentials`.
    static func decide(_ grant: ConnectionGrant, hasApp: Bool) throws -> ConnectPlan {
        let access = grant.accessToken.map(trimmed)
        let refresh = grant.refreshToken.map(trimmed)
        if let code = grant.authorizationCode.map(trimmed) {
            guard !code.isEmpty else { throw InvalidInput(field: "code", reason: "must not be empty") }
            if access != nil || refresh != nil {
                throw InvalidInput(
                    field: access != nil ? "access_token" : "refresh_token",
                    reason: "give either code (with redirect_uri) or tokens, not both")
            }
            guard let redirectURI = grant.redirectURI.map(trimmed), !redirectURI.isEmpty else {
                throw InvalidInput(field: "redirect_uri", reason: "is required with code: the redirect_uri the code was issued for")
            }
            try refuseLifetimes(grant, with: "code")
            guard hasApp else { throw ConnectionError.noAppCredentials(purpose: "exchanging an authorization code") }
            return .exchangeCode(code: code, redirectURI: redirectURI)
        }
        if grant.redirectURI != nil {
            throw InvalidInput(field: "redirect_uri", reason: "goes with code only")
        }
        guard let access else {
            guard let refresh, !refresh.isEmpty else {
                throw InvalidInput(
                    field: "access_token", reason: "give access_token, code with redirect_uri, or refresh_token with the app's credentials")
            }
            try refuseLifetimes(grant, with: "a refresh token alone")
            guard hasApp else { throw ConnectionError.noAppCredentials(purpose: "connecting with a refresh token alone") }
            return .refreshFirst(refreshToken: refresh, because: .noAccessToken)
        }
        guard !access.isEmpty else { throw InvalidInput(field: "access_token", reason: "must not be empty") }
        if let refresh, !refresh.isEmpty, hasApp, RefreshPolicy.expiryUnknown(accessExpiresAt: grant.expiresAt),
            grant.expiresIn == nil
        {
            return .refreshFirst(refreshToken: refresh, because: .expiryUnknown)
        }
        return .useGiven(accessToken: access)
    }

    private static func trimmed(_ text: String) -> String { text.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// Lifetimes describe a given access token; with a code or a refresh token alone they come
    /// from Pinterest's answer.
    private static func refuseLifetimes(_ grant: ConnectionGrant, with what: String) throws {
        guard grant.givesLifetimes else { return }
        let field =
            grant.expiresIn != nil
            ? "expires_in"
            : grant.expiresAt != nil ? "expires_at" : grant.refreshTokenExpiresIn != nil ? "refresh_token_expires_in" : "refresh_token_expires_at"
        throw InvalidInput(field: field, reason: "goes with access_token; with \(what) the expiry times come from Pinterest's answer")
    }
}

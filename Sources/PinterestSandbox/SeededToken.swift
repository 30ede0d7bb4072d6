/// A token pair minted directly in the sandbox, skipping the browser part of OAuth.
public struct SeededToken: Sendable, Equatable {
    /// Bearer token for `/v5` calls, granted `ads:read`, `ads:write` and `user_accounts:read`.
    public var accessToken: String
    /// Refresh token for `POST /v5/oauth/token` with `grant_type=refresh_token`.
    public var refreshToken: String
    /// The ad accounts the token's user owns, in ascending id order.
    public var adAccountIDs: [String]
    /// The Pinterest user the tokens belong to.
    public var userID: String
    /// Seconds until the access token expires, as of minting.
    public var expiresIn: Int
    /// Seconds until the refresh token expires, as of minting.
    public var refreshTokenExpiresIn: Int
    /// Ad accounts owned by other users that the token's user has Business Access to (all of
    /// them, not only those shared by this seeding), in ascending id order.
    public var sharedAdAccountIDs: [String] = []
}

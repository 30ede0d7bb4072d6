/// The app's credentials for `oauth/token` (HTTP Basic). The secret is never printed.
public struct AppCredentials: Sendable, CustomStringConvertible {
    public var clientID: String
    public var clientSecret: String

    public init(clientID: String, clientSecret: String) {
        self.clientID = clientID
        self.clientSecret = clientSecret
    }

    public var description: String { "AppCredentials(client_id: \(clientID), client_secret: ***)" }
}

/// An OAuth access token for `Authorization: Bearer`. Its description hides the value.
public struct AccessToken: Sendable, Hashable, CustomStringConvertible {
    public let value: String
    /// Whose token it is (the Pinterest user or connection), for per-user rate limits.
    public let subject: String?

    public init(_ value: String, subject: String? = nil) {
        self.value = value
        self.subject = subject
    }

    public var description: String { "AccessToken(***)" }
}

/// The answer of `oauth/token` (both grants).
public struct OAuthTokenResponse: Decodable, Sendable, Equatable {
    public var accessToken: String
    public var tokenType: String?
    /// Seconds until the access token expires.
    public var expiresIn: Int
    public var scope: String?
    public var refreshToken: String?
    public var refreshTokenExpiresIn: Int?
    /// Unix seconds.
    public var refreshTokenExpiresAt: Int?
    public var responseType: String?

    enum CodingKeys: String, CodingKey {
        case scope
        case accessToken = "access_token"
        case tokenType = "token_type"
        case expiresIn = "expires_in"
        case refreshToken = "refresh_token"
        case refreshTokenExpiresIn = "refresh_token_expires_in"
        case refreshTokenExpiresAt = "refresh_token_expires_at"
        case responseType = "response_type"
    }
}

/// The answer of `oauth/conversion_token`: a long-lived token for the Conversions API only.
public struct ConversionTokenResponse: Decodable, Sendable, Equatable {
    public var accessToken: String
    public var tokenType: String?

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case tokenType = "token_type"
    }
}

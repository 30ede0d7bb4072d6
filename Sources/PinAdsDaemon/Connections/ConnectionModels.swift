import Foundation
import PinAdsStore

/// What a person hands over to connect a Pinterest user, in one of three forms:
/// - tokens: an OAuth access token, perhaps the refresh token that renews it, their lifetimes;
/// - an authorization code from Pinterest's redirect and the `redirect_uri` it was given for;
/// - a refresh token alone.
/// The app credentials (needed to exchange a code or a refresh token, and to refresh) are the
/// ones given, else the daemon's own. ``ConnectPlan`` says how the tokens are obtained.
public struct ConnectionGrant: Sendable {
    public var accessToken: String?
    public var refreshToken: String?
    /// Seconds from now until the access token expires (as `oauth/token` says it).
    public var expiresIn: Int64?
    public var expiresAt: Date?
    public var refreshTokenExpiresIn: Int64?
    public var refreshTokenExpiresAt: Date?
    /// The `code` Pinterest's redirect carried (single use, minutes long).
    public var authorizationCode: String?
    /// The `redirect_uri` the code was issued for: sent again with it.
    public var redirectURI: String?
    /// The app's id and secret; the daemon's own when nil.
    public var clientID: String?
    public var clientSecret: String?
    public var defaultAdAccountID: String?
    public var name: String?

    public init(
        accessToken: String? = nil, refreshToken: String? = nil, expiresIn: Int64? = nil, expiresAt: Date? = nil,
        refreshTokenExpiresIn: Int64? = nil, refreshTokenExpiresAt: Date? = nil, authorizationCode: String? = nil,
        redirectURI: String? = nil, clientID: String? = nil, clientSecret: String? = nil, defaultAdAccountID: String? = nil,
        name: String? = nil
    ) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresIn = expiresIn
        self.expiresAt = expiresAt
        self.refreshTokenExpiresIn = refreshTokenExpiresIn
        self.refreshTokenExpiresAt = refreshTokenExpiresAt
        self.authorizationCode = authorizationCode
        self.redirectURI = redirectURI
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.defaultAdAccountID = defaultAdAccountID
        self.name = name
    }

    /// Whether any lifetime was given (they go with an access token only).
    var givesLifetimes: Bool {
        expiresIn != nil || expiresAt != nil || refreshTokenExpiresIn != nil || refreshTokenExpiresAt != nil
    }
}

/// A connection as the methods show it: its row, how many ad accounts it reaches, and whether
/// it can renew its tokens by itself.
public struct ConnectionView: Sendable, Equatable {
    public var record: ConnectionRecord
    public var adAccountCount: Int
    /// It holds a refresh token that is not spent, and app credentials (its own or the daemon's).
    public var canRefresh: Bool

    /// A lost refresh spent the refresh token: reconnect before the access token expires.
    public var reconnectBefore: Date? {
        record.refreshLostAt != nil && record.state == .active ? record.accessExpiresAt : nil
    }
}

/// A connection with its ad accounts.
public struct ConnectionDetailView: Sendable, Equatable {
    public var connection: ConnectionView
    public var adAccounts: [AdAccountRecord]

    /// Whether `account` is the default ad account of the default connection.
    public func isDefault(_ account: AdAccountRecord) -> Bool {
        connection.record.isDefault && connection.record.defaultAdAccountID == account.id
    }
}

/// What a connect did.
public struct Connected: Sendable, Equatable {
    public var detail: ConnectionDetailView
    public var defaultAdAccountID: String
    /// The Pinterest user was connected before: its connection was updated.
    public var updated: Bool

    public var connectionID: Int64 { detail.connection.record.id }
    public var adAccountIDs: [String] { detail.adAccounts.map(\.id) }
}

/// How to change an ad account's conversion token.
public enum ConversionTokenChange: Sendable, Equatable {
    /// Store this token (given by a person, from Ads Manager).
    case use(String)
    /// Mint one with the connection's OAuth token.
    case mint
    /// Drop it: events go with the OAuth token.
    case clear
}

/// An ad account's conversion token as the methods show it (never the token itself).
public struct ConversionTokenState: Sendable, Equatable {
    public var adAccountID: String
    public var hasConversionToken: Bool
    public var fingerprint: String?
    /// `given` or `minted`.
    public var source: String?
}

/// Why a connection or an ad account cannot be used as asked.
public enum ConnectionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No connection at all yet.
    case noConnection
    /// No ad account named and none is the default.
    case noDefaultAdAccount
    /// The token reaches no ad account.
    case noAdAccounts
    /// Pinterest refused the token given to connect (403: it may not list ad accounts).
    case tokenRefused(forbidden: Bool, message: String, pinterestRequestID: String?)
    /// The named ad account is reached by no connection.
    case adAccountUnreachable(String)
    /// The named ad account is not among the stored ones.
    case adAccountUnknown(String)
    /// The connection cannot refresh: no refresh token or no app credentials.
    case cannotRefresh(connectionID: Int64)
    /// A reconnect replaced the tokens while a refresh was out; the new ones are in use.
    case reconnectedDuringRefresh(connectionID: Int64)
    /// Exchanging a code or a refresh token needs the app's id and secret, and there are none.
    case noAppCredentials(purpose: String)
    /// Pinterest refused what a connect gave to get tokens (`grant`: "authorization code" or
    /// "refresh token"); nothing was connected.
    case grantRefused(grant: String, message: String, pinterestRequestID: String?)
    /// Pinterest answered the authorization code without a refresh token: the daemon could not
    /// renew the access token, so nothing was connected.
    case noRefreshTokenGranted
    /// Pinterest refused to tell whose token it is (401, or 403: the `user_accounts:read` scope missing).
    case userAccountRefused(forbidden: Bool, message: String, pinterestRequestID: String?)
    /// Pinterest's `user_account` answer has no `id`: the token's user cannot be told apart.
    case noPinterestUserID

    public var description: String {
        switch self {
        case .noConnection:
            return "No Pinterest connection yet; connect one with `pinads connect`"
        case .noDefaultAdAccount:
            return "No default ad account; set one with `pinads accounts default ID`"
        case .noAdAccounts:
            return "No ad accounts found for this token"
        case .tokenRefused(let forbidden, let message, _):
            return forbidden ? "The access token may not list ad accounts (missing ads:read?): \(message)" : "Invalid access token: \(message)"
        case .adAccountUnreachable(let id):
            return "ad account \(id) is not reachable through any connection; `pinads accounts` lists them"
        case .adAccountUnknown(let id):
            return "ad account \(id) is not known; `pinads accounts --refresh` re-reads them"
        case .cannotRefresh(let id):
            return "connection \(id) has no refresh token or app credentials; reconnect with refresh_token, client_id and client_secret"
        case .reconnectedDuringRefresh(let id):
            return "connection \(id) was reconnected while its refresh was out; its new tokens are in use"
        case .noAppCredentials(let purpose):
            return "\(purpose) needs the app's id and secret: give client_id and client_secret, or start pinadsd with --client-id and --client-secret-file"
        case .grantRefused(let grant, let message, _):
            return "Pinterest refused the \(grant) (\(message)); nothing was connected"
                + (grant == "authorization code" ? ": authorize again (`pinads connect --oauth`)" : ": connect with a current token or `pinads connect --oauth`")
        case .noRefreshTokenGranted:
            return "Pinterest granted no refresh token for the authorization code, so the daemon could not renew the access token; nothing was connected"
        case .userAccountRefused(let forbidden, let message, _):
            return forbidden
                ? "The access token may not read its Pinterest user (missing the user_accounts:read scope?): \(message); connect with `pinads connect --oauth`, which asks for it"
                : "Invalid access token: \(message)"
        case .noPinterestUserID:
            return "Pinterest's user_account answer has no id, so the token's user cannot be told apart from others; nothing was connected"
        }
    }
}

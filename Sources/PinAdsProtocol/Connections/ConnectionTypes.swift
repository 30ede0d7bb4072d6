import Foundation

/// A Pinterest connection as the daemon reports it. Tokens are never included: only their
/// expiry times and a fingerprint.
public struct ConnectionInfo: Codable, Sendable, Equatable {
    public var id: Int64
    public var name: String?
    /// `active`, `unauthorized` (a person must reconnect) or `disconnected`.
    public var status: String
    /// Why it is not `active`; for an `active` connection whose refresh was lost, that and the
    /// time to reconnect by.
    public var statusReason: String?
    public var needsReconnect: Bool
    public var isDefault: Bool
    public var defaultAdAccountId: String?
    public var adAccountCount: Int
    /// `sha256:` and 8 hex digits of the current access token.
    public var tokenFingerprint: String?
    public var accessTokenExpiresAt: Date?
    public var refreshTokenExpiresAt: Date?
    /// True when the daemon holds a refresh token and app credentials, so it renews tokens itself.
    public var canRefresh: Bool
    public var lastRefreshAt: Date?
    public var lastRefreshError: String?
    /// A refresh was sent at this time and its outcome is not known yet: it is under way, or its
    /// answer was lost (the next refresh tells which).
    public var refreshSentAt: Date?
    /// When Pinterest refused the refresh token after a refresh whose answer was lost (it had
    /// most likely applied it and rotated the pair). The connection stays `active` on the access
    /// token in hand until Pinterest refuses it; it refreshes no more until a reconnect.
    public var refreshLostAt: Date?
    /// Set while the refresh is lost: reconnect before this time, when the access token expires.
    public var reconnectBefore: Date?
    public var createdAt: Date
    /// The token's Pinterest user (`user_account`'s id): what tells connections apart. Absent for
    /// a connection made before pinads kept it, until the daemon has asked Pinterest.
    public var pinterestUserId: String?
    public var pinterestUsername: String?

    public init(
        id: Int64, name: String?, status: String, statusReason: String?, needsReconnect: Bool, isDefault: Bool,
        defaultAdAccountId: String?, adAccountCount: Int, tokenFingerprint: String?, accessTokenExpiresAt: Date?,
        refreshTokenExpiresAt: Date?, canRefresh: Bool, lastRefreshAt: Date?, lastRefreshError: String?,
        refreshSentAt: Date? = nil, refreshLostAt: Date? = nil, reconnectBefore: Date? = nil, createdAt: Date,
        pinterestUserId: String? = nil, pinterestUsername: String? = nil
    ) {
        self.id = id
        self.name = name
        self.status = status
        self.statusReason = statusReason
        self.needsReconnect = needsReconnect
        self.isDefault = isDefault
        self.defaultAdAccountId = defaultAdAccountId
        self.adAccountCount = adAccountCount
        self.tokenFingerprint = tokenFingerprint
        self.accessTokenExpiresAt = accessTokenExpiresAt
        self.refreshTokenExpiresAt = refreshTokenExpiresAt
        self.canRefresh = canRefresh
        self.lastRefreshAt = lastRefreshAt
        self.lastRefreshError = lastRefreshError
        self.refreshSentAt = refreshSentAt
        self.refreshLostAt = refreshLostAt
        self.reconnectBefore = reconnectBefore
        self.createdAt = createdAt
        self.pinterestUserId = pinterestUserId
        self.pinterestUsername = pinterestUsername
    }

    enum CodingKeys: String, CodingKey {
        case id, name, status
        case statusReason = "status_reason"
        case needsReconnect = "needs_reconnect"
        case isDefault = "is_default"
        case defaultAdAccountId = "default_ad_account_id"
        case adAccountCount = "ad_account_count"
        case tokenFingerprint = "token_fingerprint"
        case accessTokenExpiresAt = "access_token_expires_at"
        case refreshTokenExpiresAt = "refresh_token_expires_at"
        case canRefresh = "can_refresh"
        case lastRefreshAt = "last_refresh_at"
        case lastRefreshError = "last_refresh_error"
        case refreshSentAt = "refresh_sent_at"
        case refreshLostAt = "refresh_lost_at"
        case reconnectBefore = "reconnect_before"
        case createdAt = "created_at"
        case pinterestUserId = "pinterest_user_id"
        case pinterestUsername = "pinterest_username"
    }
}

/// An ad account reachable through a connection.
public struct AdAccountInfo: Codable, Sendable, Equatable {
    public var id: String
    public var name: String?
    public var currency: String?
    public var country: String?
    public var connectionId: Int64
    /// The ad account used when a method is given none.
    public var isDefault: Bool
    /// The Pinterest user who owns it; another than the connection's user when it is shared
    /// with them (Business Access).
    public var ownerId: String?

    public init(
        id: String, name: String?, currency: String?, country: String?, connectionId: Int64, isDefault: Bool, ownerId: String? = nil
    ) {
        self.id = id
        self.name = name
        self.currency = currency
        self.country = country
        self.connectionId = connectionId
        self.isDefault = isDefault
        self.ownerId = ownerId
    }

    enum CodingKeys: String, CodingKey {
        case id, name, currency, country
        case connectionId = "connection_id"
        case isDefault = "is_default"
        case ownerId = "owner_id"
    }
}

/// `connections.connect`: stores a Pinterest user's tokens (sealed) after asking Pinterest whose
/// they are (`user_account`) and which ad accounts they reach. Takes one of: `access_token`
/// (with, at best, `refresh_token` and the expiry times), `code` with `redirect_uri` (the
/// authorization-code grant: the daemon exchanges it), or `refresh_token` alone (the daemon
/// exchanges it for an access token). Reconnecting the same Pinterest user updates its connection.
public struct ConnectRequest: PinAdsRequest {
    public static let method = "connections.connect"
    public typealias Result = ConnectResult

    public var accessToken: String?
    public var refreshToken: String?
    /// Seconds from now until the access token expires (as `oauth/token` says it).
    public var expiresIn: Int64?
    public var expiresAt: Date?
    public var refreshTokenExpiresIn: Int64?
    public var refreshTokenExpiresAt: Date?
    /// An authorization code from Pinterest's redirect (single use), exchanged by the daemon.
    public var code: String?
    /// The `redirect_uri` the code was issued for (required with `code`).
    public var redirectUri: String?
    /// The app's id and secret, needed to refresh; the daemon's own (`--client-id`…) when left out.
    public var clientId: String?
    public var clientSecret: String?
    public var defaultAdAccountId: String?
    public var name: String?

    public init(
        accessToken: String? = nil, refreshToken: String? = nil, expiresIn: Int64? = nil, expiresAt: Date? = nil,
        refreshTokenExpiresIn: Int64? = nil, refreshTokenExpiresAt: Date? = nil, code: String? = nil, redirectUri: String? = nil,
        clientId: String? = nil, clientSecret: String? = nil, defaultAdAccountId: String? = nil, name: String? = nil
    ) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresIn = expiresIn
        self.expiresAt = expiresAt
        self.refreshTokenExpiresIn = refreshTokenExpiresIn
        self.refreshTokenExpiresAt = refreshTokenExpiresAt
        self.code = code
        self.redirectUri = redirectUri
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.defaultAdAccountId = defaultAdAccountId
        self.name = name
    }

    enum CodingKeys: String, CodingKey {
        case name, code
        case accessToken = "access_token"
        case refreshToken = "refresh_token"
        case expiresIn = "expires_in"
        case expiresAt = "expires_at"
        case refreshTokenExpiresIn = "refresh_token_expires_in"
        case refreshTokenExpiresAt = "refresh_token_expires_at"
        case redirectUri = "redirect_uri"
        case clientId = "client_id"
        case clientSecret = "client_secret"
        case defaultAdAccountId = "default_ad_account_id"
    }
}

public struct ConnectResult: Codable, Sendable, Equatable {
    public var connectionId: Int64
    public var adAccounts: [AdAccountInfo]
    public var defaultAdAccountId: String
    public var status: String
    /// True when the same Pinterest user was already connected and its connection was updated.
    public var updated: Bool
    /// The token's Pinterest user (absent from daemons before it was kept).
    public var pinterestUserId: String?
    public var pinterestUsername: String?

    public init(
        connectionId: Int64, adAccounts: [AdAccountInfo], defaultAdAccountId: String, status: String, updated: Bool,
        pinterestUserId: String? = nil, pinterestUsername: String? = nil
    ) {
        self.connectionId = connectionId
        self.adAccounts = adAccounts
        self.defaultAdAccountId = defaultAdAccountId
        self.status = status
        self.updated = updated
        self.pinterestUserId = pinterestUserId
        self.pinterestUsername = pinterestUsername
    }

    enum CodingKeys: String, CodingKey {
        case status, updated
        case connectionId = "connection_id"
        case adAccounts = "ad_accounts"
        case defaultAdAccountId = "default_ad_account_id"
        case pinterestUserId = "pinterest_user_id"
        case pinterestUsername = "pinterest_username"
    }
}

/// `connections.list`: every connection, newest state.
public struct ListConnectionsRequest: PinAdsRequest {
    public static let method = "connections.list"
    public typealias Result = ListConnectionsResult
    public init() {}
}

public struct ListConnectionsResult: Codable, Sendable, Equatable {
    public var connections: [ConnectionInfo]
    public init(connections: [ConnectionInfo]) { self.connections = connections }
}

/// `connections.get`: one connection and its ad accounts.
public struct GetConnectionRequest: PinAdsRequest {
    public static let method = "connections.get"
    public typealias Result = ConnectionDetail
    public var connectionId: Int64
    public init(connectionId: Int64) { self.connectionId = connectionId }
    enum CodingKeys: String, CodingKey { case connectionId = "connection_id" }
}

public struct ConnectionDetail: Codable, Sendable, Equatable {
    public var connection: ConnectionInfo
    public var adAccounts: [AdAccountInfo]

    public init(connection: ConnectionInfo, adAccounts: [AdAccountInfo]) {
        self.connection = connection
        self.adAccounts = adAccounts
    }

    enum CodingKeys: String, CodingKey {
        case connection
        case adAccounts = "ad_accounts"
    }
}

/// `connections.set_default_ad_account`: the ad account used when a method names none; its
/// connection becomes the default connection.
public struct SetDefaultAdAccountRequest: PinAdsRequest {
    public static let method = "connections.set_default_ad_account"
    public typealias Result = ConnectionDetail
    public var adAccountId: String
    /// Needed only when two connections reach the same ad account.
    public var connectionId: Int64?

    public init(adAccountId: String, connectionId: Int64? = nil) {
        self.adAccountId = adAccountId
        self.connectionId = connectionId
    }

    enum CodingKeys: String, CodingKey {
        case adAccountId = "ad_account_id"
        case connectionId = "connection_id"
    }
}

/// `connections.disconnect`: erases the connection's tokens and stops its jobs. Nothing at
/// Pinterest is touched.
public struct DisconnectRequest: PinAdsRequest {
    public static let method = "connections.disconnect"
    public typealias Result = ConnectionDetail
    public var connectionId: Int64
    public init(connectionId: Int64) { self.connectionId = connectionId }
    enum CodingKeys: String, CodingKey { case connectionId = "connection_id" }
}

/// `connections.refresh`: refreshes the tokens now (the default connection when none is named).
public struct RefreshConnectionRequest: PinAdsRequest {
    public static let method = "connections.refresh"
    public typealias Result = ConnectionDetail
    public var connectionId: Int64?
    public init(connectionId: Int64? = nil) { self.connectionId = connectionId }
    enum CodingKeys: String, CodingKey { case connectionId = "connection_id" }
}

/// `ad_accounts.list`: ad accounts of every active connection (or one), from the store;
/// `refresh: true` reads them from Pinterest first.
public struct ListAdAccountsRequest: PinAdsRequest {
    public static let method = "ad_accounts.list"
    public static let role = MethodRole.client
    public typealias Result = ListAdAccountsResult
    public var connectionId: Int64?
    public var refresh: Bool?

    public init(connectionId: Int64? = nil, refresh: Bool? = nil) {
        self.connectionId = connectionId
        self.refresh = refresh
    }

    enum CodingKeys: String, CodingKey {
        case refresh
        case connectionId = "connection_id"
    }
}

public struct ListAdAccountsResult: Codable, Sendable, Equatable {
    public var adAccounts: [AdAccountInfo]
    public init(adAccounts: [AdAccountInfo]) { self.adAccounts = adAccounts }
    enum CodingKeys: String, CodingKey { case adAccounts = "ad_accounts" }
}

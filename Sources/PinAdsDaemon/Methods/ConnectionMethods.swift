import Foundation
import PinAdsProtocol
import PinAdsStore

/// `connections.*` and `ad_accounts.*` methods: the wire's requests into the TokenManager's
/// calls, and its views back into the wire's results.
struct ConnectionMethods: Sendable {
    let tokens: TokenManager
    /// Told of each connect (a reconnect frees work that waited for it).
    var connected: @Sendable (Connected) async -> Void = { _ in }

    func connect(_ request: ConnectRequest) async throws -> ConnectResult {
        let connected = try await tokens.connect(ConnectionGrant(request))
        await self.connected(connected)
        let record = connected.detail.connection.record
        return ConnectResult(
            connectionId: record.id, adAccounts: connected.detail.adAccounts.map { AdAccountInfo($0, in: connected.detail) },
            defaultAdAccountId: connected.defaultAdAccountID, status: record.state.rawValue, updated: connected.updated,
            pinterestUserId: record.pinterestUserID, pinterestUsername: record.pinterestUsername)
    }

    // Issue 16: connecting without help.
    func authorizeURL(_ request: AuthorizeURLRequest) async throws -> AuthorizeURLResult {
        let view = try tokens.authorizationURL(
            clientID: request.clientId, redirectURI: request.redirectUri, state: request.state, scopes: request.scopes)
        return AuthorizeURLResult(authorizeUrl: view.url, clientId: view.clientID, redirectUri: view.redirectURI, scopes: view.scopes)
    }

    func list(_ request: ListConnectionsRequest) async throws -> ListConnectionsResult {
        ListConnectionsResult(connections: try await tokens.list().map(ConnectionInfo.init))
    }

    func get(_ request: GetConnectionRequest) async throws -> ConnectionDetail {
        ConnectionDetail(try await tokens.detail(connectionID: request.connectionId))
    }

    func setDefaultAdAccount(_ request: SetDefaultAdAccountRequest) async throws -> ConnectionDetail {
        ConnectionDetail(try await tokens.setDefaultAdAccount(request.adAccountId, connectionID: request.connectionId))
    }

    func disconnect(_ request: DisconnectRequest) async throws -> ConnectionDetail {
        ConnectionDetail(try await tokens.disconnect(connectionID: request.connectionId))
    }

    func refresh(_ request: RefreshConnectionRequest) async throws -> ConnectionDetail {
        let id = try await tokens.connectionIDOrDefault(request.connectionId)
        try await tokens.forceRefresh(connectionID: id)
        return ConnectionDetail(try await tokens.detail(connectionID: id))
    }

    func setConversionToken(_ request: SetConversionTokenRequest) async throws -> ConversionTokenResult {
        let change: ConversionTokenChange
        switch (request.token, request.mint == true, request.clear == true) {
        case (let token?, false, false): change = .use(token)
        case (nil, true, false): change = .mint
        case (nil, false, true): change = .clear
        default: throw ResponseError.invalidArgument(field: "token", reason: "give exactly one of token, mint: true or clear: true")
        }
        let state = try await tokens.setConversionToken(adAccountID: request.adAccountId, change)
        return ConversionTokenResult(
            adAccountId: state.adAccountID, hasConversionToken: state.hasConversionToken, fingerprint: state.fingerprint, source: state.source)
    }

    func listAdAccounts(_ request: ListAdAccountsRequest) async throws -> ListAdAccountsResult {
        let connections = try await tokens.list().filter { $0.record.state != .disconnected }
        let chosen = request.connectionId.map { id in connections.filter { $0.record.id == id } } ?? connections
        if let id = request.connectionId, chosen.isEmpty { throw ResponseError.notFound("connection", id: String(id)) }
        var accounts: [AdAccountInfo] = []
        for connection in chosen {
            if request.refresh == true { try await tokens.refreshAdAccounts(connectionID: connection.record.id) }
            let detail = try await tokens.detail(connectionID: connection.record.id)
            accounts += detail.adAccounts.map { AdAccountInfo($0, in: detail) }
        }
        return ListAdAccountsResult(adAccounts: accounts)
    }
}

/// The scheduled `connections.token_check`: refreshes what is due, so tokens never lapse.
struct TokenCheckJob: JobHandler {
    static let kind = "connections.token_check"
    let retryPolicy = RetryPolicy.default
    let tokens: TokenManager

    struct Result: Codable, Sendable, Equatable {
        var checked: Int64
        var refreshed: Int64
        var failed: Int64
    }

    func run(_ payload: NoPayload, job: JobRecord, context: JobContext) async throws -> Result {
        let (checked, refreshed, failed) = try await tokens.refreshDueConnections()
        await context.reportProgress(done: Int64(checked), total: Int64(checked), message: "\(refreshed) refreshed, \(failed) failed")
        return Result(checked: Int64(checked), refreshed: Int64(refreshed), failed: Int64(failed))
    }
}

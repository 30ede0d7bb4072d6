import Foundation
import PinAdsProtocol
import PinAdsStore

/// `connections.*` and `ad_accounts.*` methods.
struct ConnectionMethods: Sendable {
    let tokens: TokenManager
    /// Told of each connect (a reconnect frees work that waited for it).
    var connected: @Sendable (ConnectResult) async -> Void = { _ in }

    func connect(_ request: ConnectRequest) async throws -> ConnectResult {
        let result = try await tokens.connect(request)
        await connected(result)
        return result
    }

    func list(_ request: ListConnectionsRequest) async throws -> ListConnectionsResult {
        ListConnectionsResult(connections: try await tokens.list())
    }

    func get(_ request: GetConnectionRequest) async throws -> ConnectionDetail {
        try await tokens.detail(connectionID: request.connectionId)
    }

    func setDefaultAdAccount(_ request: SetDefaultAdAccountRequest) async throws -> ConnectionDetail {
        try await tokens.setDefaultAdAccount(request)
    }

    func disconnect(_ request: DisconnectRequest) async throws -> ConnectionDetail {
        try await tokens.disconnect(connectionID: request.connectionId)
    }

    func refresh(_ request: RefreshConnectionRequest) async throws -> ConnectionDetail {
        let id = try await tokens.connectionIDOrDefault(request.connectionId)
        do {
            try await tokens.forceRefresh(connectionID: id)
        } catch let error as ConnectionUnavailable {
            throw ResponseError(code: .unauthenticated, message: error.description, details: ["connection_id": .int(id)])
        }
        return try await tokens.detail(connectionID: id)
    }

    func setConversionToken(_ request: SetConversionTokenRequest) async throws -> ConversionTokenResult {
        do {
            return try await tokens.setConversionToken(request)
        } catch let error as ConnectionUnavailable {
            throw ResponseError(code: .unauthenticated, message: error.description, details: ["connection_id": .int(error.connectionID)])
        }
    }

    func listAdAccounts(_ request: ListAdAccountsRequest) async throws -> ListAdAccountsResult {
        let connections = try await tokens.list().filter { $0.status != "disconnected" }
        let chosen = request.connectionId.map { id in connections.filter { $0.id == id } } ?? connections
        if let id = request.connectionId, chosen.isEmpty { throw ResponseError.notFound("connection", id: String(id)) }
        var accounts: [AdAccountInfo] = []
        for connection in chosen {
            if request.refresh == true {
                do {
                    try await tokens.refreshAdAccounts(connectionID: connection.id)
                } catch let error as ConnectionUnavailable {
                    throw ResponseError(code: .unauthenticated, message: error.description, details: ["connection_id": .int(connection.id)])
                }
            }
            accounts += try await tokens.detail(connectionID: connection.id).adAccounts
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

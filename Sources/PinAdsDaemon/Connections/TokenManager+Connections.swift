import Foundation
import Logging
import PinAdsJSON
import PinAdsStore
import PinterestAPI

extension TokenManager {
    // MARK: - Listing, defaults, disconnect

    /// The connection and ad account a method acts on: the named ad account (on the connection
    /// ``AdAccountServing`` chooses among those that reach it), else the default ad account of
    /// the default connection.
    public func resolve(adAccountID: String?) async throws -> (connectionID: Int64, adAccountID: String) {
        let connections = try await store.connections().filter { $0.state != .disconnected }
        guard !connections.isEmpty else {
            throw ConnectionError.noConnection
        }
        if let adAccountID {
            let accounts = try await store.adAccounts().filter { $0.id == adAccountID }
            let candidates = connections.compactMap { connection -> AdAccountServing.Candidate? in
                guard let account = accounts.first(where: { $0.connectionID == connection.id }) else { return nil }
                return AdAccountServing.Candidate(
                    connectionID: connection.id, isActive: connection.state == .active, isDefault: connection.isDefault,
                    ownsAccount: account.ownerID != nil && account.ownerID == connection.pinterestUserID)
            }
            guard let connectionID = AdAccountServing.choose(candidates) else {
                throw ConnectionError.adAccountUnreachable(adAccountID)
            }
            return (connectionID, adAccountID)
        }
        guard let connection = connections.first(where: \.isDefault) ?? connections.first, let account = connection.defaultAdAccountID else {
            throw ConnectionError.noDefaultAdAccount
        }
        return (connection.id, account)
    }

    public func list() async throws -> [ConnectionView] {
        let accounts = try await store.adAccounts()
        return try await store.connections().map { record in
            view(record, adAccountCount: accounts.filter { $0.connectionID == record.id }.count)
        }
    }

    /// A connection (the default one when nil) with its ad accounts.
    public func detail(connectionID: Int64?) async throws -> ConnectionDetailView {
        let id = try await connectionIDOrDefault(connectionID)
        guard let record = try await store.connection(id: id) else { throw UnknownObject("connection", id: id) }
        let accounts = try await store.adAccounts(connectionID: id)
        return ConnectionDetailView(connection: view(record, adAccountCount: accounts.count), adAccounts: accounts)
    }

    public func connectionIDOrDefault(_ id: Int64?) async throws -> Int64 {
        if let id { return id }
        let connections = try await store.connections().filter { $0.state != .disconnected }
        guard let connection = connections.first(where: \.isDefault) ?? connections.first else {
            throw ConnectionError.noConnection
        }
        return connection.id
    }

    /// Makes `adAccountID` the default ad account, of `connectionID` when several connections reach it.
    public func setDefaultAdAccount(_ adAccountID: String, connectionID: Int64?) async throws -> ConnectionDetailView {
        let usable = Set(try await store.connections().filter { $0.state != .disconnected }.map(\.id))
        let accounts = try await store.adAccounts().filter { $0.id == adAccountID && usable.contains($0.connectionID) }
        let candidates = connectionID.map { id in accounts.filter { $0.connectionID == id } } ?? accounts
        guard let account = candidates.first else { throw ConnectionError.adAccountUnknown(adAccountID) }
        if candidates.count > 1 && connectionID == nil {
            throw InvalidInput(field: "connection_id", reason: "ad account \(adAccountID) is reachable through several connections; name one")
        }
        _ = try await store.setDefaultAdAccount(connectionID: account.connectionID, adAccountID: account.id, now: clock.now())
        connectionsChanged()
        return try await detail(connectionID: account.connectionID)
    }

    public func disconnect(connectionID: Int64) async throws -> ConnectionDetailView {
        guard try await store.disconnectConnection(id: connectionID, now: clock.now()) != nil else {
            throw UnknownObject("connection", id: connectionID)
        }
        connectionsChanged()
        cache[connectionID] = nil
        refreshFailures[connectionID] = nil
        conversionTokens.removeAll()
        logger.notice("Pinterest connection disconnected; its tokens are erased", metadata: ["connection_id": "\(connectionID)"])
        return try await detail(connectionID: connectionID)
    }

    /// Re-reads a connection's ad accounts from Pinterest.
    public func refreshAdAccounts(connectionID: Int64) async throws {
        let accounts = try await ConnectionCalls(connectionID: connectionID, tokens: self, client: client).adAccounts()
        try await store.replaceAdAccounts(
            connectionID: connectionID,
            accounts: accounts.map {
                AdAccountRecord(connectionID: connectionID, id: $0.id, name: $0.name, currency: $0.currency, country: $0.country, ownerID: $0.owner?.id)
            },
            now: clock.now())
        connectionsChanged()
    }

    // MARK: - Views

    private func view(_ record: ConnectionRecord, adAccountCount: Int) -> ConnectionView {
        // A lost refresh spent the refresh token it holds.
        let canRefresh =
            record.refreshLostAt == nil && record.refreshTokenSealed != nil && (record.clientSecretSealed != nil || defaultApp != nil)
        return ConnectionView(record: record, adAccountCount: adAccountCount, canRefresh: canRefresh)
    }
}

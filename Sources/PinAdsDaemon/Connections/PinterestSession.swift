import Foundation
import PinAdsJSON
import PinterestAPI

/// One ad account's way to Pinterest: the connection that reaches it, that connection's
/// current token, one refresh and one retry when Pinterest refuses the token (401), and the
/// typed calls. Actors that work for an ad account ask the `TokenManager` for a session
/// (`session(adAccountID:)`, resolved once until the connections change) and call it; no
/// code outside the session handles tokens.
///
/// Every outcome is recorded for `system.health`'s view of the connection.
public struct PinterestSession: Sendable {
    public let adAccountID: String
    /// The ad account's currency as Pinterest's ad account answer gave it (ISO 4217; `UNK` or
    /// nil when Pinterest did not say).
    public let currency: String?
    private let connection: ConnectionCalls
    public var connectionID: Int64 { connection.connectionID }

    init(connectionID: Int64, adAccountID: String, currency: String? = nil, tokens: TokenManager, client: PinterestClient) {
        self.adAccountID = adAccountID
        self.currency = currency
        connection = ConnectionCalls(connectionID: connectionID, tokens: tokens, client: client)
    }

    func call<T: Sendable>(_ operation: @Sendable (PinterestClient, AccessToken, String) async throws -> T) async throws -> T {
        let account = adAccountID
        return try await connection.call { client, token in try await operation(client, token, account) }
    }

    // MARK: - Customer lists

    public func createCustomerList(_ list: CustomerListCreate) async throws -> CustomerList {
        try await call { client, token, account in try await client.createCustomerList(token: token, adAccountID: account, list) }
    }

    public func updateCustomerList(_ customerListID: String, _ operation: CustomerListOperation, records: [String]) async throws -> CustomerList {
        try await call { client, token, account in
            try await client.updateCustomerList(
                token: token, adAccountID: account, customerListID: customerListID, operation: operation, records: records)
        }
    }

    public func customerList(_ customerListID: String) async throws -> CustomerList {
        try await call { client, token, account in try await client.getCustomerList(token: token, adAccountID: account, customerListID: customerListID) }
    }

    public func customerLists() async throws -> [CustomerList] {
        try await call { client, token, account in try await client.listCustomerLists(token: token, adAccountID: account) }
    }

    // MARK: - Audiences

    public func createAudience(_ audience: AudienceCreate) async throws -> Audience {
        try await call { client, token, account in try await client.createAudience(token: token, adAccountID: account, audience) }
    }

    public func audience(_ audienceID: String) async throws -> Audience {
        try await call { client, token, account in try await client.getAudience(token: token, adAccountID: account, audienceID: audienceID) }
    }

    public func audiences() async throws -> [Audience] {
        try await call { client, token, account in try await client.listAudiences(token: token, adAccountID: account) }
    }

    // MARK: - Campaigns, ad groups, ads

    public func createCampaigns(_ campaigns: [CampaignCreate]) async throws -> [BulkItem<Campaign>] {
        try await call { client, token, account in try await client.createCampaigns(token: token, adAccountID: account, campaigns) }
    }

    public func campaigns(ids: [String] = []) async throws -> [Campaign] {
        try await call { client, token, account in try await client.listCampaigns(token: token, adAccountID: account, campaignIDs: ids) }
    }

    public func createAdGroups(_ adGroups: [AdGroupCreate]) async throws -> [BulkItem<AdGroup>] {
        try await call { client, token, account in try await client.createAdGroups(token: token, adAccountID: account, adGroups) }
    }

    public func adGroups(campaignIDs: [String] = []) async throws -> [AdGroup] {
        try await call { client, token, account in try await client.listAdGroups(token: token, adAccountID: account, campaignIDs: campaignIDs) }
    }

    public func createAds(_ ads: [AdCreate]) async throws -> [BulkItem<Ad>] {
        try await call { client, token, account in try await client.createAds(token: token, adAccountID: account, ads) }
    }

    public func ads(adGroupIDs: [String] = []) async throws -> [Ad] {
        try await call { client, token, account in try await client.listAds(token: token, adAccountID: account, adGroupIDs: adGroupIDs) }
    }

    public func campaignAnalytics(
        startDate: String, endDate: String, campaignIDs: [String], columns: [String], granularity: AnalyticsGranularity
    ) async throws -> [[String: JSONValue]] {
        try await call { client, token, account in
            try await client.campaignAnalytics(
                token: token, adAccountID: account, startDate: startDate, endDate: endDate, campaignIDs: campaignIDs, columns: columns,
                granularity: granularity)
        }
    }

    // MARK: - Conversions

    /// What became of a send with the ad account's conversion token.
    public enum ConversionTokenAttempt: Sendable {
        /// The ad account has none: send with the OAuth token.
        case noConversionToken
        case sent(ConversionResponse)
        /// Pinterest refused it (revoked in Ads Manager, say), with this message: it is dropped
        /// (never sent again), and the events go with the OAuth token.
        case refused(String)
    }

    /// Sends encoded events with the ad account's conversion token, when it has one.
    public func sendConversionsWithConversionToken(_ events: [String], test: Bool) async throws -> ConversionTokenAttempt {
        guard let conversionToken = try await connection.tokens.conversionToken(adAccountID: adAccountID) else { return .noConversionToken }
        do {
            return .sent(try await connection.client.sendEncodedEvents(token: conversionToken, adAccountID: adAccountID, events: events, test: test))
        } catch PinterestError.unauthorized(let status, _, let message, _) where status == 401 {
            try await connection.tokens.dropConversionToken(adAccountID: adAccountID, reason: message)
            return .refused(message)
        }
    }

    /// Sends encoded events with the connection's OAuth token.
    public func sendConversions(_ events: [String], test: Bool) async throws -> ConversionResponse {
        try await call { client, token, account in
            try await client.sendEncodedEvents(token: token, adAccountID: account, events: events, test: test)
        }
    }

    /// A conversion token (events only, long-lived) minted with the connection's OAuth token.
    public func mintConversionToken() async throws -> ConversionTokenResponse {
        try await connection.call { client, token in try await client.createConversionToken(token: token) }
    }
}

/// The calls of one connection, whatever the ad account: its current token, one refresh and
/// one retry on a 401, and every outcome recorded for health.
struct ConnectionCalls: Sendable {
    let connectionID: Int64
    let tokens: TokenManager
    let client: PinterestClient

    /// Every ad account the connection's token can use.
    func adAccounts() async throws -> [AdAccount] {
        try await call { client, token in try await client.listAdAccounts(token: token) }
    }

    /// One call with the connection's token; a 401 gets one refresh (or the token another
    /// caller's refresh put in place) and one retry.
    func call<T: Sendable>(_ operation: @Sendable (PinterestClient, AccessToken) async throws -> T) async throws -> T {
        do {
            let token = try await tokens.token(connectionID: connectionID)
            let result: T
            do {
                result = try await operation(client, token)
            } catch PinterestError.unauthorized(let status, let code, let message, _) where status == 401 {
                // A 403 is a refusal of one resource (code 29, not permitted), not a dead token.
                let renewed = try await tokens.renew(refused: token, connectionID: connectionID, code: code, message: message)
                result = try await operation(client, renewed)
            }
            await tokens.recordCall(connectionID: connectionID, error: nil)
            return result
        } catch {
            await tokens.recordCall(connectionID: connectionID, error: error)
            throw error
        }
    }
}

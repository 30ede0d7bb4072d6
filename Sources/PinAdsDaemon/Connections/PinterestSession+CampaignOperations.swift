import Foundation
import PinAdsJSON
import PinterestAPI

// The session's calls for running campaigns after their launch: updates, reading every
// level back (archived ones too), conversion tags, keywords, and ad group and ad analytics.

extension PinterestSession {
    /// Every status a read-back asks for: archived objects are read too (Pinterest's lists
    /// leave them out by default).
    static let readStatuses = ["ACTIVE", "PAUSED", "ARCHIVED"]

    public func updateCampaigns(_ items: [CampaignUpdate]) async throws -> [BulkItem<Campaign>] {
        try await call { client, token, account in try await client.updateCampaigns(token: token, adAccountID: account, items) }
    }

    public func updateAdGroups(_ items: [AdGroupUpdate]) async throws -> [BulkItem<AdGroup>] {
        try await call { client, token, account in try await client.updateAdGroups(token: token, adAccountID: account, items) }
    }

    public func updateAds(_ items: [AdUpdate]) async throws -> [BulkItem<Ad>] {
        try await call { client, token, account in try await client.updateAds(token: token, adAccountID: account, items) }
    }

    /// Campaigns by Pinterest id, whatever their status.
    public func readCampaigns(ids: [String]) async throws -> [Campaign] {
        try await call { client, token, account in
            try await client.listCampaigns(token: token, adAccountID: account, campaignIDs: ids, entityStatuses: Self.readStatuses)
        }
    }

    /// The ad groups of these campaigns (or these ad groups), whatever their status.
    public func readAdGroups(campaignIDs: [String] = [], adGroupIDs: [String] = []) async throws -> [AdGroup] {
        try await call { client, token, account in
            try await client.listAdGroups(
                token: token, adAccountID: account, campaignIDs: campaignIDs, adGroupIDs: adGroupIDs, entityStatuses: Self.readStatuses)
        }
    }

    /// The ads of these campaigns (or these ads), whatever their status.
    public func readAds(campaignIDs: [String] = [], adIDs: [String] = []) async throws -> [Ad] {
        try await call { client, token, account in
            try await client.listAds(token: token, adAccountID: account, campaignIDs: campaignIDs, adIDs: adIDs, entityStatuses: Self.readStatuses)
        }
    }

    public func conversionTags() async throws -> [ConversionTag] {
        try await call { client, token, account in try await client.listConversionTags(token: token, adAccountID: account) }
    }

    public func createConversionTag(_ tag: ConversionTagCreate) async throws -> ConversionTag {
        try await call { client, token, account in try await client.createConversionTag(token: token, adAccountID: account, tag) }
    }

    public func keywords(adGroupID: String) async throws -> [Keyword] {
        try await call { client, token, account in try await client.listKeywords(token: token, adAccountID: account, adGroupID: adGroupID) }
    }

    public func createKeywords(parentID: String, _ keywords: [KeywordSpec]) async throws -> KeywordsResult {
        try await call { client, token, account in
            try await client.createKeywords(token: token, adAccountID: account, parentID: parentID, keywords)
        }
    }

    public func updateKeywords(_ updates: [KeywordUpdate]) async throws -> KeywordsResult {
        try await call { client, token, account in try await client.updateKeywords(token: token, adAccountID: account, updates) }
    }

    public func adGroupAnalytics(
        startDate: String, endDate: String, adGroupIDs: [String], columns: [String], granularity: AnalyticsGranularity
    ) async throws -> [[String: JSONValue]] {
        try await call { client, token, account in
            try await client.adGroupAnalytics(
                token: token, adAccountID: account, startDate: startDate, endDate: endDate, adGroupIDs: adGroupIDs, columns: columns,
                granularity: granularity)
        }
    }

    public func adAnalytics(
        startDate: String, endDate: String, adIDs: [String], columns: [String], granularity: AnalyticsGranularity
    ) async throws -> [[String: JSONValue]] {
        try await call { client, token, account in
            try await client.adAnalytics(
                token: token, adAccountID: account, startDate: startDate, endDate: endDate, adIDs: adIDs, columns: columns, granularity: granularity)
        }
    }
}

/// A Pinterest operation: its `operationId` in the spec and its rate-limit category
/// (`x-ratelimit-category`), which the limiter keys on.
public struct PinterestOperation: Sendable, Hashable, CustomStringConvertible {
    public var id: String
    public var category: String

    public var description: String { id }

    public init(id: String, category: String) {
        self.id = id
        self.category = category
    }

    /// Whether sending the call twice does no harm: reads, and conversion events (Pinterest
    /// drops a repeated `event_id`). Creates, updates (every PATCH: customer lists, campaigns,
    /// ad groups, ads, keywords) and token refreshes (the second would spend a rotated refresh
    /// token) are not.
    public func isReplaySafe(method: String) -> Bool {
        method == "GET" || self == .eventsCreate
    }

    public static let oauthToken = PinterestOperation(id: "oauth/token", category: "org_read")
    public static let oauthConversionToken = PinterestOperation(id: "oauth/conversion_token", category: "org_write")
    public static let adAccountsList = PinterestOperation(id: "ad_accounts/list", category: "ads_read")
    /// The token's user (issue 16: a connection's identity).
    public static let userAccountGet = PinterestOperation(id: "user_account/get", category: "org_read")
    public static let customerListsCreate = PinterestOperation(id: "customer_lists/create", category: "ads_write")
    public static let customerListsUpdate = PinterestOperation(id: "customer_lists/update", category: "ads_write")
    public static let customerListsGet = PinterestOperation(id: "customer_lists/get", category: "ads_read")
    public static let customerListsList = PinterestOperation(id: "customer_lists/list", category: "ads_read")
    public static let audiencesCreate = PinterestOperation(id: "audiences/create", category: "ads_write")
    public static let audiencesGet = PinterestOperation(id: "audiences/get", category: "ads_read")
    public static let audiencesList = PinterestOperation(id: "audiences/list", category: "ads_read")
    public static let campaignsCreate = PinterestOperation(id: "campaigns/create", category: "ads_write")
    public static let campaignsList = PinterestOperation(id: "campaigns/list", category: "ads_read")
    public static let adGroupsCreate = PinterestOperation(id: "ad_groups/create", category: "ads_write")
    public static let adGroupsList = PinterestOperation(id: "ad_groups/list", category: "ads_read")
    public static let adsCreate = PinterestOperation(id: "ads/create", category: "ads_write")
    public static let adsList = PinterestOperation(id: "ads/list", category: "ads_read")
    public static let eventsCreate = PinterestOperation(id: "events/create", category: "ads_conversions")
    public static let campaignsAnalytics = PinterestOperation(id: "campaigns/analytics", category: "ads_analytics")
    public static let campaignsUpdate = PinterestOperation(id: "campaigns/update", category: "ads_write")
    public static let adGroupsUpdate = PinterestOperation(id: "ad_groups/update", category: "ads_write")
    public static let adsUpdate = PinterestOperation(id: "ads/update", category: "ads_write")
    public static let conversionTagsList = PinterestOperation(id: "conversion_tags/list", category: "ads_read")
    public static let conversionTagsCreate = PinterestOperation(id: "conversion_tags/create", category: "ads_write")
    public static let conversionTagsGet = PinterestOperation(id: "conversion_tags/get", category: "ads_read")
    public static let keywordsCreate = PinterestOperation(id: "keywords/create", category: "ads_write")
    /// The keyword list (`GET …/keywords`; the spec calls it `keywords/get`).
    public static let keywordsGet = PinterestOperation(id: "keywords/get", category: "ads_read")
    public static let keywordsUpdate = PinterestOperation(id: "keywords/update", category: "ads_write")
    public static let adGroupsAnalytics = PinterestOperation(id: "ad_groups/analytics", category: "ads_analytics")
    public static let adsAnalytics = PinterestOperation(id: "ads/analytics", category: "ads_analytics")
}

/// Asked before every call: the rate limiter plugs in here, so no call bypasses it.
public protocol PinterestRequestGate: Sendable {
    /// Returns when the call may go; throws to refuse it.
    func admit(_ operation: PinterestOperation, token: AccessToken?) async throws
    /// Told, once for every admitted call, that it finished: its status and headers (a 429,
    /// `x-ratelimit-*`), or status 0 when no answer came (timeout, connection lost).
    func observe(_ operation: PinterestOperation, token: AccessToken?, status: Int, headers: [String: String]) async
}

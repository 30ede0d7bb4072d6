/// The stored objects of the simulated Pinterest. Each keeps the fields the sandbox's rules need
/// as typed values, and the rest as the JSON it answers with.

struct UserRecord: Sendable {
    var id: String
    var username: String
    var adAccountIDs: [String]
}

struct AccessTokenRecord: Sendable {
    var userID: String
    var expiresAt: Int64
    var revoked = false
}

/// A conversion token (`POST /v5/oauth/conversion_token`): long-lived (no expiry), valid only
/// for `events/create` on the ad accounts of its user, until revoked through the control API.
struct ConversionTokenRecord: Sendable {
    var userID: String
    var revoked = false
}

struct RefreshTokenRecord: Sendable {
    var userID: String
    var expiresAt: Int64
    /// Set when the token was rotated out by a refresh or revoked through the control API.
    var revoked = false
}

struct AuthorizationCodeRecord: Sendable {
    var adAccounts: Int
    /// When set at minting, the token exchange must send the same `redirect_uri`.
    var redirectURI: String?
}

struct AdAccountRecord: Sendable {
    var id: String
    var name: String
    var ownerID: String
    var createdAt: Int64
}

struct CustomerListRecord: Sendable {
    var id: String
    var adAccountID: String
    var name: String
    var listType: String
    /// Distinct records currently in the list.
    var records: Set<String> = []
    /// How many of ``records`` match a Pinterest user.
    var matched = 0
    var uploaded = 0
    var removed = 0
    var batches = 0
    var createdAt: Int64
    var updatedAt: Int64
}

struct AudienceRecord: Sendable {
    var id: String
    var adAccountID: String
    var name: String
    var audienceType: String
    var description: String?
    var rule: JSONValue
    /// For CUSTOMER_LIST audiences: the list whose matched users make the audience.
    var customerListID: String?
    /// For other types: a size fixed at creation (nil = unknown).
    var fixedSize: Int?
    var createdAt: Int64
    var updatedAt: Int64
}

struct CampaignRecord: Sendable {
    var id: String
    var adAccountID: String
    var name: String
    var status: String
    var objectiveType: String
    var isBudgetOptimized: Bool
    var startTime: Int64?
    var endTime: Int64?
    /// The `data` object without `summary_status`, which depends on the sandbox clock.
    var json: JSONObject
}

struct AdGroupRecord: Sendable {
    var id: String
    var adAccountID: String
    var campaignID: String
    var status: String
    var startTime: Int64?
    var endTime: Int64?
    var json: JSONObject
}

struct AdRecord: Sendable {
    var id: String
    var adAccountID: String
    var campaignID: String
    var adGroupID: String
    var status: String
    var json: JSONObject
}

/// The id families the sandbox mints. IDs are digit strings that grow with creation order, so
/// ordering by id is ordering by age, as the spec says of Pinterest's ids. Some families are
/// 18 digits (beyond 2^53, which breaks clients that parse ids as doubles), some shorter.
enum IDKind: Int, Sendable, CaseIterable {
    case user, adAccount, customerList, audience, campaign, adGroup, ad

    var base: UInt64 {
        switch self {
        case .user: 549_755_813_888_000_000
        case .adAccount: 549_755_810_000
        case .customerList: 2_542_620_900_000
        case .audience: 2_542_622_000_000
        case .campaign: 626_735_565_838_000_000
        case .adGroup: 2_680_059_592_705_000
        case .ad: 687_195_134_316_000_000
        }
    }

    var stride: UInt64 {
        switch self {
        case .user: 7919
        case .adAccount: 17
        case .customerList: 13
        case .audience: 11
        case .campaign: 7919
        case .adGroup: 7
        case .ad: 7
        }
    }
}

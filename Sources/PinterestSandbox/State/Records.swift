/// The stored objects of the simulated Pinterest. Each keeps the fields the sandbox's rules need
/// as typed values, and the rest as the JSON it answers with.

struct UserRecord: Sendable {
    var id: String
    var username: String
    /// The ad accounts the user owns, in creation (= ascending id) order.
    var adAccountIDs: [String]
    /// Ad accounts of other owners the user has Business Access to, in ascending id order.
    var sharedAdAccountIDs: [String] = []
}

struct AccessTokenRecord: Sendable {
    var userID: String
    var expiresAt: Int64
    /// The granted scopes; an operation whose `security` asks for another one is refused.
    var scopes: [String]
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
    /// The scopes of the grant; every refresh keeps them.
    var scopes: [String]
    /// Set when the token was rotated out by a refresh or revoked through the control API.
    var revoked = false
}

/// An authorization code for `grant_type=authorization_code`.
struct AuthorizationCodeRecord: Sendable {
    /// Who the exchange mints tokens for.
    enum Grantee: Sendable {
        /// An existing user (the one who approved at `GET /oauth/`).
        case user(String)
        /// A user created at the exchange (codes minted by `POST /_sandbox/codes`).
        case newUser(adAccounts: Int, currency: String)
    }

    var grantee: Grantee
    /// When set, the exchange must send exactly this `redirect_uri` (always set for codes of the
    /// browser step).
    var redirectURI: String?
    /// When set, the exchange's HTTP Basic app id must be this one.
    var clientID: String?
    var scopes: [String] = PinterestScope.pinadsGrant
    /// Sandbox seconds after which the code is refused; nil = never (minted codes).
    var expiresAt: Int64?
}

struct AdAccountRecord: Sendable {
    var id: String
    var name: String
    var ownerID: String
    var createdAt: Int64
    /// A code of the `Currency` enum.
    var currency: String
    /// A code of the `Country` enum.
    var country: String
    /// Users other than the owner with Business Access, and their roles (`BusinessAccessRole`).
    var businessAccess: [String: [String]] = [:]

    /// The roles `userID` holds on the account: `["OWNER"]` for the owner, the granted roles
    /// for a user with Business Access, nil for anyone else.
    func permissions(of userID: String) -> [String]? {
        userID == ownerID ? [BusinessAccessRole.owner] : businessAccess[userID]
    }
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
    /// Pinterest's ad review, answered as `review_status`, `rejected_reasons` and
    /// `rejection_labels` (which are not kept in ``json``).
    var review: AdReview
    var json: JSONObject
}

/// Where an ad stands in Pinterest's review (`review_status`: OTHER, PENDING, REJECTED,
/// APPROVED). A PENDING review with ``approvesAt`` set becomes APPROVED at that sandbox time.
struct AdReview: Sendable, Equatable {
    var status: String
    var rejectedReasons: [String] = []
    var rejectionLabels: [String] = []
    var approvesAt: Int64? = nil
}

/// A conversion tag (Pinterest tag) of one ad account; `json` is the `ConversionTag` answer.
struct ConversionTagRecord: Sendable {
    var id: String
    var adAccountID: String
    var json: JSONObject
}

/// A keyword (`/keywords`) whose parent is an ad account, a campaign or an ad group.
struct KeywordRecord: Sendable {
    var id: String
    var adAccountID: String
    /// The parent's id, digits only (no `C`/`AG` prefix).
    var parentID: String
    /// `advertiser`, `campaign` or `ad_group`.
    var parentType: String
    var value: String
    var matchType: String
    var archived = false
}

/// The id families the sandbox mints. IDs are digit strings that grow with creation order, so
/// ordering by id is ordering by age, as the spec says of Pinterest's ids. Some families are
/// 18 digits (beyond 2^53, which breaks clients that parse ids as doubles), some shorter.
enum IDKind: Int, Sendable, CaseIterable {
    case user, adAccount, customerList, audience, campaign, adGroup, ad, conversionTag, keyword

    var base: UInt64 {
        switch self {
        case .user: 549_755_813_888_000_000
        case .adAccount: 549_755_810_000
        case .customerList: 2_542_620_900_000
        case .audience: 2_542_622_000_000
        case .campaign: 626_735_565_838_000_000
        case .adGroup: 2_680_059_592_705_000
        case .ad: 687_195_134_316_000_000
        case .conversionTag: 2_617_998_070_000
        case .keyword: 383_791_336_903_000_000
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
        case .conversionTag: 13
        case .keyword: 7
        }
    }
}

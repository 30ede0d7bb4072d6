/// Pinterest's OAuth scopes, Business Access roles and currencies, as openapi.yaml (v5.23.0)
/// lists them, and which of them each operation the sandbox serves asks for.

/// The scopes of the `pinterest_oauth2` security scheme.
enum PinterestScope {
    static let all: Set<String> = [
        "ads:read", "ads:write", "billing:read", "billing:write", "biz_access:read", "biz_access:write", "boards:read",
        "boards:read_secret", "boards:write", "boards:write_secret", "catalogs:read", "catalogs:write", "msot:write",
        "pins:read", "pins:read_secret", "pins:write", "pins:write_secret", "user_accounts:read",
        "user_accounts:write",
    ]

    /// What seeded tokens, minted codes and `sandbox-code*` codes are granted: the scopes pinads
    /// asks for (NOTES §1.1).
    static let pinadsGrant = ["ads:read", "ads:write", "user_accounts:read"]

    /// The scopes of a `scope` parameter: comma- or space-separated (NOTES §1.1, §1.4), empty
    /// entries skipped, duplicates dropped, order kept.
    static func split(_ text: String) -> [String] {
        var seen = Set<String>()
        return text.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init).filter { seen.insert($0).inserted }
    }

    /// How a granted scope list is written in token answers.
    static func joined(_ scopes: [String]) -> String { scopes.joined(separator: ",") }
}

/// The `BusinessAccessRole` enum. OWNER is the owner's alone; every other role can be granted.
enum BusinessAccessRole {
    static let owner = "OWNER"
    static let all: [String] = [
        "OWNER", "ADMIN", "ANALYST", "SOS_READER", "FINANCE_MANAGER", "FINANCE_VIEW", "FINANCE_EDIT",
        "AUDIENCE_MANAGER", "CAMPAIGN_MANAGER", "CATALOGS_MANAGER", "RESTRICTED_OWNER", "PROFILE_MANAGER",
        "PROFILE_PUBLISHER", "RESOURCE_PINNER_LIST_OWNER", "RESOURCE_PINNER_LIST_READER", "BIZ_PINNER_LIST_SHARER",
        "RESOURCE_CONVERSION_TAGS_READER",
    ]
    static let grantable: Set<String> = Set(all).subtracting([owner])
}

/// The `Currency` enum (ISO 4217, 27 values) and a country to go with each for new ad accounts.
enum PinterestCurrency {
    static let all: [String] = [
        "UNK", "USD", "GBP", "CAD", "EUR", "AUD", "NZD", "SEK", "ILS", "CHF", "HKD", "JPY", "SGD", "KRW", "NOK", "DKK",
        "PLN", "RON", "HUF", "CZK", "BRL", "MXN", "ARS", "CLP", "COP", "INR", "TRY",
    ]
    static let codes: Set<String> = Set(all)

    /// The `country` (ISO 3166-1 alpha-2, of the `Country` enum) a sandbox ad account in
    /// `currency` gets: the currency's home country (Germany for EUR), US for UNK.
    static func country(for currency: String) -> String {
        switch currency {
        case "GBP": "GB"
        case "CAD": "CA"
        case "EUR": "DE"
        case "AUD": "AU"
        case "NZD": "NZ"
        case "SEK": "SE"
        case "ILS": "IL"
        case "CHF": "CH"
        case "HKD": "HK"
        case "JPY": "JP"
        case "SGD": "SG"
        case "KRW": "KR"
        case "NOK": "NO"
        case "DKK": "DK"
        case "PLN": "PL"
        case "RON": "RO"
        case "HUF": "HU"
        case "CZK": "CZ"
        case "BRL": "BR"
        case "MXN": "MX"
        case "ARS": "AR"
        case "CLP": "CL"
        case "COP": "CO"
        case "INR": "IN"
        case "TRY": "TR"
        default: "US"
        }
    }
}

extension Operation {
    /// The scope the operation's `security` block asks of a `pinterest_oauth2` token; nil for
    /// `oauth/token` (HTTP Basic). A conversion token needs none (its own scheme).
    var requiredScope: String? {
        switch self {
        case .oauthToken: nil
        case .userAccountGet: "user_accounts:read"
        case .adAccountsList, .adAccountsGet, .customerListsList, .customerListsGet, .audiencesList, .audiencesGet,
            .campaignsList, .campaignsGet, .campaignsAnalytics, .adGroupsList, .adGroupsGet, .adGroupsAnalytics,
            .adsList, .adsGet, .adsAnalytics, .conversionTagsList, .conversionTagsGet, .keywordsGet:
            "ads:read"
        case .oauthConversionToken, .customerListsCreate, .customerListsUpdate, .audiencesCreate, .campaignsCreate,
            .campaignsUpdate, .adGroupsCreate, .adGroupsUpdate, .adsCreate, .adsUpdate, .conversionTagsCreate,
            .keywordsCreate, .keywordsUpdate, .eventsCreate:
            "ads:write"
        }
    }

    /// The Business Access roles an operation's description requires of a user who does not own
    /// the ad account; nil when the description names none (any granted role will do).
    /// `campaigns/list` and the analytics of campaigns, ad groups and ads: Admin, Analyst,
    /// Campaign Manager; `events/create`: Admin, Analyst, Audience (Manager), Campaign (Manager).
    var businessAccessRoles: Set<String>? {
        switch self {
        case .campaignsList, .campaignsAnalytics, .adGroupsAnalytics, .adsAnalytics: ["ADMIN", "ANALYST", "CAMPAIGN_MANAGER"]
        case .eventsCreate: ["ADMIN", "ANALYST", "AUDIENCE_MANAGER", "CAMPAIGN_MANAGER"]
        default: nil
        }
    }
}

/// The `/v5` operations the sandbox serves, named by the spec's `operationId`.
enum Operation: String, Sendable, CaseIterable {
    case oauthToken = "oauth/token"
    case oauthConversionToken = "oauth/conversion_token"
    case userAccountGet = "user_account/get"
    case adAccountsList = "ad_accounts/list"
    case adAccountsGet = "ad_accounts/get"
    case customerListsCreate = "customer_lists/create"
    case customerListsList = "customer_lists/list"
    case customerListsGet = "customer_lists/get"
    case customerListsUpdate = "customer_lists/update"
    case audiencesCreate = "audiences/create"
    case audiencesList = "audiences/list"
    case audiencesGet = "audiences/get"
    case campaignsCreate = "campaigns/create"
    case campaignsUpdate = "campaigns/update"
    case campaignsList = "campaigns/list"
    case campaignsGet = "campaigns/get"
    case campaignsAnalytics = "campaigns/analytics"
    case adGroupsCreate = "ad_groups/create"
    case adGroupsUpdate = "ad_groups/update"
    case adGroupsList = "ad_groups/list"
    case adGroupsGet = "ad_groups/get"
    case adGroupsAnalytics = "ad_groups/analytics"
    case adsCreate = "ads/create"
    case adsUpdate = "ads/update"
    case adsList = "ads/list"
    case adsGet = "ads/get"
    case adsAnalytics = "ads/analytics"
    case conversionTagsCreate = "conversion_tags/create"
    case conversionTagsList = "conversion_tags/list"
    case conversionTagsGet = "conversion_tags/get"
    case keywordsCreate = "keywords/create"
    case keywordsGet = "keywords/get"
    case keywordsUpdate = "keywords/update"
    case eventsCreate = "events/create"

    /// The spec's `x-ratelimit-category` of the operation.
    var rateLimitCategory: String {
        switch self {
        case .oauthToken, .userAccountGet: "org_read"
        case .adAccountsList, .adAccountsGet, .customerListsList, .customerListsGet, .audiencesList, .audiencesGet,
            .campaignsList, .campaignsGet, .adGroupsList, .adGroupsGet, .adsList, .adsGet, .conversionTagsList,
            .conversionTagsGet, .keywordsGet:
            "ads_read"
        case .customerListsCreate, .customerListsUpdate, .audiencesCreate, .campaignsCreate, .campaignsUpdate,
            .adGroupsCreate, .adGroupsUpdate, .adsCreate, .adsUpdate, .conversionTagsCreate, .keywordsCreate,
            .keywordsUpdate:
            "ads_write"
        case .campaignsAnalytics, .adGroupsAnalytics, .adsAnalytics: "ads_analytics"
        case .eventsCreate: "ads_conversions"
        case .oauthConversionToken: "org_write"
        }
    }

    /// Whether the operation takes `Authorization: Bearer` (everything but `oauth/token`).
    var needsBearer: Bool { self != .oauthToken }

    /// Whether a conversion token (security scheme `conversion_token`) authenticates the
    /// operation besides an OAuth access token: only `events/create`.
    var acceptsConversionToken: Bool { self == .eventsCreate }
}

/// A matched `/v5` request: the operation and the ids taken from the path.
struct Route: Sendable, Equatable {
    var operation: Operation
    /// `{ad_account_id}` when the path has one.
    var adAccountID: String?
    /// The id after the collection (`{customer_list_id}`, `{campaign_id}`, …) when there is one.
    var resourceID: String?
}

/// Why a `/v5` path did not resolve to an operation.
enum RouteFailure: Error, Sendable, Equatable {
    case notFound
    case methodNotAllowed(allowed: [String])
}

enum Router {
    /// Resolves a `/v5/...` path (query removed) and method to an operation.
    static func match(method: String, path: String) -> Result<Route, RouteFailure> {
        guard path.hasPrefix("/v5/") else { return .failure(.notFound) }
        let segments = path.dropFirst(4).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !segments.contains(where: \.isEmpty), let table = routes(segments), !table.isEmpty else { return .failure(.notFound) }
        if let route = table[method] { return .success(route) }
        return .failure(.methodNotAllowed(allowed: table.keys.sorted()))
    }

    /// The operations of a path, by method; nil for a path the API does not have.
    private static func routes(_ segments: [String]) -> [String: Route]? {
        switch segments.count {
        case 1:
            switch segments[0] {
            case "ad_accounts": return ["GET": Route(operation: .adAccountsList)]
            case "user_account": return ["GET": Route(operation: .userAccountGet)]
            default: return nil
            }
        case 2:
            if segments == ["oauth", "token"] { return ["POST": Route(operation: .oauthToken)] }
            if segments == ["oauth", "conversion_token"] { return ["POST": Route(operation: .oauthConversionToken)] }
            guard segments[0] == "ad_accounts", isPathID(segments[1]) else { return nil }
            return ["GET": Route(operation: .adAccountsGet, adAccountID: segments[1])]
        case 3:
            guard segments[0] == "ad_accounts", isPathID(segments[1]) else { return nil }
            return collectionRoutes(account: segments[1], collection: segments[2])
        case 4:
            guard segments[0] == "ad_accounts", isPathID(segments[1]) else { return nil }
            return resourceRoutes(account: segments[1], collection: segments[2], id: segments[3])
        default:
            return nil
        }
    }

    /// `/ad_accounts/{id}/{collection}`.
    private static func collectionRoutes(account: String, collection: String) -> [String: Route]? {
        switch collection {
        case "customer_lists":
            return [
                "POST": Route(operation: .customerListsCreate, adAccountID: account),
                "GET": Route(operation: .customerListsList, adAccountID: account),
            ]
        case "audiences":
            return [
                "POST": Route(operation: .audiencesCreate, adAccountID: account),
                "GET": Route(operation: .audiencesList, adAccountID: account),
            ]
        case "campaigns":
            return [
                "POST": Route(operation: .campaignsCreate, adAccountID: account),
                "GET": Route(operation: .campaignsList, adAccountID: account),
                "PATCH": Route(operation: .campaignsUpdate, adAccountID: account),
            ]
        case "ad_groups":
            return [
                "POST": Route(operation: .adGroupsCreate, adAccountID: account),
                "GET": Route(operation: .adGroupsList, adAccountID: account),
                "PATCH": Route(operation: .adGroupsUpdate, adAccountID: account),
            ]
        case "ads":
            return [
                "POST": Route(operation: .adsCreate, adAccountID: account),
                "GET": Route(operation: .adsList, adAccountID: account),
                "PATCH": Route(operation: .adsUpdate, adAccountID: account),
            ]
        case "conversion_tags":
            return [
                "POST": Route(operation: .conversionTagsCreate, adAccountID: account),
                "GET": Route(operation: .conversionTagsList, adAccountID: account),
            ]
        case "keywords":
            return [
                "POST": Route(operation: .keywordsCreate, adAccountID: account),
                "GET": Route(operation: .keywordsGet, adAccountID: account),
                "PATCH": Route(operation: .keywordsUpdate, adAccountID: account),
            ]
        case "events":
            return ["POST": Route(operation: .eventsCreate, adAccountID: account)]
        default:
            return nil
        }
    }

    /// `/ad_accounts/{id}/{collection}/{id}` (and the analytics of campaigns, ad groups and ads).
    private static func resourceRoutes(account: String, collection: String, id: String) -> [String: Route]? {
        if id == "analytics" {
            switch collection {
            case "campaigns": return ["GET": Route(operation: .campaignsAnalytics, adAccountID: account)]
            case "ad_groups": return ["GET": Route(operation: .adGroupsAnalytics, adAccountID: account)]
            case "ads": return ["GET": Route(operation: .adsAnalytics, adAccountID: account)]
            default: return nil
            }
        }
        guard isPathID(id) else { return nil }
        switch collection {
        case "customer_lists":
            return [
                "GET": Route(operation: .customerListsGet, adAccountID: account, resourceID: id),
                "PATCH": Route(operation: .customerListsUpdate, adAccountID: account, resourceID: id),
            ]
        case "audiences": return ["GET": Route(operation: .audiencesGet, adAccountID: account, resourceID: id)]
        case "campaigns": return ["GET": Route(operation: .campaignsGet, adAccountID: account, resourceID: id)]
        case "ad_groups": return ["GET": Route(operation: .adGroupsGet, adAccountID: account, resourceID: id)]
        case "ads": return ["GET": Route(operation: .adsGet, adAccountID: account, resourceID: id)]
        case "conversion_tags":
            return ["GET": Route(operation: .conversionTagsGet, adAccountID: account, resourceID: id)]
        default: return nil
        }
    }

    /// Path ids in the spec: `^\d+$`, at most 18 characters.
    static func isPathID(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 18 && text.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
    }
}

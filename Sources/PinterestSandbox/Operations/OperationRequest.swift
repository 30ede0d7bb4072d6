/// One authenticated (or, for `oauth/token`, credential-checked) `/v5` call handed to an
/// operation handler.
struct OperationRequest: Sendable {
    var route: Route
    var request: SandboxRequest
    var query: QueryParameters
    /// The token's user; empty for `oauth/token`.
    var userID: String
    /// The parsed JSON body, for operations that take one.
    var json: JSONValue?
    /// Work on the body done before the state lock was taken (events, customer-list records).
    var preparedEvents: Result<SandboxState.PreparedEvents, APIError>? = nil
    var preparedRecords: SandboxState.PreparedRecords? = nil

    /// The JSON body as an object, or a 400.
    func bodyObject() throws(APIError) -> JSONObject {
        guard let object = json?.objectValue else {
            throw .invalidParameters("the request body must be a JSON object.")
        }
        return object
    }
}

extension SandboxState {
    /// The one dispatch point from operation to handler (after the Business Access role check).
    mutating func perform(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        try checkBusinessAccessRole(call)
        return switch call.route.operation {
        case .oauthToken: try oauthToken(call)
        case .oauthConversionToken: oauthConversionToken(call)
        case .userAccountGet: try userAccountGet(call)
        case .adAccountsList: try adAccountsList(call)
        case .adAccountsGet: try adAccountsGet(call)
        case .customerListsCreate: try customerListsCreate(call)
        case .customerListsList: try customerListsList(call)
        case .customerListsGet: try customerListsGet(call)
        case .customerListsUpdate: try customerListsUpdate(call)
        case .audiencesCreate: try audiencesCreate(call)
        case .audiencesList: try audiencesList(call)
        case .audiencesGet: try audiencesGet(call)
        case .campaignsCreate: try campaignsCreate(call)
        case .campaignsUpdate: try campaignsUpdate(call)
        case .campaignsList: try campaignsList(call)
        case .campaignsGet: try campaignsGet(call)
        case .campaignsAnalytics: try campaignsAnalytics(call)
        case .adGroupsCreate: try adGroupsCreate(call)
        case .adGroupsUpdate: try adGroupsUpdate(call)
        case .adGroupsList: try adGroupsList(call)
        case .adGroupsGet: try adGroupsGet(call)
        case .adGroupsAnalytics: try adGroupsAnalytics(call)
        case .adsCreate: try adsCreate(call)
        case .adsUpdate: try adsUpdate(call)
        case .adsList: try adsList(call)
        case .adsGet: try adsGet(call)
        case .adsAnalytics: try adsAnalytics(call)
        case .conversionTagsCreate: try conversionTagsCreate(call)
        case .conversionTagsList: try conversionTagsList(call)
        case .conversionTagsGet: try conversionTagsGet(call)
        case .keywordsCreate: try keywordsCreate(call)
        case .keywordsGet: try keywordsGet(call)
        case .keywordsUpdate: try keywordsUpdate(call)
        case .eventsCreate: try eventsCreate(call)
        }
    }

    /// A paginated list answer `{items, bookmark}`.
    func listResponse(_ items: [JSONValue], bookmark: String?) -> SandboxResponse {
        .json(200, ["items": .array(items), "bookmark": JSONValue(bookmark)])
    }
}

extension Operation {
    /// Whether the operation's body is JSON (parsed before the handler runs).
    var takesJSONBody: Bool {
        switch self {
        case .customerListsCreate, .customerListsUpdate, .audiencesCreate, .campaignsCreate, .campaignsUpdate,
            .adGroupsCreate, .adGroupsUpdate, .adsCreate, .adsUpdate, .conversionTagsCreate, .keywordsCreate,
            .keywordsUpdate, .eventsCreate:
            true
        default:
            false
        }
    }
}

/// A method of the daemon: the request type is its `params`, and names its method and result.
///
/// ```swift
/// struct GetJobRequest: PinAdsRequest {
///     static let method = "jobs.get"
///     typealias Result = JobResult
///     var id: Int64
/// }
/// ```
public protocol PinAdsRequest: Codable, Sendable {
    associatedtype Result: Codable & Sendable
    static var method: String { get }
    /// The least role a peer needs to call it: `client` for the data-plane methods other
    /// programs use (conversions, membership changes, reads), `admin` for the rest (the
    /// default: a method that says nothing needs admin).
    static var role: MethodRole { get }
}

extension PinAdsRequest {
    public static var role: MethodRole { .admin }
}

/// What a peer of the daemon may do. `owner` is the daemon's own user (every method); a peer
/// allowed by `--allow-uid`/`--allow-group` is `client` (the data-plane methods) or, with
/// `:admin`, `admin` (every method too).
public enum MethodRole: String, Codable, Sendable, CaseIterable, Comparable {
    case client, admin, owner

    private var rank: Int {
        switch self {
        case .client: return 0
        case .admin: return 1
        case .owner: return 2
        }
    }

    public static func < (lhs: MethodRole, rhs: MethodRole) -> Bool { lhs.rank < rhs.rank }

    /// Whether a peer of this role may call a method that needs `needed`.
    public func may(_ needed: MethodRole) -> Bool { self >= needed }
}

/// A server-streaming method: zero or more `event` frames, then one final result or error.
public protocol PinAdsStreamingRequest: PinAdsRequest {
    associatedtype Event: Codable & Sendable
}

/// Every method of the protocol, in the order of `protocol/methods.md`.
public enum MethodRegistry {
    public static let all: [any PinAdsRequest.Type] = [
        HealthRequest.self,
        StatusRequest.self,
        ListMethodsRequest.self,
        WhoAmIRequest.self,
        SelfTestRequest.self,
        ListJobsRequest.self,
        GetJobRequest.self,
        WatchJobsRequest.self,
        RetryJobRequest.self,
        CancelJobRequest.self,
        ConnectRequest.self,
        AuthorizeURLRequest.self,
        ListConnectionsRequest.self,
        GetConnectionRequest.self,
        SetDefaultAdAccountRequest.self,
        DisconnectRequest.self,
        RefreshConnectionRequest.self,
        ListAdAccountsRequest.self,
        ListScheduleRequest.self,
        RunScheduledTaskRequest.self,
        CreateAudienceRequest.self,
        GetAudienceRequest.self,
        ListAudiencesRequest.self,
        DeleteAudienceRequest.self,
        AddMembersRequest.self,
        RemoveMembersRequest.self,
        ActivateAudienceRequest.self,
        DeactivateAudienceRequest.self,
        ListActivationsRequest.self,
        SyncAudienceRequest.self,
        SyncAllAudiencesRequest.self,
        CreateActalikeRequest.self,
        CreateCampaignRequest.self,
        CreateAdGroupRequest.self,
        CreateAdRequest.self,
        LaunchCampaignRequest.self,
        ListCampaignsRequest.self,
        GetCampaignRequest.self,
        ListAdGroupsRequest.self,
        ListAdsRequest.self,
        TrackCampaignRequest.self,
        CampaignMetricsRequest.self,
        UpdateCampaignRequest.self,
        UpdateAdGroupRequest.self,
        UpdateAdRequest.self,
        ListConversionTagsRequest.self,
        CreateConversionTagRequest.self,
        SendConversionsRequest.self,
        ConversionStatsRequest.self,
        GetConversionRequest.self,
        ListConversionsRequest.self,
        SetConversionTokenRequest.self,
    ]

    public static var names: [String] { all.map { $0.method } }

    private static let byName: [String: any PinAdsRequest.Type] = Dictionary(
        all.map { ($0.method, $0) }, uniquingKeysWith: { first, _ in first })

    /// The request type of a method, nil for a name this build does not know.
    public static func type(named method: String) -> (any PinAdsRequest.Type)? { byName[method] }

    public static func isStreaming(_ type: any PinAdsRequest.Type) -> Bool {
        type is any PinAdsStreamingRequest.Type
    }

    /// The role each method needs, by name (declared by each request type's `role`).
    public static let roles: [String: MethodRole] = Dictionary(all.map { ($0.method, $0.role) }, uniquingKeysWith: { a, _ in a })
}

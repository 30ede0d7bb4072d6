import Foundation

/// What a campaign should be. Money is in micro-currency of the ad account's currency
/// (1 unit = 1,000,000).
public struct CampaignSpec: Codable, Sendable, Equatable {
    /// The default ad account when omitted.
    public var adAccountId: String?
    public var name: String
    /// AWARENESS, CONSIDERATION, WEB_CONVERSION, CATALOG_SALES, VIDEO_COMPLETION (VIDEO_VIEW is
    /// taken as its deprecated alias).
    public var objectiveType: String
    public var dailySpendCap: Int64?
    public var lifetimeSpendCap: Int64?
    /// PAUSED (the default here; Pinterest's own default is ACTIVE) or ACTIVE.
    public var status: String?
    public var startTime: Date?
    public var endTime: Date?

    public init(
        adAccountId: String? = nil, name: String, objectiveType: String, dailySpendCap: Int64? = nil, lifetimeSpendCap: Int64? = nil,
        status: String? = nil, startTime: Date? = nil, endTime: Date? = nil
    ) {
        self.adAccountId = adAccountId
        self.name = name
        self.objectiveType = objectiveType
        self.dailySpendCap = dailySpendCap
        self.lifetimeSpendCap = lifetimeSpendCap
        self.status = status
        self.startTime = startTime
        self.endTime = endTime
    }

    enum CodingKeys: String, CodingKey {
        case name, status
        case adAccountId = "ad_account_id"
        case objectiveType = "objective_type"
        case dailySpendCap = "daily_spend_cap"
        case lifetimeSpendCap = "lifetime_spend_cap"
        case startTime = "start_time"
        case endTime = "end_time"
    }
}

/// Where a campaign, ad group or ad stands: `PENDING` until Pinterest has it, `CREATED`
/// with its Pinterest id, `ERROR` when Pinterest refused it (`error` says why).
public enum BuildState: String, Codable, Sendable, CaseIterable {
    case pending = "PENDING", created = "CREATED", error = "ERROR"
}

/// Pinterest's refusal of an object.
public struct BuildError: Codable, Sendable, Equatable {
    public var message: String
    public var pinterestCode: Int?
    public init(message: String, pinterestCode: Int?) {
        self.message = message
        self.pinterestCode = pinterestCode
    }
    enum CodingKeys: String, CodingKey {
        case message
        case pinterestCode = "pinterest_code"
    }
}

public struct CampaignInfo: Codable, Sendable, Equatable {
    public var id: Int64
    public var adAccountId: String
    public var spec: CampaignSpec?
    public var pinterestId: String?
    public var state: BuildState
    public var error: BuildError?
    /// Pinterest's status and summary status as last read.
    public var pinterestStatus: String?
    /// Metrics are pulled for it (every campaign created here, and those tracked).
    public var tracked: Bool
    public var clientRequestId: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var pinterest: PinterestReading?
    /// Where Pinterest's state differs from what pinads last set (changed in Ads Manager).
    public var drift: [Drift]?
    public var latestUpdate: UpdateInfo?

    public init(
        id: Int64, adAccountId: String, spec: CampaignSpec?, pinterestId: String?, state: BuildState, error: BuildError?,
        pinterestStatus: String?, tracked: Bool, clientRequestId: String?, createdAt: Date, updatedAt: Date,
        pinterest: PinterestReading? = nil, drift: [Drift]? = nil, latestUpdate: UpdateInfo? = nil
    ) {
        self.pinterest = pinterest
        self.drift = drift
        self.latestUpdate = latestUpdate
        self.id = id
        self.adAccountId = adAccountId
        self.spec = spec
        self.pinterestId = pinterestId
        self.state = state
        self.error = error
        self.pinterestStatus = pinterestStatus
        self.tracked = tracked
        self.clientRequestId = clientRequestId
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, spec, state, error, tracked, pinterest, drift
        case latestUpdate = "latest_update"
        case adAccountId = "ad_account_id"
        case pinterestId = "pinterest_id"
        case pinterestStatus = "pinterest_status"
        case clientRequestId = "client_request_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// `campaigns.create`: a campaign, created at Pinterest by a job.
public struct CreateCampaignRequest: PinAdsRequest {
    public static let method = "campaigns.create"
    public typealias Result = CampaignJobResult
    public var campaign: CampaignSpec
    /// A second call with the same id returns the first campaign instead of making another.
    public var clientRequestId: String?

    public init(campaign: CampaignSpec, clientRequestId: String? = nil) {
        self.campaign = campaign
        self.clientRequestId = clientRequestId
    }

    enum CodingKeys: String, CodingKey {
        case campaign
        case clientRequestId = "client_request_id"
    }
}

public struct CampaignJobResult: Codable, Sendable, Equatable {
    public var campaign: CampaignInfo
    /// The job creating it at Pinterest (its result holds the Pinterest id).
    public var jobId: Int64?
    public init(campaign: CampaignInfo, jobId: Int64?) {
        self.campaign = campaign
        self.jobId = jobId
    }
    enum CodingKeys: String, CodingKey {
        case campaign
        case jobId = "job_id"
    }
}

/// `campaigns.launch`: campaign, ad group and ad as one job. The same `client_request_id`
/// again resumes it from the first level Pinterest does not have; it never makes a second.
public struct LaunchCampaignRequest: PinAdsRequest {
    public static let method = "campaigns.launch"
    public typealias Result = LaunchResult
    public var campaign: CampaignSpec
    public var adGroup: AdGroupSpec
    public var ad: AdSpec
    public var clientRequestId: String
    /// ACTIVE for a launch that should run at once; PAUSED (the default) leaves the campaign
    /// paused until `campaigns.update` resumes it.
    public var status: String?

    public init(campaign: CampaignSpec, adGroup: AdGroupSpec, ad: AdSpec, clientRequestId: String, status: String? = nil) {
        self.status = status
        self.campaign = campaign
        self.adGroup = adGroup
        self.ad = ad
        self.clientRequestId = clientRequestId
    }

    enum CodingKeys: String, CodingKey {
        case campaign, ad, status
        case adGroup = "ad_group"
        case clientRequestId = "client_request_id"
    }
}

public struct LaunchResult: Codable, Sendable, Equatable {
    public var campaign: CampaignInfo
    public var adGroup: AdGroupInfo
    public var ad: AdInfo
    /// The job building what is missing; nil when everything exists already.
    public var jobId: Int64?
    /// True when this `client_request_id` was launched before.
    public var resumed: Bool

    public init(campaign: CampaignInfo, adGroup: AdGroupInfo, ad: AdInfo, jobId: Int64?, resumed: Bool) {
        self.campaign = campaign
        self.adGroup = adGroup
        self.ad = ad
        self.jobId = jobId
        self.resumed = resumed
    }

    enum CodingKeys: String, CodingKey {
        case campaign, ad, resumed
        case adGroup = "ad_group"
        case jobId = "job_id"
    }
}

/// `campaigns.list`: campaigns of this daemon (created or tracked).
public struct ListCampaignsRequest: PinAdsRequest {
    public static let method = "campaigns.list"
    public static let role = MethodRole.client
    public typealias Result = ListCampaignsResult
    public var adAccountId: String?
    public init(adAccountId: String? = nil) { self.adAccountId = adAccountId }
    enum CodingKeys: String, CodingKey { case adAccountId = "ad_account_id" }
}

public struct ListCampaignsResult: Codable, Sendable, Equatable {
    public var campaigns: [CampaignInfo]
    public init(campaigns: [CampaignInfo]) { self.campaigns = campaigns }
}

/// `campaigns.get`: one campaign with its ad groups and ads; `refresh` re-reads Pinterest.
public struct GetCampaignRequest: PinAdsRequest {
    public static let method = "campaigns.get"
    public static let role = MethodRole.client
    public typealias Result = CampaignDetail
    public var campaignId: Int64
    public var refresh: Bool?
    public init(campaignId: Int64, refresh: Bool? = nil) {
        self.campaignId = campaignId
        self.refresh = refresh
    }
    enum CodingKeys: String, CodingKey {
        case refresh
        case campaignId = "campaign_id"
    }
}

public struct CampaignDetail: Codable, Sendable, Equatable {
    public var campaign: CampaignInfo
    public var adGroups: [AdGroupInfo]
    public var ads: [AdInfo]
    public init(campaign: CampaignInfo, adGroups: [AdGroupInfo], ads: [AdInfo]) {
        self.campaign = campaign
        self.adGroups = adGroups
        self.ads = ads
    }
    enum CodingKeys: String, CodingKey {
        case campaign, ads
        case adGroups = "ad_groups"
    }
}

/// `campaigns.track`: pull metrics for a campaign made elsewhere (its Pinterest id).
public struct TrackCampaignRequest: PinAdsRequest {
    public static let method = "campaigns.track"
    public typealias Result = CampaignJobResult
    /// Pinterest's campaign id.
    public var campaignId: String
    public var adAccountId: String?
    public init(campaignId: String, adAccountId: String? = nil) {
        self.campaignId = campaignId
        self.adAccountId = adAccountId
    }
    enum CodingKeys: String, CodingKey {
        case campaignId = "campaign_id"
        case adAccountId = "ad_account_id"
    }
}

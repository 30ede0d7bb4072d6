import Foundation

/// What an ad should be: a promoted Pin.
public struct AdSpec: Codable, Sendable, Equatable {
    public var pinId: String
    /// REGULAR, VIDEO, SHOPPING, CAROUSEL, MAX_VIDEO, SHOP_THE_PIN, COLLECTION, IDEA, SHOWCASE,
    /// QUIZ, COLLAGE, MAX_WIDTH_REGULAR_COLLECTION, MAX_WIDTH_VIDEO_COLLECTION.
    public var creativeType: String
    public var name: String?
    public var clickTrackingUrl: String?
    public var destinationUrl: String?
    public var viewTrackingUrl: String?
    /// ACTIVE or PAUSED; Pinterest's default (ACTIVE) when omitted.
    public var status: String?

    public init(
        pinId: String, creativeType: String, name: String? = nil, clickTrackingUrl: String? = nil, destinationUrl: String? = nil,
        status: String? = nil, viewTrackingUrl: String? = nil
    ) {
        self.viewTrackingUrl = viewTrackingUrl
        self.pinId = pinId
        self.creativeType = creativeType
        self.name = name
        self.clickTrackingUrl = clickTrackingUrl
        self.destinationUrl = destinationUrl
        self.status = status
    }

    enum CodingKeys: String, CodingKey {
        case name, status
        case pinId = "pin_id"
        case creativeType = "creative_type"
        case clickTrackingUrl = "click_tracking_url"
        case destinationUrl = "destination_url"
        case viewTrackingUrl = "view_tracking_url"
    }
}

public struct AdInfo: Codable, Sendable, Equatable {
    public var id: Int64
    public var adGroupId: Int64
    public var spec: AdSpec
    public var pinterestId: String?
    public var state: BuildState
    public var error: BuildError?
    public var createdAt: Date
    public var updatedAt: Date
    /// True for an ad made outside pinads (found under a tracked campaign).
    public var madeElsewhere: Bool?
    /// Pinterest's status and review (review_status, rejected_reasons) as last read.
    public var pinterest: PinterestReading?
    public var drift: [Drift]?
    public var latestUpdate: UpdateInfo?

    public init(
        id: Int64, adGroupId: Int64, spec: AdSpec, pinterestId: String?, state: BuildState, error: BuildError?, createdAt: Date,
        updatedAt: Date, madeElsewhere: Bool? = nil, pinterest: PinterestReading? = nil, drift: [Drift]? = nil,
        latestUpdate: UpdateInfo? = nil
    ) {
        self.madeElsewhere = madeElsewhere
        self.pinterest = pinterest
        self.drift = drift
        self.latestUpdate = latestUpdate
        self.id = id
        self.adGroupId = adGroupId
        self.spec = spec
        self.pinterestId = pinterestId
        self.state = state
        self.error = error
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, spec, state, error, pinterest, drift
        case madeElsewhere = "made_elsewhere"
        case latestUpdate = "latest_update"
        case adGroupId = "ad_group_id"
        case pinterestId = "pinterest_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// `ads.create`: an ad in an ad group of this daemon.
public struct CreateAdRequest: PinAdsRequest {
    public static let method = "ads.create"
    public typealias Result = AdJobResult
    /// The pinads ad group id.
    public var adGroupId: Int64
    public var ad: AdSpec

    public init(adGroupId: Int64, ad: AdSpec) {
        self.adGroupId = adGroupId
        self.ad = ad
    }

    enum CodingKeys: String, CodingKey {
        case ad
        case adGroupId = "ad_group_id"
    }
}

public struct AdJobResult: Codable, Sendable, Equatable {
    public var ad: AdInfo
    public var jobId: Int64?
    public init(ad: AdInfo, jobId: Int64?) {
        self.ad = ad
        self.jobId = jobId
    }
    enum CodingKeys: String, CodingKey {
        case ad
        case jobId = "job_id"
    }
}

/// `ads.list`: ads of one ad group, or all.
public struct ListAdsRequest: PinAdsRequest {
    public static let method = "ads.list"
    public typealias Result = ListAdsResult
    public var adGroupId: Int64?
    public init(adGroupId: Int64? = nil) { self.adGroupId = adGroupId }
    enum CodingKeys: String, CodingKey { case adGroupId = "ad_group_id" }
}

public struct ListAdsResult: Codable, Sendable, Equatable {
    public var ads: [AdInfo]
    public init(ads: [AdInfo]) { self.ads = ads }
}

import Foundation

/// A conversion tag (the Pinterest tag) of an ad account: what WEB_CONVERSION ad groups
/// optimize for.
public struct ConversionTagInfo: Codable, Sendable, Equatable {
    /// Pinterest's tag id.
    public var id: String
    public var adAccountId: String
    public var name: String
    public var status: String?
    /// The JavaScript the site must install before the tag sees anything.
    public var codeSnippet: String?
    public var enhancedMatchStatus: String?
    public var lastFiredAt: Date?

    public init(
        id: String, adAccountId: String, name: String, status: String?, codeSnippet: String?, enhancedMatchStatus: String?, lastFiredAt: Date?
    ) {
        self.id = id
        self.adAccountId = adAccountId
        self.name = name
        self.status = status
        self.codeSnippet = codeSnippet
        self.enhancedMatchStatus = enhancedMatchStatus
        self.lastFiredAt = lastFiredAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, status
        case adAccountId = "ad_account_id"
        case codeSnippet = "code_snippet"
        case enhancedMatchStatus = "enhanced_match_status"
        case lastFiredAt = "last_fired_at"
    }
}

/// `conversion_tags.list`: the ad account's conversion tags, read from Pinterest.
public struct ListConversionTagsRequest: PinAdsRequest {
    public static let method = "conversion_tags.list"
    public typealias Result = ListConversionTagsResult
    /// The default ad account when omitted.
    public var adAccountId: String?
    public init(adAccountId: String? = nil) { self.adAccountId = adAccountId }
    enum CodingKeys: String, CodingKey { case adAccountId = "ad_account_id" }
}

public struct ListConversionTagsResult: Codable, Sendable, Equatable {
    public var tags: [ConversionTagInfo]
    public init(tags: [ConversionTagInfo]) { self.tags = tags }
}

/// `conversion_tags.create`: a new conversion tag. A tag of the same name on the ad account is
/// returned instead of making a second (`created` false): Pinterest has no way to delete one.
public struct CreateConversionTagRequest: PinAdsRequest {
    public static let method = "conversion_tags.create"
    public typealias Result = CreateConversionTagResult
    public var adAccountId: String?
    public var name: String
    /// What Automatic Enhanced Match reads from the site: email, name, phone, gender,
    /// birthdate, location, external_id. None by default.
    public var enhancedMatch: [String]?

    public init(adAccountId: String? = nil, name: String, enhancedMatch: [String]? = nil) {
        self.adAccountId = adAccountId
        self.name = name
        self.enhancedMatch = enhancedMatch
    }

    enum CodingKeys: String, CodingKey {
        case name
        case adAccountId = "ad_account_id"
        case enhancedMatch = "enhanced_match"
    }
}

public struct CreateConversionTagResult: Codable, Sendable, Equatable {
    public var tag: ConversionTagInfo
    public var created: Bool
    public init(tag: ConversionTagInfo, created: Bool) {
        self.tag = tag
        self.created = created
    }
}

/// A WEB_CONVERSION ad group's goal: Pinterest's `conversion_tag_v3_goal_metadata`.
public struct ConversionGoalSpec: Codable, Sendable, Equatable {
    /// A conversion tag of the campaign's ad account (`conversion_tags.list`).
    public var conversionTagId: String
    /// PAGE_VISIT, SIGNUP, CHECKOUT, CUSTOM, VIEW_CATEGORY, SEARCH, ADD_TO_CART, WATCH_VIDEO,
    /// LEAD or APP_INSTALL.
    public var conversionEvent: String
    /// The target cost per conversion, in micro-currency.
    public var cpaGoalInMicroCurrency: Int64?
    /// Attribution windows in days: 0, 1, 7, 14, 30 or 60.
    public var clickWindowDays: Int?
    public var engagementWindowDays: Int?
    public var viewWindowDays: Int?
    /// Optimize for return on ad spend (needs AUTOMATIC_BID and CHECKOUT).
    public var roasOptimized: Bool?

    public init(
        conversionTagId: String, conversionEvent: String, cpaGoalInMicroCurrency: Int64? = nil, clickWindowDays: Int? = nil,
        engagementWindowDays: Int? = nil, viewWindowDays: Int? = nil, roasOptimized: Bool? = nil
    ) {
        self.conversionTagId = conversionTagId
        self.conversionEvent = conversionEvent
        self.cpaGoalInMicroCurrency = cpaGoalInMicroCurrency
        self.clickWindowDays = clickWindowDays
        self.engagementWindowDays = engagementWindowDays
        self.viewWindowDays = viewWindowDays
        self.roasOptimized = roasOptimized
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case conversionTagId = "conversion_tag_id"
        case conversionEvent = "conversion_event"
        case cpaGoalInMicroCurrency = "cpa_goal_in_micro_currency"
        case clickWindowDays = "click_window_days"
        case engagementWindowDays = "engagement_window_days"
        case viewWindowDays = "view_window_days"
        case roasOptimized = "roas_optimized"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self, hint: "optimization_goal")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        conversionTagId = try c.decode(String.self, forKey: .conversionTagId)
        conversionEvent = try c.decode(String.self, forKey: .conversionEvent)
        cpaGoalInMicroCurrency = try c.decodeIfPresent(Int64.self, forKey: .cpaGoalInMicroCurrency)
        clickWindowDays = try c.decodeIfPresent(Int.self, forKey: .clickWindowDays)
        engagementWindowDays = try c.decodeIfPresent(Int.self, forKey: .engagementWindowDays)
        viewWindowDays = try c.decodeIfPresent(Int.self, forKey: .viewWindowDays)
        roasOptimized = try c.decodeIfPresent(Bool.self, forKey: .roasOptimized)
    }
}

/// A keyword of an ad group.
public struct KeywordSpec: Codable, Sendable, Equatable, Hashable {
    /// At most 120 characters.
    public var value: String
    /// BROAD, PHRASE, EXACT, EXACT_NEGATIVE or PHRASE_NEGATIVE.
    public var matchType: String

    public init(value: String, matchType: String) {
        self.value = value
        self.matchType = matchType
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case value
        case matchType = "match_type"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self, hint: "a keyword")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        value = try c.decode(String.self, forKey: .value)
        matchType = try c.decode(String.self, forKey: .matchType)
    }
}

/// A keyword as Pinterest has it (its id once created).
public struct KeywordInfo: Codable, Sendable, Equatable {
    public var value: String
    public var matchType: String
    public var pinterestId: String?

    public init(value: String, matchType: String, pinterestId: String?) {
        self.value = value
        self.matchType = matchType
        self.pinterestId = pinterestId
    }

    enum CodingKeys: String, CodingKey {
        case value
        case matchType = "match_type"
        case pinterestId = "pinterest_id"
    }
}

import Foundation
import PinAdsJSON

/// Everything about a campaign, ad group or ad that can be checked without Pinterest, checked
/// before anything is sent: each failure is an `InvalidInput` naming the field (as the request
/// spells it) and the rule. Pure; returns the plan with pinads' defaults applied.
struct CampaignValidator: Sendable {
    let now: Date

    static let objectives: Set<String> = ["AWARENESS", "CONSIDERATION", "WEB_CONVERSION", "CATALOG_SALES", "VIDEO_COMPLETION"]
    static let statuses: Set<String> = ["ACTIVE", "PAUSED"]
    /// What an update may set: ARCHIVED is final.
    static let updateStatuses: Set<String> = ["ACTIVE", "PAUSED", "ARCHIVED"]
    static let billableEvents: Set<String> = ["IMPRESSION", "CLICKTHROUGH", "VIDEO_V_50_MRC"]
    static let budgetTypes: Set<String> = ["DAILY", "LIFETIME", "CBO_ADGROUP"]
    static let creativeTypes: Set<String> = [
        "REGULAR", "VIDEO", "SHOPPING", "CAROUSEL", "MAX_VIDEO", "SHOP_THE_PIN", "COLLECTION", "IDEA", "SHOWCASE", "QUIZ", "COLLAGE",
        "MAX_WIDTH_REGULAR_COLLECTION", "MAX_WIDTH_VIDEO_COLLECTION",
    ]
    static let ageBuckets: Set<String> = ["18-24", "19+", "20+", "21+", "25-34", "35-44", "45-49", "50-54", "55-64", "65+"]
    static let genders: Set<String> = ["female", "male", "unknown"]
    static let devices: Set<String> = ["android_mobile", "android_tablet", "ipad", "iphone", "web", "web_mobile"]
    static let defaultBudget: Int64 = 5_000_000
    static let defaultBid: Int64 = 2_000_000

    func invalid(_ field: String, _ reason: String) -> InvalidInput {
        InvalidInput(field: field, reason: reason)
    }

    func oneOf(_ value: String, _ allowed: Set<String>, field: String) throws -> String {
        guard allowed.contains(value) else {
            throw invalid(field, "must be one of \(allowed.sorted().joined(separator: ", ")), got '\(value)'")
        }
        return value
    }

    func name(_ name: String, field: String, maximum: Int = 256) throws -> String {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= maximum else { throw invalid(field, "must be 1 to \(maximum) characters") }
        return trimmed
    }

    func positive(_ amount: Int64?, field: String) throws {
        if let amount, amount <= 0 { throw invalid(field, "must be a positive whole number of micro-currency units (1 unit = 1,000,000), got \(amount)") }
    }

    func window(start: Date?, end: Date?, prefix: String) throws {
        if let end {
            guard end > now else { throw invalid("\(prefix).end_time", "is in the past (\(Timestamp.format(end)))") }
            if let start, end <= start { throw invalid("\(prefix).end_time", "must be after start_time (\(Timestamp.format(start)))") }
        }
    }

    func campaign(_ spec: CampaignPlan, prefix: String = "campaign") throws -> CampaignPlan {
        var spec = spec
        spec.name = try name(spec.name, field: "\(prefix).name")
        let objective = spec.objectiveType.uppercased() == "VIDEO_VIEW" ? "VIDEO_COMPLETION" : spec.objectiveType
        spec.objectiveType = try oneOf(objective, Self.objectives, field: "\(prefix).objective_type")
        spec.status = try oneOf(spec.status ?? "PAUSED", Self.statuses, field: "\(prefix).status")
        try positive(spec.dailySpendCap, field: "\(prefix).daily_spend_cap")
        try positive(spec.lifetimeSpendCap, field: "\(prefix).lifetime_spend_cap")
        if spec.dailySpendCap != nil, spec.lifetimeSpendCap != nil {
            throw invalid("\(prefix).lifetime_spend_cap", "Pinterest takes daily_spend_cap or lifetime_spend_cap, not both")
        }
        try window(start: spec.startTime, end: spec.endTime, prefix: prefix)
        return spec
    }

    func adGroup(_ spec: AdGroupPlan, campaign: CampaignPlan?, prefix: String = "ad_group") throws -> AdGroupPlan {
        var spec = spec
        spec.name = try name(spec.name, field: "\(prefix).name")
        spec.billableEvent = try oneOf(spec.billableEvent, Self.billableEvents, field: "\(prefix).billable_event")
        if let type = spec.budgetType { spec.budgetType = try oneOf(type, Self.budgetTypes, field: "\(prefix).budget_type") }
        if let status = spec.status { spec.status = try oneOf(status, Self.statuses, field: "\(prefix).status") }
        try positive(spec.budgetInMicroCurrency, field: "\(prefix).budget_in_micro_currency")
        spec.budgetInMicroCurrency = spec.budgetInMicroCurrency ?? Self.defaultBudget
        try bidding(&spec, objective: campaign?.objectiveType, fillDefaults: true, prefix: prefix)
        spec.autoTargetingEnabled = spec.autoTargetingEnabled ?? false
        try window(start: spec.startTime, end: spec.endTime, prefix: prefix)
        try schedule(spec, campaign: campaign, prefix: prefix)
        spec.optimizationGoal = try goal(spec.optimizationGoal, spec: spec, objective: campaign?.objectiveType, prefix: prefix)
        spec.targeting = try targeting(spec.targeting ?? Targeting(), prefix: "\(prefix).targeting")
        spec.keywords = try keywords(spec.keywords, prefix: "\(prefix).keywords").flatMap { $0.isEmpty ? nil : $0 }
        return spec
    }

    /// The rules of an ad group's schedule that hold for creates and updates alike.
    func schedule(_ spec: AdGroupPlan, campaign: CampaignPlan?, prefix: String) throws {
        if spec.budgetType == "LIFETIME", spec.endTime == nil {
            throw invalid("\(Self.dotted(prefix))end_time", "is required with budget_type LIFETIME")
        }
        guard let campaign else { return }
        if let start = spec.startTime, let campaignStart = campaign.startTime, start < campaignStart {
            throw invalid("\(Self.dotted(prefix))start_time", "is before the campaign's start_time (\(Timestamp.format(campaignStart)))")
        }
        if let end = spec.endTime, let campaignEnd = campaign.endTime, end > campaignEnd {
            throw invalid("\(Self.dotted(prefix))end_time", "is after the campaign's end_time (\(Timestamp.format(campaignEnd)))")
        }
    }

    func targeting(_ spec: Targeting, prefix: String) throws -> Targeting {
        if let keywords = spec.keywords, !keywords.isEmpty {
            throw invalid(
                "\(prefix).keywords",
                "keywords are not part of Pinterest's targeting: give them as the ad group's keywords, each with a value and a match_type (BROAD, PHRASE, EXACT, EXACT_NEGATIVE, PHRASE_NEGATIVE)")
        }
        guard let locations = spec.locations, !locations.isEmpty else {
            throw invalid("\(prefix).locations", "at least one location (an ISO country code such as US, or a US DMA code) is required by Pinterest")
        }
        for (index, location) in locations.enumerated() where location.isEmpty || location.count > 8 {
            throw invalid("\(prefix).locations[\(index)]", "'\(location)' is not a country or DMA code")
        }
        for (index, bucket) in (spec.ageBuckets ?? []).enumerated() where !Self.ageBuckets.contains(bucket) {
            throw invalid("\(prefix).age_buckets[\(index)]", "must be one of \(Self.ageBuckets.sorted().joined(separator: ", ")), got '\(bucket)'")
        }
        for (index, gender) in (spec.genders ?? []).enumerated() where !Self.genders.contains(gender) {
            throw invalid("\(prefix).genders[\(index)]", "must be one of female, male, unknown, got '\(gender)'")
        }
        for (index, device) in (spec.devices ?? []).enumerated() where !Self.devices.contains(device) {
            throw invalid("\(prefix).devices[\(index)]", "must be one of \(Self.devices.sorted().joined(separator: ", ")), got '\(device)'")
        }
        for (index, locale) in (spec.locales ?? []).enumerated() where locale.count != 2 || !locale.allSatisfy(\.isLetter) {
            throw invalid("\(prefix).locales[\(index)]", "must be an ISO 639-1 code such as en, got '\(locale)'")
        }
        for (index, interest) in (spec.interests ?? []).enumerated() where interest.isEmpty || !interest.allSatisfy(\.isNumber) {
            throw invalid("\(prefix).interests[\(index)]", "must be a Pinterest interest id (digits), got '\(interest)'")
        }
        let include = Set(spec.audiencesInclude ?? [])
        if let both = (spec.audiencesExclude ?? []).first(where: include.contains) {
            throw invalid("\(prefix).audiences_exclude", "audience \(both) is also in audiences_include")
        }
        return spec
    }

    func ad(_ spec: AdPlan, prefix: String = "ad") throws -> AdPlan {
        var spec = spec
        guard !spec.pinID.isEmpty, spec.pinID.count <= 18, spec.pinID.allSatisfy(\.isNumber) else {
            throw invalid("\(prefix).pin_id", "must be a Pinterest Pin id (digits), got '\(spec.pinID)'")
        }
        spec.creativeType = try oneOf(spec.creativeType, Self.creativeTypes, field: "\(prefix).creative_type")
        if let name = spec.name { spec.name = try self.name(name, field: "\(prefix).name", maximum: 255) }
        if let status = spec.status { spec.status = try oneOf(status, Self.statuses, field: "\(prefix).status") }
        try url(spec.destinationURL, field: "\(prefix).destination_url")
        try url(spec.clickTrackingURL, field: "\(prefix).click_tracking_url")
        try url(spec.viewTrackingURL, field: "\(prefix).view_tracking_url")
        return spec
    }

    func url(_ text: String?, field: String) throws {
        guard let text else { return }
        guard text.count <= 2000, let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "https" || scheme == "http", let host = components.host, !host.isEmpty, !text.contains(" ")
        else { throw invalid(field, "must be an http(s) URL of at most 2000 characters, got '\(text.prefix(80))'") }
    }
}

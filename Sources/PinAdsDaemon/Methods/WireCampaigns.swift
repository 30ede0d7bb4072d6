import Foundation
import PinAdsProtocol
import PinAdsStore

// The wire's campaign types from the domain's and back: the edge's one translation of
// campaigns, ad groups, ads and their metrics.

extension CampaignPlan {
    init(_ spec: CampaignSpec) {
        self.init(
            adAccountID: spec.adAccountId, name: spec.name, objectiveType: spec.objectiveType, dailySpendCap: spec.dailySpendCap,
            lifetimeSpendCap: spec.lifetimeSpendCap, status: spec.status, startTime: spec.startTime, endTime: spec.endTime)
    }
}

extension CampaignSpec {
    init(_ plan: CampaignPlan) {
        self.init(
            adAccountId: plan.adAccountID, name: plan.name, objectiveType: plan.objectiveType, dailySpendCap: plan.dailySpendCap,
            lifetimeSpendCap: plan.lifetimeSpendCap, status: plan.status, startTime: plan.startTime, endTime: plan.endTime)
    }
}

extension Targeting {
    init(_ spec: TargetingSpec) {
        self.init(
            audiencesInclude: spec.audiencesInclude, audiencesExclude: spec.audiencesExclude, interests: spec.interests, keywords: spec.keywords,
            ageBuckets: spec.ageBuckets, genders: spec.genders, locations: spec.locations, locales: spec.locales, devices: spec.devices)
    }
}

extension TargetingSpec {
    init(_ targeting: Targeting) {
        self.init(
            audiencesInclude: targeting.audiencesInclude, audiencesExclude: targeting.audiencesExclude, interests: targeting.interests,
            keywords: targeting.keywords, ageBuckets: targeting.ageBuckets, genders: targeting.genders, locations: targeting.locations,
            locales: targeting.locales, devices: targeting.devices)
    }
}

extension AdGroupPlan {
    init(_ spec: AdGroupSpec) {
        self.init(
            name: spec.name, budgetInMicroCurrency: spec.budgetInMicroCurrency, bidInMicroCurrency: spec.bidInMicroCurrency,
            budgetType: spec.budgetType, billableEvent: spec.billableEvent, targeting: spec.targeting.map(Targeting.init),
            startTime: spec.startTime, endTime: spec.endTime, autoTargetingEnabled: spec.autoTargetingEnabled, status: spec.status,
            bidStrategyType: spec.bidStrategyType, optimizationGoal: spec.optimizationGoal.map(ConversionGoal.init),
            keywords: spec.keywords?.map(KeywordPlan.init))
    }
}

extension AdGroupSpec {
    init(_ plan: AdGroupPlan) {
        self.init(
            name: plan.name, budgetInMicroCurrency: plan.budgetInMicroCurrency, bidInMicroCurrency: plan.bidInMicroCurrency,
            budgetType: plan.budgetType, billableEvent: plan.billableEvent, targeting: plan.targeting.map(TargetingSpec.init),
            startTime: plan.startTime, endTime: plan.endTime, autoTargetingEnabled: plan.autoTargetingEnabled, status: plan.status,
            bidStrategyType: plan.bidStrategyType, optimizationGoal: plan.optimizationGoal.map(ConversionGoalSpec.init),
            keywords: plan.keywords?.map(KeywordSpec.init))
    }
}

extension ConversionGoal {
    init(_ spec: ConversionGoalSpec) {
        self.init(
            conversionTagID: spec.conversionTagId, conversionEvent: spec.conversionEvent, cpaGoalInMicroCurrency: spec.cpaGoalInMicroCurrency,
            clickWindowDays: spec.clickWindowDays, engagementWindowDays: spec.engagementWindowDays, viewWindowDays: spec.viewWindowDays,
            roasOptimized: spec.roasOptimized)
    }
}

extension ConversionGoalSpec {
    init(_ goal: ConversionGoal) {
        self.init(
            conversionTagId: goal.conversionTagID, conversionEvent: goal.conversionEvent, cpaGoalInMicroCurrency: goal.cpaGoalInMicroCurrency,
            clickWindowDays: goal.clickWindowDays, engagementWindowDays: goal.engagementWindowDays, viewWindowDays: goal.viewWindowDays,
            roasOptimized: goal.roasOptimized)
    }
}

extension KeywordPlan {
    init(_ spec: KeywordSpec) { self.init(value: spec.value, matchType: spec.matchType) }
}

extension KeywordSpec {
    init(_ plan: KeywordPlan) { self.init(value: plan.value, matchType: plan.matchType) }
}

extension AdPlan {
    init(_ spec: AdSpec) {
        self.init(
            pinID: spec.pinId, creativeType: spec.creativeType, name: spec.name, clickTrackingURL: spec.clickTrackingUrl,
            destinationURL: spec.destinationUrl, status: spec.status, viewTrackingURL: spec.viewTrackingUrl)
    }
}

extension AdSpec {
    init(_ plan: AdPlan) {
        self.init(
            pinId: plan.pinID, creativeType: plan.creativeType, name: plan.name, clickTrackingUrl: plan.clickTrackingURL,
            destinationUrl: plan.destinationURL, status: plan.status, viewTrackingUrl: plan.viewTrackingURL)
    }
}

extension BuildState {
    init(_ state: BuildRecord.State) {
        switch state {
        case .pending: self = .pending
        case .created: self = .created
        case .error: self = .error
        }
    }
}

extension BuildError {
    init?<Plan>(_ build: Build<Plan>) {
        guard let refusal = build.refusal else { return nil }
        self.init(message: refusal.message, pinterestCode: refusal.pinterestCode)
    }
}

extension CampaignInfo {
    init(_ campaign: CampaignBuild) {
        self.init(
            id: campaign.id, adAccountId: campaign.adAccountID ?? "", spec: campaign.plan.map(CampaignSpec.init), pinterestId: campaign.pinterestID,
            state: BuildState(campaign.state), error: BuildError(campaign), pinterestStatus: campaign.pinterestStatus, tracked: campaign.tracked,
            clientRequestId: campaign.clientRequestID, createdAt: campaign.createdAt, updatedAt: campaign.updatedAt,
            pinterest: PinterestReading(campaign), drift: [PinAdsProtocol.Drift](campaign.plan.map { DriftCheck.expected($0) }, campaign.reading),
            latestUpdate: campaign.latestUpdate.map(UpdateInfo.init))
    }
}

extension AdGroupInfo {
    init(_ group: AdGroupBuild) {
        let keywords = group.reading?.keywords.map { $0.map { KeywordInfo(value: $0.value, matchType: $0.matchType, pinterestId: $0.id) } }
        self.init(
            id: group.id, campaignId: group.parentID ?? 0, spec: AdGroupSpec(group.plan), pinterestId: group.pinterestID,
            state: BuildState(group.state), error: BuildError(group), createdAt: group.createdAt, updatedAt: group.updatedAt,
            keywords: keywords ?? group.plan.keywords?.map { KeywordInfo(value: $0.value, matchType: $0.matchType, pinterestId: nil) },
            madeElsewhere: group.madeElsewhere ? true : nil, pinterest: PinterestReading(group),
            drift: [PinAdsProtocol.Drift](DriftCheck.expected(group.plan), group.reading), latestUpdate: group.latestUpdate.map(UpdateInfo.init))
    }
}

extension AdInfo {
    init(_ ad: AdBuild) {
        self.init(
            id: ad.id, adGroupId: ad.parentID ?? 0, spec: AdSpec(ad.plan), pinterestId: ad.pinterestID, state: BuildState(ad.state),
            error: BuildError(ad), createdAt: ad.createdAt, updatedAt: ad.updatedAt, madeElsewhere: ad.madeElsewhere ? true : nil,
            pinterest: PinterestReading(ad), drift: [PinAdsProtocol.Drift](DriftCheck.expected(ad.plan), ad.reading),
            latestUpdate: ad.latestUpdate.map(UpdateInfo.init))
    }
}

extension PinterestReading {
    /// The build's reading, nil until Pinterest was read.
    init?<Plan>(_ build: Build<Plan>) {
        guard let reading = build.reading, let readAt = build.readAt else { return nil }
        self.init(
            status: reading.status, summaryStatus: reading.summaryStatus, reviewStatus: reading.reviewStatus,
            rejectedReasons: reading.rejectedReasons, readAt: readAt)
    }
}

extension Array where Element == PinAdsProtocol.Drift {
    /// The drift between a plan's fields and the reading; nil with nothing read, or no plan.
    init?(_ expected: [String: JSONValue]?, _ reading: ObjectReading?) {
        guard let expected, let reading else { return nil }
        self = DriftCheck.between(expected, reading).map { PinAdsProtocol.Drift(field: $0.field, pinads: $0.pinads, pinterest: $0.pinterest) }
    }
}

extension UpdateInfo {
    init(_ record: UpdateRecord) {
        let state: UpdateState
        switch record.state {
        case .queued: state = .queued
        case .applied: state = .applied
        case .refused: state = .refused
        }
        let changes = (try? JSONDecoder().decode(JSONValue.self, from: Data(record.changes.utf8))) ?? .object([:])
        self.init(
            id: record.id, state: state, changes: changes,
            error: record.errorMessage.map { BuildError(message: $0, pinterestCode: record.errorCode) }, createdAt: record.createdAt,
            appliedAt: record.appliedAt)
    }
}

extension ConversionTagInfo {
    init(_ tag: ConversionTagView) {
        self.init(
            id: tag.pinterestID, adAccountId: tag.adAccountID, name: tag.name, status: tag.status, codeSnippet: tag.codeSnippet,
            enhancedMatchStatus: tag.enhancedMatchStatus, lastFiredAt: tag.lastFiredAt)
    }
}

extension MetricsRow {
    init(_ record: MetricsRecord) {
        self.init(
            campaignId: record.campaignID, date: record.date, spendMicro: record.spendMicro, impressions: record.impressions,
            clicks: record.clicks, saves: record.saves, conversions: record.conversions, conversionValueMicro: record.conversionValueMicro,
            adGroupId: record.adGroupID, adId: record.adID)
    }
}

// MARK: - Updates

/// A field the update request names that Pinterest changes only on drafts (pinads never makes
/// drafts), refused with that reason.
private func draftOnly(_ field: String, _ given: String?, of what: String, instead: String) throws {
    guard given != nil else { return }
    throw InvalidInput(field: field, reason: "Pinterest changes \(field) only on draft \(what)s, and pinads makes none; \(instead)")
}

extension CampaignChange {
    init(_ request: UpdateCampaignRequest) throws {
        try draftOnly("objective_type", request.objectiveType, of: "campaign", instead: "launch a new campaign with the objective you want")
        self.init(
            name: request.name, status: request.status, dailySpendCap: request.dailySpendCap, lifetimeSpendCap: request.lifetimeSpendCap,
            startTime: request.startTime, endTime: request.endTime)
    }
}

extension AdGroupChange {
    init(_ request: UpdateAdGroupRequest) throws {
        try draftOnly("billable_event", request.billableEvent, of: "ad group", instead: "create a new ad group billed the way you want")
        try draftOnly("budget_type", request.budgetType, of: "ad group", instead: "create a new ad group with the budget type you want")
        self.init(
            name: request.name, status: request.status, budgetInMicroCurrency: request.budgetInMicroCurrency,
            bidInMicroCurrency: request.bidInMicroCurrency, bidStrategyType: request.bidStrategyType, startTime: request.startTime,
            endTime: request.endTime, targeting: request.targeting.map(Targeting.init), autoTargetingEnabled: request.autoTargetingEnabled,
            optimizationGoal: request.optimizationGoal.map(ConversionGoal.init), keywords: request.keywords?.map(KeywordPlan.init))
    }
}

extension AdChange {
    init(_ request: UpdateAdRequest) throws {
        try draftOnly("pin_id", request.pinId, of: "ad", instead: "create a new ad for the other Pin")
        if request.creativeType != nil {
            throw InvalidInput(field: "creative_type", reason: "Pinterest does not change an ad's creative type; create a new ad")
        }
        self.init(
            name: request.name, status: request.status, destinationURL: request.destinationUrl, clickTrackingURL: request.clickTrackingUrl,
            viewTrackingURL: request.viewTrackingUrl)
    }
}

extension MetricsTotals {
    init(_ totals: CampaignTotals) {
        self.init(
            spendMicro: totals.spendMicro, impressions: totals.impressions, clicks: totals.clicks, saves: totals.saves,
            conversions: totals.conversions, conversionValueMicro: totals.conversionValueMicro, ctr: totals.ctr, cpcMicro: totals.cpcMicro,
            cpmMicro: totals.cpmMicro, roas: totals.roas)
    }
}

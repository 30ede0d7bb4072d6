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
            startTime: spec.startTime, endTime: spec.endTime, autoTargetingEnabled: spec.autoTargetingEnabled, status: spec.status)
    }
}

extension AdGroupSpec {
    init(_ plan: AdGroupPlan) {
        self.init(
            name: plan.name, budgetInMicroCurrency: plan.budgetInMicroCurrency, bidInMicroCurrency: plan.bidInMicroCurrency,
            budgetType: plan.budgetType, billableEvent: plan.billableEvent, targeting: plan.targeting.map(TargetingSpec.init),
            startTime: plan.startTime, endTime: plan.endTime, autoTargetingEnabled: plan.autoTargetingEnabled, status: plan.status)
    }
}

extension AdPlan {
    init(_ spec: AdSpec) {
        self.init(
            pinID: spec.pinId, creativeType: spec.creativeType, name: spec.name, clickTrackingURL: spec.clickTrackingUrl,
            destinationURL: spec.destinationUrl, status: spec.status)
    }
}

extension AdSpec {
    init(_ plan: AdPlan) {
        self.init(
            pinId: plan.pinID, creativeType: plan.creativeType, name: plan.name, clickTrackingUrl: plan.clickTrackingURL,
            destinationUrl: plan.destinationURL, status: plan.status)
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
            clientRequestId: campaign.clientRequestID, createdAt: campaign.createdAt, updatedAt: campaign.updatedAt)
    }
}

extension AdGroupInfo {
    init(_ group: AdGroupBuild) {
        self.init(
            id: group.id, campaignId: group.parentID ?? 0, spec: AdGroupSpec(group.plan), pinterestId: group.pinterestID,
            state: BuildState(group.state), error: BuildError(group), createdAt: group.createdAt, updatedAt: group.updatedAt)
    }
}

extension AdInfo {
    init(_ ad: AdBuild) {
        self.init(
            id: ad.id, adGroupId: ad.parentID ?? 0, spec: AdSpec(ad.plan), pinterestId: ad.pinterestID, state: BuildState(ad.state),
            error: BuildError(ad), createdAt: ad.createdAt, updatedAt: ad.updatedAt)
    }
}

extension MetricsRow {
    init(_ record: MetricsRecord) {
        self.init(
            campaignId: record.campaignID, date: record.date, spendMicro: record.spendMicro, impressions: record.impressions,
            clicks: record.clicks, saves: record.saves, conversions: record.conversions, conversionValueMicro: record.conversionValueMicro)
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

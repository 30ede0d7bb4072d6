import Foundation
import PinAdsProtocol
import PinAdsStore

/// `campaigns.*`, `ad_groups.*` and `ads.*` methods: each request into a call of the
/// `CampaignBuilder` or the `MetricsPuller` in the domain's words, and its answer back into the
/// wire's. Errors are translated by the dispatcher (`ResponseError(translating:)`).
struct CampaignMethods: Sendable {
    let builder: CampaignBuilder
    let metrics: MetricsPuller

    func create(_ request: CreateCampaignRequest) async throws -> CampaignJobResult {
        let queued = try await builder.create(CampaignPlan(request.campaign), clientRequestID: request.clientRequestId)
        return CampaignJobResult(campaign: CampaignInfo(queued.item), jobId: queued.jobID)
    }

    func createAdGroup(_ request: CreateAdGroupRequest) async throws -> AdGroupJobResult {
        let queued = try await builder.createAdGroup(AdGroupPlan(request.adGroup), campaignID: request.campaignId)
        return AdGroupJobResult(adGroup: AdGroupInfo(queued.item), jobId: queued.jobID)
    }

    func createAd(_ request: CreateAdRequest) async throws -> AdJobResult {
        let queued = try await builder.createAd(AdPlan(request.ad), adGroupID: request.adGroupId)
        return AdJobResult(ad: AdInfo(queued.item), jobId: queued.jobID)
    }

    func launch(_ request: LaunchCampaignRequest) async throws -> LaunchResult {
        let launched = try await builder.launch(
            LaunchPlan(
                campaign: CampaignPlan(request.campaign), adGroup: AdGroupPlan(request.adGroup), ad: AdPlan(request.ad),
                clientRequestID: request.clientRequestId), status: request.status)
        return LaunchResult(
            campaign: CampaignInfo(launched.campaign), adGroup: AdGroupInfo(launched.adGroup), ad: AdInfo(launched.ad), jobId: launched.jobID,
            resumed: launched.resumed)
    }

    func list(_ request: ListCampaignsRequest) async throws -> ListCampaignsResult {
        ListCampaignsResult(campaigns: try await builder.campaigns(adAccountID: request.adAccountId).map(CampaignInfo.init))
    }

    func get(_ request: GetCampaignRequest) async throws -> CampaignDetail {
        let tree = try await builder.campaign(request.campaignId, refresh: request.refresh == true)
        return CampaignDetail(
            campaign: CampaignInfo(tree.campaign), adGroups: tree.adGroups.map(AdGroupInfo.init), ads: tree.ads.map(AdInfo.init))
    }

    func listAdGroups(_ request: ListAdGroupsRequest) async throws -> ListAdGroupsResult {
        ListAdGroupsResult(adGroups: try await builder.adGroups(campaignID: request.campaignId).map(AdGroupInfo.init))
    }

    func listAds(_ request: ListAdsRequest) async throws -> ListAdsResult {
        ListAdsResult(ads: try await builder.ads(adGroupID: request.adGroupId).map(AdInfo.init))
    }

    func track(_ request: TrackCampaignRequest) async throws -> CampaignJobResult {
        let campaign = try await builder.track(pinterestCampaignID: request.campaignId, adAccountID: request.adAccountId)
        return CampaignJobResult(campaign: CampaignInfo(campaign), jobId: nil)
    }

    func metrics(_ request: CampaignMetricsRequest) async throws -> CampaignMetricsResult {
        let level: BuildLevel
        switch request.level ?? .campaign {
        case .campaign: level = .campaign
        case .adGroup: level = .adGroup
        case .ad: level = .ad
        }
        let report = try await metrics.metrics(
            campaignID: request.campaignId, from: request.from, to: request.to, level: level, adGroupID: request.adGroupId)
        return CampaignMetricsResult(
            rows: report.rows.map(MetricsRow.init), totals: MetricsTotals(report.totals), pulledAt: report.pulledAt, level: request.level)
    }

    func update(_ request: UpdateCampaignRequest) async throws -> CampaignJobResult {
        let queued = try await builder.updateCampaign(id: request.id, try CampaignChange(request))
        return CampaignJobResult(campaign: CampaignInfo(queued.item), jobId: queued.jobID)
    }

    func updateAdGroup(_ request: UpdateAdGroupRequest) async throws -> AdGroupJobResult {
        let queued = try await builder.updateAdGroup(id: request.id, try AdGroupChange(request))
        return AdGroupJobResult(adGroup: AdGroupInfo(queued.item), jobId: queued.jobID)
    }

    func updateAd(_ request: UpdateAdRequest) async throws -> AdJobResult {
        let queued = try await builder.updateAd(id: request.id, try AdChange(request))
        return AdJobResult(ad: AdInfo(queued.item), jobId: queued.jobID)
    }

    func conversionTags(_ request: ListConversionTagsRequest) async throws -> ListConversionTagsResult {
        ListConversionTagsResult(tags: try await builder.tags.list(adAccountID: request.adAccountId).map(ConversionTagInfo.init))
    }

    func createConversionTag(_ request: CreateConversionTagRequest) async throws -> CreateConversionTagResult {
        let (tag, created) = try await builder.tags.create(
            adAccountID: request.adAccountId, name: request.name, enhancedMatch: request.enhancedMatch ?? [])
        return CreateConversionTagResult(tag: ConversionTagInfo(tag), created: created)
    }
}

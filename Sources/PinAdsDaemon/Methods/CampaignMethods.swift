import Foundation
import PinAdsProtocol

/// `campaigns.*`, `ad_groups.*` and `ads.*` methods.
struct CampaignMethods: Sendable {
    let builder: CampaignBuilder
    let metrics: MetricsPuller

    func create(_ request: CreateCampaignRequest) async throws -> CampaignJobResult { try await builder.create(request) }
    func createAdGroup(_ request: CreateAdGroupRequest) async throws -> AdGroupJobResult { try await builder.createAdGroup(request) }
    func createAd(_ request: CreateAdRequest) async throws -> AdJobResult { try await builder.createAd(request) }
    func launch(_ request: LaunchCampaignRequest) async throws -> LaunchResult { try await builder.launch(request) }
    func list(_ request: ListCampaignsRequest) async throws -> ListCampaignsResult { try await builder.list(request) }
    func get(_ request: GetCampaignRequest) async throws -> CampaignDetail { try await builder.get(request) }
    func listAdGroups(_ request: ListAdGroupsRequest) async throws -> ListAdGroupsResult { try await builder.listAdGroups(request) }
    func listAds(_ request: ListAdsRequest) async throws -> ListAdsResult { try await builder.listAds(request) }
    func track(_ request: TrackCampaignRequest) async throws -> CampaignJobResult { try await builder.track(request) }
    func metrics(_ request: CampaignMetricsRequest) async throws -> CampaignMetricsResult { try await metrics.metrics(request) }
}

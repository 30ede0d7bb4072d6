import Foundation
import PinAdsStore
import PinterestAPI

// What the build job reads before it creates: objects a lost create made, and the Pinterest
// audiences an ad group's targeting names.

extension CampaignBuilder {
    /// A campaign a create sent at `since` made: same name and objective, made since then, and
    /// not already the Pinterest object of another row here.
    func lostCampaign(_ plan: CampaignPlan, since: Date, session: PinterestSession) async throws -> String? {
        let known = try await store.knownPinterestIDs(.campaign)
        let earliest = Int64(since.timeIntervalSince1970) - 300
        return try await session.campaigns().first {
            !known.contains($0.id) && $0.name == plan.name && ($0.objectiveType == nil || $0.objectiveType == plan.objectiveType)
                && ($0.createdTime ?? earliest) >= earliest
        }?.id
    }

    /// An ad group of the campaign with the plan's name and money, not another row's.
    func lostAdGroup(_ plan: AdGroupPlan, campaignID: String, session: PinterestSession) async throws -> String? {
        let known = try await store.knownPinterestIDs(.adGroup)
        return try await session.adGroups(campaignIDs: [campaignID]).first {
            !known.contains($0.id) && $0.name == plan.name && ($0.billableEvent == nil || $0.billableEvent == plan.billableEvent)
                && ($0.budgetInMicroCurrency == nil || $0.budgetInMicroCurrency == plan.budgetInMicroCurrency)
        }?.id
    }

    /// An ad of the ad group promoting the plan's Pin, not another row's.
    func lostAd(_ plan: AdPlan, adGroupID: String, session: PinterestSession) async throws -> String? {
        let known = try await store.knownPinterestIDs(.ad)
        return try await session.ads(adGroupIDs: [adGroupID]).first {
            !known.contains($0.id) && $0.pinID == plan.pinID && (plan.name == nil || $0.name == plan.name)
                && ($0.creativeType == nil || $0.creativeType == plan.creativeType)
        }?.id
    }

    /// Pinterest's targeting spec, audiences mapped to the Pinterest audience of each one's
    /// activation on this ad account. An audience without one marks the ad group being
    /// created (`adGroupID`) refused; for an update (nil) it refuses the update.
    func targetingSpec(_ targeting: Targeting?, adAccountID: String, adGroupID: Int64?) async throws -> [String: [String]] {
        guard let targeting else { return [:] }
        var spec: [String: [String]] = [:]
        func map(_ ids: [Int64]?) async throws -> [String]? {
            guard let ids, !ids.isEmpty else { return nil }
            var mapped: [String] = []
            for id in ids {
                guard let pinterestID = try await store.activation(audienceID: id, adAccountID: adAccountID)?.pinterestAudienceID else {
                    let message = "audience \(id) has no Pinterest audience on ad account \(adAccountID) (activate and sync it first)"
                    guard let adGroupID else { throw UpdateRefusal(message: message) }
                    try await store.markBuildError(.adGroup, id: adGroupID, message: message, code: nil, now: clock.now())
                    throw JobFailure(message, retryable: false)
                }
                mapped.append(pinterestID)
            }
            return mapped
        }
        spec["AUDIENCE_INCLUDE"] = try await map(targeting.audiencesInclude)
        spec["AUDIENCE_EXCLUDE"] = try await map(targeting.audiencesExclude)
        spec["INTEREST"] = targeting.interests
        spec["AGE_BUCKET"] = targeting.ageBuckets
        spec["GENDER"] = targeting.genders
        spec["LOCATION"] = targeting.locations
        spec["LOCALE"] = targeting.locales
        spec["APPTYPE"] = targeting.devices
        return spec.filter { !$0.value.isEmpty }
    }
}

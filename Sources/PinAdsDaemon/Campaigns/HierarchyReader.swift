import Foundation
import Logging
import PinAdsStore
import PinterestAPI

/// Reads campaigns and everything under them back from Pinterest into the store: each
/// level's status, budgets and review as Pinterest has them now (so drift from what pinads
/// set shows), and the ad groups and ads made elsewhere (in Ads Manager) under a campaign
/// here, which are added as made elsewhere. Used by `campaigns.get` with `refresh`,
/// `campaigns.track` and the scheduled metrics pull.
struct HierarchyReader: Sendable {
    let store: Store
    let clock: any WallClock
    let logger: Logger
    let coding = PlanCoding()

    /// What one read brought.
    struct Outcome: Sendable, Equatable {
        var read = 0
        var found = 0
        var calls = 0
    }

    /// Reads these campaigns (of the session's ad account, with Pinterest ids) and their ad
    /// groups and ads, 250 campaigns per call.
    func refresh(_ campaigns: [BuildRecord], session: PinterestSession) async throws -> Outcome {
        var outcome = Outcome()
        let local = Dictionary(campaigns.compactMap { c in c.pinterestID.map { ($0, c) } }, uniquingKeysWith: { a, _ in a })
        for batch in MetricsPuller.batches(local.keys.sorted()) {
            let now = clock.now()
            for campaign in try await session.readCampaigns(ids: batch) {
                guard let row = local[campaign.id] else { continue }
                try await store.setReading(
                    .campaign, id: row.id, reading: try coding.encode(ObjectReading(campaign)), status: campaign.summaryStatus ?? campaign.status,
                    now: now)
                outcome.read += 1
            }
            outcome.calls += 1
            let groups = try await session.readAdGroups(campaignIDs: batch)
            outcome.calls += 1
            let knownGroups = try await store.buildRecords(.adGroup, pinterestIDs: groups.map(\.id))
            var groupRows: [String: BuildRecord] = knownGroups
            for group in groups {
                if let row = knownGroups[group.id] {
                    let keywords = try await keywordsIfPlanned(row, pinterestID: group.id, session: session, calls: &outcome.calls)
                    try await store.setReading(.adGroup, id: row.id, reading: try coding.encode(ObjectReading(group, keywords: keywords)), status: nil, now: now)
                    outcome.read += 1
                } else if let parent = group.campaignID.flatMap({ local[$0] }),
                    // Nil while a create under the campaign is in progress: it may be that create's.
                    let (row, existed) = try await store.insertFoundChild(
                        .adGroup, parentID: parent.id, pinterestID: group.id, spec: try coding.encode(AdGroupPlan(found: group)),
                        reading: try coding.encode(ObjectReading(group)), now: now)
                {
                    groupRows[group.id] = row
                    if !existed { outcome.found += 1 }
                }
            }
            let ads = try await session.readAds(campaignIDs: batch)
            outcome.calls += 1
            let knownAds = try await store.buildRecords(.ad, pinterestIDs: ads.map(\.id))
            for ad in ads {
                if let row = knownAds[ad.id] {
                    try await store.setReading(.ad, id: row.id, reading: try coding.encode(ObjectReading(ad)), status: nil, now: now)
                    outcome.read += 1
                } else if let parent = ad.adGroupID.flatMap({ groupRows[$0] }),
                    let (_, existed) = try await store.insertFoundChild(
                        .ad, parentID: parent.id, pinterestID: ad.id, spec: try coding.encode(AdPlan(found: ad)),
                        reading: try coding.encode(ObjectReading(ad)), now: now)
                {
                    if !existed { outcome.found += 1 }
                }
            }
        }
        if outcome.found > 0 {
            logger.notice("found ad groups and ads made outside pinads under tracked campaigns", metadata: ["found": "\(outcome.found)"])
        }
        return outcome
    }

    /// The ad group's keywords at Pinterest, read only for ad groups whose plan has keywords
    /// (one call each).
    private func keywordsIfPlanned(_ row: BuildRecord, pinterestID: String, session: PinterestSession, calls: inout Int) async throws
        -> [KeywordReading]?
    {
        guard !row.madeElsewhere, let spec = row.spec, let plan = try? coding.decode(AdGroupPlan.self, from: spec), plan.keywords != nil
        else { return nil }
        calls += 1
        return try await session.keywords(adGroupID: pinterestID).compactMap(KeywordReading.init)
    }
}

extension KeywordReading {
    /// A keyword Pinterest listed (archived ones are not its ad group's any more).
    init?(_ keyword: Keyword) {
        guard keyword.archived != true, let value = keyword.value, let type = keyword.matchType else { return nil }
        self.init(id: keyword.id, value: value, matchType: type)
    }
}

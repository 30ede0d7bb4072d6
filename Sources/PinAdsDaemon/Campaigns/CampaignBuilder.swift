import Foundation
import Logging
import PinAdsStore
import PinterestAPI

/// Creates campaign → ad group → ad hierarchies at Pinterest, safely: everything is validated
/// before any call, each level's row exists before Pinterest is asked and its Pinterest id is
/// stored the moment it is known, a create whose answer was lost is looked for at Pinterest
/// before it is sent again, and builds of one campaign run one at a time. Campaigns start
/// PAUSED unless told otherwise.
public actor CampaignBuilder {
    static let buildKind = "campaigns.build"

    let store: Store
    let tokens: TokenManager
    let clock: any WallClock
    let logger: Logger
    private var queue: JobQueue?
    let coding = PlanCoding()
    var builds: BuildReader { BuildReader(store: store, coding: coding) }
    /// How long after a create was sent, at least, Pinterest is asked whether it made the
    /// object (a request cut off by a crash may still be processed for a moment).
    let settleTime: TimeInterval

    public init(store: Store, tokens: TokenManager, clock: any WallClock, logger: Logger, settleTime: TimeInterval = 2) {
        self.settleTime = settleTime
        self.store = store
        self.tokens = tokens
        self.clock = clock
        self.logger = logger
    }

    public func attach(queue: JobQueue) { self.queue = queue }

    public nonisolated var jobHandlers: [any JobHandler] { [CampaignBuildJob(builder: self)] }

    // MARK: - Requests

    /// A campaign to create. The same `clientRequestID` again returns the campaign made then.
    func create(_ plan: CampaignPlan, clientRequestID: String?) async throws -> Queued<CampaignBuild> {
        var plan = try CampaignValidator(now: clock.now()).campaign(plan)
        plan.adAccountID = try await tokens.session(adAccountID: plan.adAccountID).adAccountID
        let record: BuildRecord, existed: Bool
        do {
            (record, existed) = try await store.insertCampaign(
                adAccountID: plan.adAccountID ?? "", spec: try coding.encode(plan), clientRequestID: clientRequestID, request: nil,
                now: clock.now())
        } catch let error as ClientRequestIDReused {
            throw CampaignError.createRequestIDReused(clientRequestID: clientRequestID ?? "", campaignID: error.campaignID)
        }
        let job = record.state == .created ? nil : try await enqueue(.init(campaignID: record.id), campaign: record.id)
        if !existed { logger.notice("campaign queued for creation", metadata: ["campaign_id": "\(record.id)"]) }
        return Queued(item: try builds.campaign(record), jobID: job)
    }

    /// An ad group in a campaign made here (created at Pinterest first if it is not yet).
    func createAdGroup(_ plan: AdGroupPlan, campaignID: Int64) async throws -> Queued<AdGroupBuild> {
        let campaign = try await existing(campaignID)
        guard let campaignPlan = campaign.plan else {
            throw InvalidInput(
                field: "campaign_id", reason: "campaign \(campaign.id) is tracked for metrics only (made outside pinads); ad groups go in campaigns pinads created")
        }
        guard campaign.state != .error else { throw CampaignError.parentRefused(level: .campaign, id: campaign.id, message: campaign.errorMessage) }
        let plan = try CampaignValidator(now: clock.now()).adGroup(plan, campaign: campaignPlan)
        try await checkAudiences(plan.targeting, adAccountID: campaign.adAccountID ?? "", prefix: "ad_group.targeting")
        let record = try await store.insertChild(.adGroup, parentID: campaign.id, spec: try coding.encode(plan), now: clock.now())
        let job = try await enqueue(.init(adGroupID: record.id), campaign: campaign.id)
        return Queued(item: try builds.adGroup(record), jobID: job)
    }

    /// An ad in an ad group made here.
    func createAd(_ plan: AdPlan, adGroupID: Int64) async throws -> Queued<AdBuild> {
        guard let group = try await store.buildRecord(.adGroup, id: adGroupID) else {
            throw CampaignError.unknown(level: .adGroup, id: adGroupID, field: "ad_group_id")
        }
        guard group.state != .error else { throw CampaignError.parentRefused(level: .adGroup, id: group.id, message: group.errorMessage) }
        let plan = try CampaignValidator(now: clock.now()).ad(plan)
        let record = try await store.insertChild(.ad, parentID: group.id, spec: try coding.encode(plan), now: clock.now())
        let job = try await enqueue(.init(adID: record.id), campaign: group.parentID ?? 0)
        return Queued(item: try builds.ad(record), jobID: job)
    }

    /// Campaign, ad group and ad as one job. The same client request id again resumes that
    /// launch (and retries what Pinterest refused); it never makes a second campaign.
    func launch(_ launch: LaunchPlan) async throws -> LaunchOutcome {
        let crid = launch.clientRequestID.trimmingCharacters(in: .whitespaces)
        guard !crid.isEmpty, crid.count <= 128 else {
            throw InvalidInput(field: "client_request_id", reason: "must be 1 to 128 characters (a retry sends the same one)")
        }
        let validator = CampaignValidator(now: clock.now())
        let adAccountID = try await tokens.session(adAccountID: launch.campaign.adAccountID).adAccountID
        var campaign = try validator.campaign(launch.campaign)
        campaign.adAccountID = adAccountID
        let group = try validator.adGroup(launch.adGroup, campaign: campaign)
        let ad = try validator.ad(launch.ad)
        try await checkAudiences(group.targeting, adAccountID: adAccountID, prefix: "ad_group.targeting")
        let (c, g, a, existed): (BuildRecord, BuildRecord, BuildRecord, Bool)
        do {
            (c, g, a, existed) = try await store.insertLaunch(
                adAccountID: adAccountID, campaign: try coding.encode(campaign), adGroup: try coding.encode(group), ad: try coding.encode(ad),
                clientRequestID: crid, request: try coding.encode(LaunchPlan(campaign: campaign, adGroup: group, ad: ad, clientRequestID: crid)),
                now: clock.now())
        } catch let error as ClientRequestIDReused {
            throw CampaignError.launchRequestIDReused(clientRequestID: crid, campaignID: error.campaignID)
        }
        var job: Int64?
        if a.state != .created {
            // A relaunch tries again what Pinterest refused before.
            for record in [c, g, a] where record.state == .error { try await store.resetBuildError(record.level, id: record.id, now: clock.now()) }
            job = try await enqueue(.init(adID: a.id), campaign: c.id)
        }
        if !existed { logger.notice("campaign launch queued", metadata: ["campaign_id": "\(c.id)"]) }
        let builds = self.builds
        return LaunchOutcome(
            campaign: try await builds.reload(try builds.campaign(c)), adGroup: try await builds.reload(try builds.adGroup(g)),
            ad: try await builds.reload(try builds.ad(a)), jobID: job, resumed: existed)
    }

    /// Campaigns made or tracked here, of one ad account or all.
    func campaigns(adAccountID: String?) async throws -> [CampaignBuild] {
        try await builds.campaigns(adAccountID: adAccountID)
    }

    /// One campaign with its ad groups and ads; `refresh` reads its status from Pinterest first.
    func campaign(_ id: Int64, refresh: Bool) async throws -> CampaignTree {
        var campaign = try await existing(id)
        if refresh, let pinterestID = campaign.pinterestID, let account = campaign.adAccountID {
            let found = try await tokens.session(adAccountID: account).campaigns(ids: [pinterestID]).first
            try await store.setCampaignStatus(id: campaign.id, status: found.map { $0.summaryStatus ?? $0.status ?? "" }, now: clock.now())
            campaign = try await builds.reload(campaign)
        }
        let groups = try await builds.adGroups(campaignID: campaign.id)
        var ads: [AdBuild] = []
        for group in groups { ads += try await builds.ads(adGroupID: group.id) }
        return CampaignTree(campaign: campaign, adGroups: groups, ads: ads)
    }

    /// Ad groups of one campaign (which must exist), or all.
    func adGroups(campaignID: Int64?) async throws -> [AdGroupBuild] {
        if let campaignID { _ = try await existing(campaignID) }
        return try await builds.adGroups(campaignID: campaignID)
    }

    /// Ads of one ad group (which must exist), or all.
    func ads(adGroupID: Int64?) async throws -> [AdBuild] {
        if let adGroupID, try await store.buildRecord(.adGroup, id: adGroupID) == nil {
            throw CampaignError.unknown(level: .adGroup, id: adGroupID, field: "ad_group_id")
        }
        return try await builds.ads(adGroupID: adGroupID)
    }

    /// A campaign made elsewhere (its Pinterest id) whose metrics are pulled from now on.
    func track(pinterestCampaignID: String, adAccountID: String?) async throws -> CampaignBuild {
        guard !pinterestCampaignID.isEmpty, pinterestCampaignID.count <= 18, pinterestCampaignID.allSatisfy(\.isNumber) else {
            throw InvalidInput(field: "campaign_id", reason: "must be Pinterest's campaign id (digits), got '\(pinterestCampaignID)'")
        }
        let account = try await tokens.session(adAccountID: adAccountID).adAccountID
        let (record, _) = try await store.trackCampaign(adAccountID: account, pinterestID: pinterestCampaignID, now: clock.now())
        return try builds.campaign(record)
    }

    // MARK: - Helpers

    /// Audiences named in targeting must be synced to the ad account already.
    private func checkAudiences(_ targeting: Targeting?, adAccountID: String, prefix: String) async throws {
        for (key, ids) in [("audiences_include", targeting?.audiencesInclude ?? []), ("audiences_exclude", targeting?.audiencesExclude ?? [])] {
            for (index, id) in ids.enumerated() {
                let field = "\(prefix).\(key)[\(index)]"
                guard try await store.audience(id: id) != nil else {
                    throw InvalidInput(field: field, reason: "audience \(id) is not known to this daemon")
                }
                guard try await store.activation(audienceID: id, adAccountID: adAccountID)?.pinterestAudienceID != nil else {
                    throw InvalidInput(
                        field: field,
                        reason: "audience \(id) is not synced to ad account \(adAccountID) yet: `pinads audience activate \(id) --ad-account \(adAccountID)` and wait for its first sync")
                }
            }
        }
    }

    private func enqueue(_ payload: CampaignBuildJob.Payload, campaign: Int64) async throws -> Int64? {
        guard let queue else { return nil }
        return try await queue.enqueue(CampaignBuildJob.self, payload, serialKey: "campaign:\(campaign)").id
    }

    /// The campaign a request names by `campaign_id`.
    private func existing(_ id: Int64) async throws -> CampaignBuild {
        guard let campaign = try await builds.campaign(id: id) else { throw CampaignError.unknown(level: .campaign, id: id, field: "campaign_id") }
        return campaign
    }
}

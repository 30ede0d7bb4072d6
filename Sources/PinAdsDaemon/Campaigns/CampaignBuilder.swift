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
    private(set) var queue: JobQueue?
    let coding = PlanCoding()
    var builds: BuildReader { BuildReader(store: store, coding: coding) }
    /// How long after a create was sent, at least, Pinterest is asked whether it made the
    /// object (a request cut off by a crash may still be processed for a moment).
    let settleTime: TimeInterval
    /// The ad accounts' conversion tags.
    nonisolated let tags: ConversionTagBook
    /// Reads the hierarchy back from Pinterest.
    nonisolated let reader: HierarchyReader
    /// Ad groups whose keywords are being made equal to a list now (a build's or an update's),
    /// and who waits for each: one at a time per ad group.
    var keywordSyncs: [Int64: [CheckedContinuation<Void, Never>]] = [:]

    public init(store: Store, tokens: TokenManager, clock: any WallClock, logger: Logger, settleTime: TimeInterval = 2) {
        self.settleTime = settleTime
        tags = ConversionTagBook(store: store, tokens: tokens, clock: clock, logger: logger)
        reader = HierarchyReader(store: store, clock: clock, logger: logger)
        self.store = store
        self.tokens = tokens
        self.clock = clock
        self.logger = logger
    }

    public func attach(queue: JobQueue) { self.queue = queue }

    public nonisolated var jobHandlers: [any JobHandler] { [CampaignBuildJob(builder: self), CampaignUpdateJob(builder: self)] }

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
        if let goal = plan.optimizationGoal {
            try await checkConversionTag(goal, adAccountID: campaign.adAccountID ?? "", field: "ad_group.optimization_goal.conversion_tag_id")
        }
        let record = try await store.insertChild(
            .adGroup, parentID: campaign.id, spec: try coding.encode(plan), keywordsPending: plan.keywords != nil, now: clock.now())
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
    /// - Parameter status: ACTIVE for a launch that runs at once; PAUSED (the default) or nil
    ///   leaves the campaign as its plan says (PAUSED unless it says ACTIVE).
    func launch(_ launch: LaunchPlan, status: String? = nil) async throws -> LaunchOutcome {
        let crid = launch.clientRequestID.trimmingCharacters(in: .whitespaces)
        guard !crid.isEmpty, crid.count <= 128 else {
            throw InvalidInput(field: "client_request_id", reason: "must be 1 to 128 characters (a retry sends the same one)")
        }
        let validator = CampaignValidator(now: clock.now())
        var launchCampaign = launch.campaign
        if let status {
            let status = try validator.oneOf(status.uppercased(), CampaignValidator.statuses, field: "status")
            if let own = launchCampaign.status, own.uppercased() != status {
                throw InvalidInput(field: "status", reason: "is \(status) but campaign.status is \(own); give one of them")
            }
            launchCampaign.status = status
        }
        let adAccountID = try await tokens.session(adAccountID: launch.campaign.adAccountID).adAccountID
        var campaign = try validator.campaign(launchCampaign)
        campaign.adAccountID = adAccountID
        let group = try validator.adGroup(launch.adGroup, campaign: campaign)
        let ad = try validator.ad(launch.ad)
        try await checkAudiences(group.targeting, adAccountID: adAccountID, prefix: "ad_group.targeting")
        if let goal = group.optimizationGoal {
            try await checkConversionTag(goal, adAccountID: adAccountID, field: "ad_group.optimization_goal.conversion_tag_id")
        }
        let (c, g, a, existed): (BuildRecord, BuildRecord, BuildRecord, Bool)
        do {
            (c, g, a, existed) = try await store.insertLaunch(
                adAccountID: adAccountID, campaign: try coding.encode(campaign), adGroup: try coding.encode(group), ad: try coding.encode(ad),
                clientRequestID: crid, request: try coding.encode(LaunchPlan(campaign: campaign, adGroup: group, ad: ad, clientRequestID: crid)),
                keywordsPending: group.keywords != nil, now: clock.now())
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
        try await builds.withUpdates(try await builds.campaigns(adAccountID: adAccountID))
    }

    /// One campaign with its ad groups and ads; `refresh` reads all three levels from
    /// Pinterest first (their status, budgets and review; ad groups and ads made elsewhere).
    func campaign(_ id: Int64, refresh: Bool) async throws -> CampaignTree {
        var campaign = try await existing(id)
        if refresh, campaign.pinterestID != nil, let account = campaign.adAccountID {
            _ = try await reader.refresh([campaign.record], session: try await tokens.session(adAccountID: account))
            campaign = try await builds.reload(campaign)
        }
        let groups = try await builds.withUpdates(try await builds.adGroups(campaignID: campaign.id))
        var ads: [AdBuild] = []
        for group in groups { ads += try await builds.ads(adGroupID: group.id) }
        return CampaignTree(campaign: try await builds.withUpdate(campaign), adGroups: groups, ads: try await builds.withUpdates(ads))
    }

    /// Ad groups of one campaign (which must exist), or all.
    func adGroups(campaignID: Int64?) async throws -> [AdGroupBuild] {
        if let campaignID { _ = try await existing(campaignID) }
        return try await builds.withUpdates(try await builds.adGroups(campaignID: campaignID))
    }

    /// Ads of one ad group (which must exist), or all.
    func ads(adGroupID: Int64?) async throws -> [AdBuild] {
        if let adGroupID, try await store.buildRecord(.adGroup, id: adGroupID) == nil {
            throw CampaignError.unknown(level: .adGroup, id: adGroupID, field: "ad_group_id")
        }
        return try await builds.withUpdates(try await builds.ads(adGroupID: adGroupID))
    }

    /// A campaign made elsewhere (its Pinterest id) whose metrics are pulled from now on.
    func track(pinterestCampaignID: String, adAccountID: String?) async throws -> CampaignBuild {
        guard !pinterestCampaignID.isEmpty, pinterestCampaignID.count <= 18, pinterestCampaignID.allSatisfy(\.isNumber) else {
            throw InvalidInput(field: "campaign_id", reason: "must be Pinterest's campaign id (digits), got '\(pinterestCampaignID)'")
        }
        let session = try await tokens.session(adAccountID: adAccountID)
        let (record, _) = try await store.trackCampaign(adAccountID: session.adAccountID, pinterestID: pinterestCampaignID, now: clock.now())
        // Its ad groups and ads come along; if Pinterest cannot be read now, the next metrics
        // pull brings them.
        do {
            _ = try await reader.refresh([record], session: session)
        } catch {
            logger.warning("a tracked campaign could not be read from Pinterest yet", metadata: ["campaign_id": "\(record.id)", "error": "\(error)"])
        }
        return try await builds.reload(try builds.campaign(record))
    }

    // MARK: - Helpers

    /// Audiences named in targeting must be synced to the ad account already.
    func checkAudiences(_ targeting: Targeting?, adAccountID: String, prefix: String) async throws {
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
    func existing(_ id: Int64) async throws -> CampaignBuild {
        guard let campaign = try await builds.campaign(id: id) else { throw CampaignError.unknown(level: .campaign, id: id, field: "campaign_id") }
        return campaign
    }
}

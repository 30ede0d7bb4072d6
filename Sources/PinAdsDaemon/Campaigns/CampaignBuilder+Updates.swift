import Foundation
import PinAdsStore
import PinterestAPI

// Updates of objects Pinterest has: checked, then kept as a write-ahead record (durable before
// the caller is answered), then applied by the `campaigns.update` job, one at a time per
// campaign, in the order they came.

extension CampaignBuilder {
    static let updateKind = "campaigns.update"

    /// A change to a campaign; the job that applies it.
    func updateCampaign(id: Int64, _ change: CampaignChange) async throws -> Queued<CampaignBuild> {
        let campaign = try await builds.withUpdate(try await existing(id))
        try await updatable(campaign, parent: nil, campaignID: campaign.id)
        let (checked, _) = try CampaignValidator(now: clock.now()).campaignChange(change, current: campaign.context)
        let job = try await record(.campaign, id: campaign.id, campaignID: campaign.id, changes: try coding.encode(checked))
        return Queued(item: try await builds.withUpdate(try await builds.reload(campaign)), jobID: job)
    }

    /// A change to an ad group (targeting and keywords are replaced whole).
    func updateAdGroup(id: Int64, _ change: AdGroupChange) async throws -> Queued<AdGroupBuild> {
        guard let group = try await builds.adGroup(id: id) else { throw CampaignError.unknown(level: .adGroup, id: id, field: "id") }
        let campaign = try await builds.withUpdate(try await existing(group.parentID ?? 0))
        try await updatable(try await builds.withUpdate(group), parent: campaign, campaignID: campaign.id)
        let (checked, merged) = try CampaignValidator(now: clock.now()).adGroupChange(change, current: group.plan, campaign: campaign.context)
        let account = campaign.adAccountID ?? ""
        if checked.targeting != nil { try await checkAudiences(merged.targeting, adAccountID: account, prefix: "targeting") }
        if let goal = checked.optimizationGoal { try await checkConversionTag(goal, adAccountID: account, field: "optimization_goal.conversion_tag_id") }
        let job = try await record(.adGroup, id: group.id, campaignID: campaign.id, changes: try coding.encode(checked))
        return Queued(item: try await builds.withUpdate(try await builds.reload(group)), jobID: job)
    }

    /// A change to an ad.
    func updateAd(id: Int64, _ change: AdChange) async throws -> Queued<AdBuild> {
        guard let ad = try await builds.ad(id: id) else { throw CampaignError.unknown(level: .ad, id: id, field: "id") }
        guard let group = try await builds.adGroup(id: ad.parentID ?? 0) else {
            throw CampaignError.unknown(level: .adGroup, id: ad.parentID ?? 0, field: "id")
        }
        let campaign = try await builds.withUpdate(try await existing(group.parentID ?? 0))
        try await updatable(try await builds.withUpdate(group), parent: campaign, campaignID: campaign.id)
        try await updatable(try await builds.withUpdate(ad), parent: nil, campaignID: campaign.id)
        let (checked, _) = try CampaignValidator(now: clock.now()).adChange(change, current: ad.plan)
        let job = try await record(.ad, id: ad.id, campaignID: campaign.id, changes: try coding.encode(checked))
        return Queued(item: try await builds.withUpdate(try await builds.reload(ad)), jobID: job)
    }

    /// The write-ahead record, then the job.
    private func record(_ level: BuildLevel, id: Int64, campaignID: Int64, changes: String) async throws -> Int64? {
        let update = try await store.insertUpdate(level, objectID: id, campaignID: campaignID, changes: changes, now: clock.now())
        logger.notice("update queued", metadata: ["level": "\(level.name)", "id": "\(id)", "update_id": "\(update.id)"])
        return try await enqueueUpdates(campaignID: campaignID)
    }

    /// Queues the job of every campaign with updates still queued: an update is recorded
    /// before its job, so a stop between the two leaves one without (the daemon calls this at
    /// start; a job already queued takes them).
    public func resumeQueuedUpdates() async throws {
        for campaign in try await store.campaignsWithQueuedUpdates() { _ = try await enqueueUpdates(campaignID: campaign) }
    }

    func enqueueUpdates(campaignID: Int64) async throws -> Int64? {
        guard let queue else { return nil }
        return try await queue.enqueue(CampaignUpdateJob.self, .init(campaignID: campaignID), serialKey: "updates:campaign:\(campaignID)").id
    }

    /// Whether an object can be changed: Pinterest must have it, and neither it nor its
    /// campaign may be archived (archiving is final) or about to be. A queued archive gets
    /// its job again (one whose attempts ran out would otherwise hold the object for good).
    private func updatable<Plan>(_ build: Build<Plan>, parent: CampaignBuild?, campaignID: Int64) async throws {
        if build.latestUpdate?.state == .queued || parent?.latestUpdate?.state == .queued { _ = try await enqueueUpdates(campaignID: campaignID) }
        try updatable(build, parent: parent)
    }

    private func updatable<Plan>(_ build: Build<Plan>, parent: CampaignBuild?) throws {
        let what = "\(CampaignError.words(build.level)) \(build.id)"
        switch build.state {
        case .pending:
            throw InvalidInput(field: "id", reason: "\(what) is not at Pinterest yet (PENDING): its build job creates it; change it once it is CREATED")
        case .error:
            throw InvalidInput(
                field: "id", reason: "\(what) was refused by Pinterest (\(build.errorMessage ?? "?")), so there is nothing to change; launch it again")
        case .created:
            break
        }
        for object in [build.archival] + [parent?.archival].compactMap({ $0 }) {
            if let reason = object { throw InvalidInput(field: "id", reason: reason) }
        }
    }
}

extension Build {
    /// Why it cannot change any more: archived at Pinterest, by pinads, or by a queued update.
    var archival: String? {
        let what = "\(CampaignError.words(record.level)) \(record.id)"
        if reading?.status == "ARCHIVED" || reading?.summaryStatus == "ARCHIVED" || plannedStatus == "ARCHIVED" {
            return "\(what) is ARCHIVED: Pinterest does not change archived objects (archiving is final); make a new one"
        }
        if let update = latestUpdate, update.state == .queued, ChangeStatus.of(update.changes) == "ARCHIVED" {
            return "\(what) is being archived (update \(update.id) is queued); archived objects cannot be changed"
        }
        return nil
    }

    private var plannedStatus: String? {
        switch plan {
        case let plan as CampaignPlan?: return plan?.status
        case let plan as AdGroupPlan: return plan.status
        case let plan as AdPlan: return plan.status
        default: return nil
        }
    }
}

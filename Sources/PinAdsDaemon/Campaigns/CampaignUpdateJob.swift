import Foundation
import PinAdsJSON
import PinAdsStore
import PinterestAPI

/// `campaigns.update`: applies a campaign's queued updates (of any of its levels), oldest
/// first. One job per campaign at a time; a new update joins a queued job.
struct CampaignUpdateJob: JobHandler {
    static var kind: String { CampaignBuilder.updateKind }
    let retryPolicy = RetryPolicy.default
    let builder: CampaignBuilder

    struct Payload: Codable, Sendable, Equatable {
        var campaignID: Int64

        init(campaignID: Int64) { self.campaignID = campaignID }

        enum CodingKeys: String, CodingKey { case campaignID = "campaign_id" }
    }

    /// The updates applied and refused by this attempt.
    struct Result: Codable, Sendable, Equatable {
        var applied: [Int64] = []
        var refused: [Int64] = []
    }

    func run(_ payload: Payload, job: JobRecord, context: JobContext) async throws -> Result {
        try await builder.runUpdates(campaignID: payload.campaignID)
    }
}

/// The update's outcome is recorded already (a refusal of part of it).
struct UpdateRecorded: Error {}

/// Why one update is not applied: pinads' checks when it ran, or Pinterest's refusal. It is
/// recorded with the update (REFUSED) and the next update goes on.
struct UpdateRefusal: Error, Sendable, CustomStringConvertible {
    var message: String
    var code: Int?

    init(message: String, code: Int? = nil) {
        self.message = message
        self.code = code
    }

    var description: String { message }
}

extension CampaignBuilder {
    /// Applies the campaign's queued updates in order. A refused one is recorded and the rest
    /// go on (the job then fails, naming it); an error a retry can help stops here, leaving it
    /// and those after it queued for the retry.
    func runUpdates(campaignID: Int64) async throws -> CampaignUpdateJob.Result {
        guard let campaign = try await builds.campaign(id: campaignID), let account = campaign.adAccountID else {
            throw JobFailure("campaign \(campaignID) no longer exists", retryable: false)
        }
        let session = try await tokens.session(adAccountID: account)
        var result = CampaignUpdateJob.Result()
        var refusals: [String] = []
        for update in try await store.queuedUpdates(campaignID: campaignID) {
            do {
                try await apply(update, session: session)
                result.applied.append(update.id)
                logger.notice("update applied at Pinterest", metadata: ["level": "\(update.level.name)", "id": "\(update.objectID)", "update_id": "\(update.id)"])
            } catch let refusal as UpdateRefusal {
                try await store.markUpdateRefused(id: update.id, message: refusal.message, code: refusal.code, now: clock.now())
                result.refused.append(update.id)
                refusals.append("update \(update.id) of \(CampaignError.words(update.level)) \(update.objectID): \(refusal.message)")
                logger.warning("update refused", metadata: ["level": "\(update.level.name)", "id": "\(update.objectID)", "update_id": "\(update.id)"])
            } catch is UpdateRecorded {
                result.refused.append(update.id)
                refusals.append("update \(update.id) of \(CampaignError.words(update.level)) \(update.objectID): its keywords were refused")
            } catch let error as InvalidInput {
                let message = "\(error.field) \(error.reason)"
                try await store.markUpdateRefused(id: update.id, message: message, code: nil, now: clock.now())
                result.refused.append(update.id)
                refusals.append("update \(update.id): \(message)")
            }
        }
        if !refusals.isEmpty { throw JobFailure(refusals.joined(separator: "; "), retryable: false) }
        return result
    }

    /// One update: if it was sent before and its answer lost, Pinterest's state is read
    /// first, and an update Pinterest already has is recorded, not sent again.
    private func apply(_ update: UpdateRecord, session: PinterestSession) async throws {
        if let sent = update.sentAt, sent.addingTimeInterval(settleTime) > clock.now() {
            try await clock.sleep(until: sent.addingTimeInterval(settleTime))
        }
        switch update.level {
        case .campaign: try await applyCampaign(update, session: session)
        case .adGroup: try await applyAdGroup(update, session: session)
        case .ad: try await applyAd(update, session: session)
        }
    }

    // Each level: when the update was sent before and its answer lost, Pinterest's object is
    // read first (before the checks, which may depend on the time: an end that has passed
    // since); an object that holds the change already makes the update APPLIED, unsent. The
    // change is then checked again against the object as it is now (earlier updates may have
    // changed it) and what that check makes of it is sent.

    private func applyCampaign(_ update: UpdateRecord, session: PinterestSession) async throws {
        let change = try coding.decode(CampaignChange.self, from: update.changes)
        let campaign = try await builds.withUpdate(try await existing(update.objectID))
        guard let pinterestID = campaign.pinterestID else { throw UpdateRefusal(message: "campaign \(campaign.id) has no Pinterest id") }
        if update.sentAt != nil, let now = try await session.readCampaigns(ids: [pinterestID]).first, change.isReflected(in: now) {
            return try await applied(
                update, spec: campaign.plan.map(change.applied(to:)), reading: ObjectReading(now), status: now.summaryStatus ?? now.status,
                found: true, campaign: campaign.id)
        }
        let (checked, merged) = try CampaignValidator(now: clock.now()).campaignChange(change, current: campaign.context)
        let item = CampaignUpdate(
            id: pinterestID, adAccountID: session.adAccountID, name: checked.name, status: checked.status,
            dailySpendCap: checked.dailySpendCap.map { FieldUpdate($0) }, lifetimeSpendCap: checked.lifetimeSpendCap.map { FieldUpdate($0) },
            startTime: checked.startTime.map { .set(Self.unix($0)) }, endTime: checked.endTime.map { FieldUpdate($0, map: Self.unix) })
        let answer = try await patch(update) { try await session.updateCampaigns([item]).first }
        try await applied(
            update, spec: campaign.plan == nil ? nil : merged, reading: ObjectReading(answer), status: answer.summaryStatus ?? answer.status,
            found: false, campaign: campaign.id)
    }

    private func applyAdGroup(_ update: UpdateRecord, session: PinterestSession) async throws {
        let change = try coding.decode(AdGroupChange.self, from: update.changes)
        guard let group = try await builds.adGroup(id: update.objectID), let pinterestID = group.pinterestID else {
            throw UpdateRefusal(message: "ad group \(update.objectID) has no Pinterest id")
        }
        let campaign = try await existing(group.parentID ?? 0)
        var reading = group.reading
        var plan = group.plan
        if change.patchesAdGroup {
            var found: AdGroup?
            if update.sentAt != nil, let now = try await session.readAdGroups(adGroupIDs: [pinterestID]).first {
                var targeting: [String: [String]]?
                if change.targeting != nil {
                    targeting = try await targetingSpec(change.applied(to: group.plan).targeting, adAccountID: session.adAccountID, adGroupID: nil)
                }
                if change.isReflected(in: now, targeting: targeting) { found = now }
            }
            if let found {
                logger.notice("an update whose answer was lost had reached Pinterest; not sent again", metadata: ["update_id": "\(update.id)"])
                var rest = change
                rest.keywords = nil
                plan = rest.applied(to: plan)
                reading = ObjectReading(found, keywords: reading?.keywords)
            } else {
                var (checked, merged) = try CampaignValidator(now: clock.now()).adGroupChange(change, current: group.plan, campaign: campaign.context)
                checked.keywords = nil
                merged.keywords = group.plan.keywords
                var targeting: [String: [String]]?
                if checked.targeting != nil {
                    targeting = try await targetingSpec(merged.targeting, adAccountID: session.adAccountID, adGroupID: nil)
                }
                let item = AdGroupUpdate(
                    id: pinterestID, name: checked.name, status: checked.status, budgetInMicroCurrency: checked.budgetInMicroCurrency,
                    bidInMicroCurrency: checked.bidInMicroCurrency.map { FieldUpdate($0) }, bidStrategyType: checked.bidStrategyType.map { .set($0) },
                    startTime: checked.startTime.map { .set(Self.unix($0)) }, endTime: checked.endTime.map { FieldUpdate($0, map: Self.unix) },
                    targetingSpec: targeting, autoTargetingEnabled: checked.autoTargetingEnabled,
                    optimizationGoalMetadata: checked.optimizationGoal.map(Self.goalMetadata))
                let answer = try await patch(update) { try await session.updateAdGroups([item]).first }
                plan = merged
                reading = ObjectReading(answer, keywords: reading?.keywords)
            }
        }
        if let keywords = change.keywords {
            let validated = try CampaignValidator(now: clock.now()).keywords(keywords, prefix: "keywords") ?? []
            do {
                let now = try await withKeywordLock(adGroupID: group.id) {
                    try await self.syncKeywords(validated, adGroupPinterestID: pinterestID, session: session)
                }
                if reading == nil, let read = try await session.readAdGroups(adGroupIDs: [pinterestID]).first { reading = ObjectReading(read) }
                reading?.keywords = now
                plan.keywords = validated.isEmpty ? nil : validated
                try await store.setKeywordsPending(adGroupID: group.id, false, now: clock.now())
            } catch let refusal as UpdateRefusal where change.patchesAdGroup {
                // The ad group's change is Pinterest's now; only its keywords were refused.
                try await store.markUpdateRefused(
                    id: update.id, message: "the ad group's other changes were applied; its keywords were not: \(refusal.message)", code: refusal.code,
                    spec: try coding.encode(plan), reading: try reading.map(coding.encode), now: clock.now())
                throw UpdateRecorded()
            }
        }
        try await applied(update, spec: plan, reading: reading, status: nil, found: false, campaign: campaign.id)
    }

    private func applyAd(_ update: UpdateRecord, session: PinterestSession) async throws {
        let change = try coding.decode(AdChange.self, from: update.changes)
        guard let ad = try await builds.ad(id: update.objectID), let pinterestID = ad.pinterestID else {
            throw UpdateRefusal(message: "ad \(update.objectID) has no Pinterest id")
        }
        if update.sentAt != nil, let now = try await session.readAds(adIDs: [pinterestID]).first, change.isReflected(in: now) {
            return try await applied(update, spec: change.applied(to: ad.plan), reading: ObjectReading(now), status: nil, found: true, campaign: nil)
        }
        let (checked, merged) = try CampaignValidator(now: clock.now()).adChange(change, current: ad.plan)
        let item = AdUpdate(
            id: pinterestID, name: checked.name, status: checked.status, destinationURL: checked.destinationURL.map { FieldUpdate($0) },
            clickTrackingURL: checked.clickTrackingURL.map { FieldUpdate($0) }, viewTrackingURL: checked.viewTrackingURL.map { FieldUpdate($0) })
        let answer = try await patch(update) { try await session.updateAds([item]).first }
        try await applied(update, spec: merged, reading: ObjectReading(answer), status: nil, found: false, campaign: nil)
    }

    /// Records the update APPLIED, the object's plan and Pinterest's answer with it. A
    /// campaign's archive archives its ad groups and ads at Pinterest: their plans follow
    /// (`campaign`: the campaign, for a campaign's update).
    private func applied<Plan: Encodable>(
        _ update: UpdateRecord, spec: Plan?, reading: ObjectReading?, status: String?, found: Bool, campaign: Int64?
    ) async throws {
        if found {
            logger.notice("an update whose answer was lost had reached Pinterest; not sent again", metadata: ["update_id": "\(update.id)"])
        }
        try await store.markUpdateApplied(
            id: update.id, spec: try spec.map(coding.encode), reading: try reading.map(coding.encode), status: status, now: clock.now())
        if update.level != .ad, ChangeStatus.of(update.changes) == "ARCHIVED" { try await archiveChildren(of: update) }
    }

    /// Pinterest archives an archived campaign's ad groups and ads, and an archived ad group's
    /// ads (NOTES §13.2): their plans say so too, so they show no drift.
    private func archiveChildren(of update: UpdateRecord) async throws {
        let groups = update.level == .campaign ? try await builds.adGroups(campaignID: update.objectID) : []
        let groupIDs = update.level == .campaign ? groups.map(\.id) : [update.objectID]
        let now = clock.now()
        for group in groups where group.plan.status != "ARCHIVED" {
            var plan = group.plan
            plan.status = "ARCHIVED"
            try await store.setSpec(.adGroup, id: group.id, spec: try coding.encode(plan), now: now)
        }
        for groupID in groupIDs {
            for ad in try await builds.ads(adGroupID: groupID) where ad.plan.status != "ARCHIVED" {
                var plan = ad.plan
                plan.status = "ARCHIVED"
                try await store.setSpec(.ad, id: ad.id, spec: try coding.encode(plan), now: now)
            }
        }
    }

    /// Sends one PATCH item with the write-ahead mark set first; Pinterest's refusal of the
    /// item is the update's refusal, an error a retry can help is the job's.
    private func patch<Object: Sendable>(_ update: UpdateRecord, _ send: () async throws -> BulkItem<Object>?) async throws -> Object {
        // A mark of an earlier attempt stays whatever becomes of this one: that attempt's
        // change may have landed.
        let markedBefore = update.sentAt != nil
        try await store.markUpdateSent(id: update.id, at: clock.now())
        do {
            guard let item = try await send() else {
                throw JobFailure("update \(update.id): Pinterest's answer held no item", retryable: true)
            }
            if let object = item.created, item.exceptions.isEmpty { return object }
            guard let first = item.exceptions.first else {
                // No object and no reason: it may have been applied; the retry reads first.
                throw JobFailure("update \(update.id): Pinterest answered with neither the object nor an exception", retryable: true)
            }
            throw UpdateRefusal(message: "Pinterest refused it: \(first.description)", code: first.code)
        } catch let error as PinterestError {
            if error.certainlyNotApplied, !markedBefore { try await store.clearUpdateSent(id: update.id, now: clock.now()) }
            if case .malformedResponse = error {
                // An answer that cannot be read says nothing of whether it was applied: the
                // retry reads Pinterest's object first.
                throw JobFailure("update \(update.id): \(error.description)", retryable: true)
            }
            guard error.isRetryable else { throw UpdateRefusal(message: error.description, code: error.pinterestCode) }
            throw JobFailure("update \(update.id): \(error.description)", retryable: true)
        } catch let error as ConnectionUnavailable {
            if !markedBefore { try await store.clearUpdateSent(id: update.id, now: clock.now()) }
            throw error
        }
    }

    static func goalMetadata(_ goal: ConversionGoal) -> OptimizationGoalMetadata {
        OptimizationGoalMetadata(
            conversionTagV3GoalMetadata: .init(
                conversionTagID: goal.conversionTagID, conversionEvent: goal.conversionEvent,
                cpaGoalValueInMicroCurrency: goal.cpaGoalInMicroCurrency.map(String.init),
                attributionWindows: goal.clickWindowDays == nil && goal.engagementWindowDays == nil && goal.viewWindowDays == nil
                    ? nil
                    : .init(clickWindowDays: goal.clickWindowDays, engagementWindowDays: goal.engagementWindowDays, viewWindowDays: goal.viewWindowDays),
                isRoasOptimized: goal.roasOptimized, learningModeType: nil))
    }
}

extension FieldUpdate where Value: Decodable {
    /// The Pinterest form of a change's `Patch`.
    init(_ patch: Patch<Value>) {
        switch patch {
        case .set(let value): self = .set(value)
        case .clear: self = .clear
        }
    }

}

extension FieldUpdate {
    init<Source>(_ patch: Patch<Source>, map transform: (Source) -> Value) {
        switch patch {
        case .set(let value): self = .set(transform(value))
        case .clear: self = .clear
        }
    }
}

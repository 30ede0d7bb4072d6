import Foundation
import PinAdsStore
import PinterestAPI

// The build job: what is missing of a campaign, created at Pinterest top down.

extension CampaignBuilder {
    /// The level a build job names and the campaign it belongs to.
    private struct Named {
        var level: BuildLevel
        var id: Int64
        func names(_ record: BuildRecord) -> Bool { record.level == level && record.id == id }
        func names<Plan>(_ build: Build<Plan>) -> Bool { names(build.record) }
    }

    /// Creates whatever is missing of the campaign the payload names (through any of its levels),
    /// top down: the campaign, then each PENDING ad group, then each PENDING ad. Builds of one
    /// campaign run one at a time and a new one coalesces into a queued one, so a job builds
    /// every pending row of its campaign, not only the row it was queued for. A level refused
    /// before is left in ERROR (and fails the job only when it is the one the payload names);
    /// the first failure is thrown after the other branches were tried.
    func runBuild(_ payload: CampaignBuildJob.Payload) async throws -> CampaignBuildJob.Result {
        let (campaign, named) = try await target(of: payload)
        guard let adAccountID = campaign.adAccountID else { throw JobFailure("campaign \(campaign.id) has no ad account", retryable: false) }
        let session = try await tokens.session(adAccountID: adAccountID)
        let campaignID = try await ensureCampaign(campaign, session: session)
        var result = CampaignBuildJob.Result(campaign: .init(id: campaign.id, pinterestID: campaignID))
        var firstFailure: (any Error)?
        for group in try await builds.adGroups(campaignID: campaign.id) {
            let adsOfGroup = try await builds.ads(adGroupID: group.id)
            let wanted = named.names(group) || adsOfGroup.contains(where: named.names)
            if group.state == .error && !wanted { continue }
            if group.state == .created, adsOfGroup.allSatisfy({ $0.state != .pending }) && !wanted && !group.record.keywordsPending {
                result.adGroups.append(.init(id: group.id, pinterestID: group.pinterestID))
                continue
            }
            let groupID: String
            do {
                groupID = try await ensureAdGroup(group, session: session, campaignID: campaignID)
            } catch let error as ConnectionUnavailable {
                throw error
            } catch {
                if firstFailure == nil || wanted { firstFailure = error }
                continue
            }
            result.adGroups.append(.init(id: group.id, pinterestID: groupID))
            // Keywords go after the ad group; a failure of theirs keeps no ad from being made.
            do {
                try await ensureKeywords(group, pinterestID: groupID, session: session)
            } catch let error as ConnectionUnavailable {
                throw error
            } catch {
                if firstFailure == nil || wanted { firstFailure = error }
            }
            for ad in adsOfGroup where ad.state == .pending || (ad.state == .error && named.names(ad)) {
                do {
                    let adID = try await ensureAd(ad, session: session, madeSoFar: ["campaign": campaignID, "ad_group": groupID])
                    result.ads.append(.init(id: ad.id, pinterestID: adID))
                } catch let error as ConnectionUnavailable {
                    throw error
                } catch {
                    if firstFailure == nil || named.names(ad) { firstFailure = error }
                }
            }
        }
        if let firstFailure { throw firstFailure }
        // The named level, flat, for callers following one object.
        if named.level == .adGroup { result.adGroup = result.adGroups.first { $0.id == named.id } }
        if named.level == .ad, let made = result.ads.first(where: { $0.id == named.id }) {
            result.ad = made
            if let group = try await store.buildRecord(.ad, id: named.id)?.parentID, let madeGroup = result.adGroups.first(where: { $0.id == group }) {
                result.adGroup = madeGroup
            }
        }
        return result
    }

    /// The campaign of the level the payload names.
    private func target(of payload: CampaignBuildJob.Payload) async throws -> (CampaignBuild, Named) {
        func load(_ level: BuildLevel, _ id: Int64) async throws -> BuildRecord {
            guard let record = try await store.buildRecord(level, id: id) else {
                throw JobFailure("\(level.name) \(id) no longer exists", retryable: false)
            }
            return record
        }
        let named: Named
        let campaign: BuildRecord
        if let id = payload.adID {
            let ad = try await load(.ad, id)
            let group = try await load(.adGroup, ad.parentID ?? 0)
            campaign = try await load(.campaign, group.parentID ?? 0)
            named = Named(level: .ad, id: id)
        } else if let id = payload.adGroupID {
            let group = try await load(.adGroup, id)
            campaign = try await load(.campaign, group.parentID ?? 0)
            named = Named(level: .adGroup, id: id)
        } else if let id = payload.campaignID {
            campaign = try await load(.campaign, id)
            named = Named(level: .campaign, id: id)
        } else {
            throw JobFailure("payload names no campaign_id, ad_group_id or ad_id", retryable: false)
        }
        return (try builds.campaign(campaign), named)
    }

    // MARK: - One level

    private func ensureCampaign(_ campaign: CampaignBuild, session: PinterestSession) async throws -> String {
        if campaign.state == .created, let id = campaign.pinterestID { return id }
        guard let plan = campaign.plan else {
            throw JobFailure("campaign \(campaign.id) is tracked for metrics only; pinads does not create it", retryable: false)
        }
        return try await ensure(campaign.record, madeSoFar: [:]) { since in
            try await self.lostCampaign(plan, since: since, session: session)
        } create: {
            let body = CampaignCreate(
                adAccountID: session.adAccountID, name: plan.name, objectiveType: plan.objectiveType, status: plan.status ?? "PAUSED",
                dailySpendCap: plan.dailySpendCap, lifetimeSpendCap: plan.lifetimeSpendCap, startTime: plan.startTime.map(Self.unix),
                endTime: plan.endTime.map(Self.unix))
            let item = try await session.createCampaigns([body]).first
            return CreateOutcome(id: item?.created?.id, status: item?.created?.status, exceptions: item?.exceptions ?? [])
        }
    }

    private func ensureAdGroup(_ group: AdGroupBuild, session: PinterestSession, campaignID: String) async throws -> String {
        let plan = group.plan
        return try await ensure(group.record, madeSoFar: ["campaign": campaignID]) { _ in
            try await self.lostAdGroup(plan, campaignID: campaignID, session: session)
        } create: {
            let targeting = try await self.targetingSpec(plan.targeting, adAccountID: session.adAccountID, adGroupID: group.id)
            let body = AdGroupCreate(
                campaignID: campaignID, name: plan.name, billableEvent: plan.billableEvent, budgetInMicroCurrency: plan.budgetInMicroCurrency,
                bidInMicroCurrency: plan.bidInMicroCurrency, budgetType: plan.budgetType, startTime: plan.startTime.map(Self.unix),
                endTime: plan.endTime.map(Self.unix), status: plan.status, autoTargetingEnabled: plan.autoTargetingEnabled ?? false,
                targetingSpec: targeting, bidStrategyType: plan.bidStrategyType, optimizationGoalMetadata: plan.optimizationGoal.map(Self.goalMetadata))
            let item = try await session.createAdGroups([body]).first
            return CreateOutcome(id: item?.created?.id, status: item?.created?.status, exceptions: item?.exceptions ?? [])
        }
    }

    /// - Parameter madeSoFar: the campaign's and the ad group's Pinterest ids, for messages.
    private func ensureAd(_ ad: AdBuild, session: PinterestSession, madeSoFar: [String: String]) async throws -> String {
        let plan = ad.plan
        let adGroupID = madeSoFar["ad_group"] ?? ""
        return try await ensure(ad.record, madeSoFar: madeSoFar) { _ in
            try await self.lostAd(plan, adGroupID: adGroupID, session: session)
        } create: {
            var body = AdCreate(
                adGroupID: adGroupID, pinID: plan.pinID, creativeType: plan.creativeType, name: plan.name, status: plan.status,
                destinationURL: plan.destinationURL, clickTrackingURL: plan.clickTrackingURL)
            body.viewTrackingURL = plan.viewTrackingURL
            let item = try await session.createAds([body]).first
            return CreateOutcome(id: item?.created?.id, status: item?.created?.status, exceptions: item?.exceptions ?? [])
        }
    }

    /// What one create call brought back.
    struct CreateOutcome: Sendable {
        var id: String?
        var status: String?
        var exceptions: [PinterestItemException]
    }

    /// The level's Pinterest id: the stored one, one found for a create whose answer was lost
    /// (`findLost`, given when that create was sent), or a new one (`create`). Each outcome is
    /// stored the moment it is known.
    private func ensure(
        _ record: BuildRecord, madeSoFar: [String: String], findLost: (Date) async throws -> String?,
        create: () async throws -> CreateOutcome
    ) async throws -> String {
        if record.state == .created, let id = record.pinterestID { return id }
        if record.state == .error {
            throw JobFailure(
                "\(record.level.name) \(record.id) was refused by Pinterest: \(record.errorMessage ?? "?"); launch again with the same client_request_id to retry",
                retryable: false)
        }
        let now = clock.now()
        if let since = record.pendingSince, since.addingTimeInterval(settleTime) > now {
            try await clock.sleep(until: since.addingTimeInterval(settleTime))
        }
        if let since = record.pendingSince, let found = try await findLost(since) {
            logger.notice("found the object an interrupted create made; using it", metadata: ["level": "\(record.level.name)", "id": "\(record.id)"])
            try await store.markBuildCreated(record.level, id: record.id, pinterestID: found, status: nil, now: now)
            return found
        }
        try await store.markBuildPending(record.level, id: record.id, since: now)
        do {
            let outcome = try await create()
            guard let id = outcome.id, outcome.exceptions.isEmpty else {
                let first = outcome.exceptions.first
                let message = "Pinterest refused \(record.level.name) \(record.id): \(first?.description ?? "no object and no exception in its answer")"
                // With no exception either, Pinterest may have made it: look for it before a retry.
                try await store.markBuildError(
                    record.level, id: record.id, message: message, code: first?.code, keepPending: first == nil, now: clock.now())
                throw JobFailure(message + Self.createdSoFar(madeSoFar), retryable: false)
            }
            try await store.markBuildCreated(record.level, id: record.id, pinterestID: id, status: outcome.status, now: clock.now())
            logger.notice("created at Pinterest", metadata: ["level": "\(record.level.name)", "id": "\(record.id)"])
            return id
        } catch let error as PinterestError {
            if certainlyNotApplied(error) { try await store.clearBuildPending(record.level, id: record.id, now: clock.now()) }
            if !error.isRetryable {
                var garbled = false
                if case .malformedResponse = error { garbled = true }
                try await store.markBuildError(
                    record.level, id: record.id, message: error.description, code: error.pinterestCode, keepPending: garbled,
                    now: clock.now())
            }
            throw JobFailure("\(record.level.name) \(record.id): \(error.description)\(Self.createdSoFar(madeSoFar))", retryable: error.isRetryable)
        } catch let error as ConnectionUnavailable {
            try await store.clearBuildPending(record.level, id: record.id, now: clock.now())
            throw error
        }
    }

    static func unix(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }

    /// "; already created at Pinterest: ad_group 2, campaign 1" (levels by name), or "".
    private static func createdSoFar(_ made: [String: String]) -> String {
        guard !made.isEmpty else { return "" }
        return "; already created at Pinterest: " + made.keys.sorted().compactMap { key in made[key].map { "\(key) \($0)" } }.joined(separator: ", ")
    }
}

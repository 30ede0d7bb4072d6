import Foundation
import PinAdsStore

/// A campaign, ad group or ad as the daemon knows it: the store's row (how far Pinterest has
/// it) with its plan decoded once, when the row was read. Reads the row's fields directly
/// (`build.id`, `build.state`, `build.pinterestID`).
@dynamicMemberLookup
struct Build<Plan: Sendable & Equatable>: Sendable, Equatable {
    let record: BuildRecord
    let plan: Plan
    /// What Pinterest said of it when last read (nil until it is read).
    var reading: ObjectReading?
    /// Its newest update, when the reader attached it (`BuildReader.withUpdates`).
    var latestUpdate: UpdateRecord?

    init(record: BuildRecord, plan: Plan, reading: ObjectReading? = nil, latestUpdate: UpdateRecord? = nil) {
        self.record = record
        self.plan = plan
        self.reading = reading
        self.latestUpdate = latestUpdate
    }

    subscript<T>(dynamicMember keyPath: KeyPath<BuildRecord, T>) -> T { record[keyPath: keyPath] }

    /// Pinterest's refusal as stored, if it refused the object.
    var refusal: (message: String, pinterestCode: Int?)? {
        record.errorMessage.map { ($0, record.errorCode) }
    }
}

/// A campaign; its plan is nil when it is tracked for metrics only (made outside pinads).
typealias CampaignBuild = Build<CampaignPlan?>
typealias AdGroupBuild = Build<AdGroupPlan>
typealias AdBuild = Build<AdPlan>

/// Something recorded and the job that creates it at Pinterest (nil when there is nothing to do).
struct Queued<Item: Sendable>: Sendable {
    var item: Item
    var jobID: Int64?
}

/// What a launch recorded, and whether its client request id was launched before.
struct LaunchOutcome: Sendable {
    var campaign: CampaignBuild
    var adGroup: AdGroupBuild
    var ad: AdBuild
    /// The job building what is missing; nil when everything exists already.
    var jobID: Int64?
    var resumed: Bool
}

/// A campaign with its ad groups and their ads.
struct CampaignTree: Sendable {
    var campaign: CampaignBuild
    var adGroups: [AdGroupBuild]
    var ads: [AdBuild]
}

/// Rows of the campaign hierarchy read from the store, each plan decoded once per read.
struct BuildReader: Sendable {
    let store: Store
    let coding: PlanCoding

    func campaign(_ record: BuildRecord) throws -> CampaignBuild {
        Build(record: record, plan: try record.spec.map { try coding.decode(CampaignPlan.self, from: $0) }, reading: reading(record))
    }

    func adGroup(_ record: BuildRecord) throws -> AdGroupBuild {
        Build(record: record, plan: try coding.decode(AdGroupPlan.self, from: record.spec ?? ""), reading: reading(record))
    }

    func ad(_ record: BuildRecord) throws -> AdBuild {
        Build(record: record, plan: try coding.decode(AdPlan.self, from: record.spec ?? ""), reading: reading(record))
    }

    /// The stored reading; one that cannot be read (written by another version) counts as none.
    private func reading(_ record: BuildRecord) -> ObjectReading? {
        record.pinterestState.flatMap { try? coding.decode(ObjectReading.self, from: $0) }
    }

    /// The builds with their newest updates attached.
    func withUpdates<Plan>(_ builds: [Build<Plan>]) async throws -> [Build<Plan>] {
        guard let level = builds.first?.level else { return builds }
        let latest = try await store.latestUpdates(level, objectIDs: builds.map(\.id))
        return builds.map { build in
            var build = build
            build.latestUpdate = latest[build.id]
            return build
        }
    }

    func withUpdate<Plan>(_ build: Build<Plan>) async throws -> Build<Plan> {
        try await withUpdates([build]).first ?? build
    }

    func campaign(id: Int64) async throws -> CampaignBuild? { try await store.buildRecord(.campaign, id: id).map(campaign) }
    func adGroup(id: Int64) async throws -> AdGroupBuild? { try await store.buildRecord(.adGroup, id: id).map(adGroup) }
    func ad(id: Int64) async throws -> AdBuild? { try await store.buildRecord(.ad, id: id).map(ad) }

    func campaigns(adAccountID: String?) async throws -> [CampaignBuild] {
        try await store.buildRecords(.campaign, adAccountID: adAccountID).map(campaign)
    }

    /// Ad groups of one campaign, or all.
    func adGroups(campaignID: Int64?) async throws -> [AdGroupBuild] {
        try await store.buildRecords(.adGroup, parentID: campaignID).map(adGroup)
    }

    /// Ads of one ad group, or all.
    func ads(adGroupID: Int64?) async throws -> [AdBuild] {
        try await store.buildRecords(.ad, parentID: adGroupID).map(ad)
    }

    /// The row again, as it is now (itself when it vanished).
    func reload<Plan>(_ build: Build<Plan>) async throws -> Build<Plan> {
        guard let record = try await store.buildRecord(build.level, id: build.id) else { return build }
        return Build(record: record, plan: build.plan, reading: reading(record), latestUpdate: build.latestUpdate)
    }
}

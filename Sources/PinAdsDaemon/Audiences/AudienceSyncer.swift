import Foundation
import Logging
import PinAdsStore

/// Keeps audiences in sync on the ad accounts they are activated on: activations, the jobs that
/// sync them (one chain per activation, one after another, coalesced while queued), real-time
/// pushes after member changes, and actalike audiences. The sync itself is in
/// `AudienceSyncer+Run.swift`, its writes in `AudienceSyncer+Writes.swift`, actalikes in
/// `AudienceSyncer+Actalikes.swift`.
public actor AudienceSyncer {
    public struct Configuration: Sendable {
        /// Records per customer-list request (Pinterest states no maximum; 10,000 keeps a
        /// request near 650 KB).
        public var recordsPerRequest = 10_000
        /// How long after a member change its sync starts; changes within it go in one delta.
        public var realtimeDelay: TimeInterval = 2
        /// Fewer members than this are not sent (Pinterest's floor for a usable list).
        public var minimumMembers = 100
        /// How long after a write was sent, at least, a resumed sync asks Pinterest whether it
        /// landed (a request cut off by a crash may still be processed for a moment).
        public var pendingSettleTime: TimeInterval = 2

        public init() {}
    }

    static let syncKind = "audiences.sync"
    static let syncAllKind = "audiences.sync_all"

    let store: Store
    /// Where the Pinterest session of an ad account comes from.
    let tokens: TokenManager
    let clock: any WallClock
    let logger: Logger
    let plan: ActivationSyncPlan
    let configuration: Configuration
    private var queue: JobQueue?

    public init(
        store: Store, tokens: TokenManager, clock: any WallClock, logger: Logger, configuration: Configuration = Configuration()
    ) {
        self.store = store
        self.tokens = tokens
        self.clock = clock
        self.logger = logger
        self.configuration = configuration
        self.plan = ActivationSyncPlan(
            minimumMembers: configuration.minimumMembers, recordsPerRequest: configuration.recordsPerRequest,
            settleTime: configuration.pendingSettleTime)
    }

    /// The queue is built from the job kinds, which need this syncer; it is attached after.
    public func attach(queue: JobQueue) {
        self.queue = queue
    }

    /// The job kinds this syncer runs.
    public nonisolated var jobHandlers: [any JobHandler] {
        [AudienceSyncJob(syncer: self), AudienceSyncAllJob(syncer: self)]
    }

    // MARK: - Activations

    /// Activates the audience on the ad account (the default one when nil) and queues its sync.
    public func activate(audienceID: Int64, adAccountID: String?) async throws -> ActivationOutcome {
        let audience = try await existingAudience(audienceID)
        let session = try await tokens.session(adAccountID: adAccountID)
        let listName = Self.listName(audience: audience, adAccountID: session.adAccountID)
        guard
            let (activation, created) = try await store.activate(
                audienceID: audience.id, adAccountID: session.adAccountID, connectionID: session.connectionID, listName: listName,
                now: clock.now())
        else { throw UnknownObject("audience", id: audienceID) }
        logger.notice(
            "audience activated", metadata: ["audience_id": "\(audience.id)", "activation_id": "\(activation.id)", "new": "\(created)"])
        let sync = try await enqueueSync(activation, at: clock.now())
        return ActivationOutcome(activation: try await view(activation), created: created, sync: sync)
    }

    /// Stops syncing the audience to the ad account (the only or default one when nil).
    public func deactivate(audienceID: Int64, adAccountID: String?) async throws -> ActivationView {
        let activation = try await existingActivation(audienceID: audienceID, adAccountID: adAccountID)
        guard let updated = try await store.deactivate(activationID: activation.id, now: clock.now()) else {
            throw UnknownObject("activation", id: activation.id)
        }
        logger.notice("audience deactivated", metadata: ["audience_id": "\(activation.audienceID)", "activation_id": "\(activation.id)"])
        return try await view(updated)
    }

    /// The activations of one audience, or of all when nil.
    public func activations(audienceID: Int64?) async throws -> [ActivationView] {
        if let audienceID { _ = try await existingAudience(audienceID) }
        var views: [ActivationView] = []
        for record in try await store.activations(audienceID: audienceID) { views.append(try await view(record)) }
        return views
    }

    /// The audience with its activations and actalikes, for `audiences.get`/`list`.
    public func describe(_ audience: AudienceRecord) async throws -> AudienceSummary {
        var activations: [ActivationView] = []
        for record in try await store.activations(audienceID: audience.id) { activations.append(try await view(record)) }
        return AudienceSummary(audience: audience, activations: activations, actalikes: try await store.actalikes(audienceID: audience.id))
    }

    // MARK: - Queuing syncs

    /// Queues a sync of the audience on the ad account, or on every ad account it is active on.
    public func sync(audienceID: Int64, adAccountID: String?) async throws -> [QueuedActivationSync] {
        _ = try await existingAudience(audienceID)
        var chosen: [ActivationRecord]
        if adAccountID != nil {
            chosen = [try await existingActivation(audienceID: audienceID, adAccountID: adAccountID)]
        } else {
            chosen = try await store.activations(audienceID: audienceID)
            guard !chosen.isEmpty else { throw AudienceError.notActivatedAnywhere(audienceID: audienceID) }
        }
        chosen = chosen.filter(\.active)
        guard !chosen.isEmpty else { throw AudienceError.deactivated(audienceID: audienceID) }
        var syncs: [QueuedActivationSync] = []
        for activation in chosen {
            if let sync = try await enqueueSync(activation, at: clock.now()) { syncs.append(sync) }
        }
        return syncs
    }

    /// Queues a sync for every active activation never synced, in ERROR, mid-sync, or with
    /// changes Pinterest does not have.
    public func syncAll() async throws -> [QueuedActivationSync] {
        var syncs: [QueuedActivationSync] = []
        let versions = Dictionary(uniqueKeysWithValues: try await store.audiences().map { ($0.id, $0.version) })
        for activation in try await store.activations() where activation.active {
            let behind = (versions[activation.audienceID] ?? 0) > activation.syncedVersion
            let due =
                activation.state == .notSynced || activation.state == .error || activation.operation != nil || behind
                || activation.listStatus == "PROCESSING"
            if due, let sync = try await enqueueSync(activation, at: clock.now()) { syncs.append(sync) }
        }
        return syncs
    }

    /// Called after members of an audience changed: its active activations sync a moment later,
    /// together with whatever else changes until then.
    public func membersChanged(audienceID: Int64) async {
        do {
            let due = clock.now().addingTimeInterval(configuration.realtimeDelay)
            for activation in try await store.activations(audienceID: audienceID) where activation.active {
                _ = try await enqueueSync(activation, at: due)
            }
        } catch {
            // The change is stored; the daily sync_all catches up.
            logger.error("could not queue a sync after a member change", metadata: ["audience_id": "\(audienceID)", "error": "\(error)"])
        }
    }

    func enqueueSync(_ activation: ActivationRecord, at date: Date) async throws -> QueuedActivationSync? {
        guard let job = try await queueSync(activationID: activation.id, at: date) else { return nil }
        return QueuedActivationSync(jobID: job.id, activationID: activation.id, audienceID: activation.audienceID, adAccountID: activation.adAccountID)
    }

    /// The activation's next sync job: the one queued already (brought forward to `date` if
    /// due later), or a new one. One chain per activation: a new one runs after the one begun.
    func queueSync(activationID: Int64, at date: Date) async throws -> JobRecord? {
        guard let queue else { return nil }
        return try await queue.enqueue(
            AudienceSyncJob.self, AudienceSyncJob.Payload(activationID: activationID), runAt: date,
            serialKey: "audience_activation:\(activationID)")
    }

    // MARK: - Lookups

    func existingAudience(_ id: Int64) async throws -> AudienceRecord {
        guard let record = try await store.audience(id: id) else { throw UnknownObject("audience", id: id) }
        return record
    }

    /// The activation on the named ad account, or on the only or the default one.
    func existingActivation(audienceID: Int64, adAccountID: String?) async throws -> ActivationRecord {
        _ = try await existingAudience(audienceID)
        let account: String
        if let adAccountID {
            account = adAccountID
        } else {
            let activations = try await store.activations(audienceID: audienceID)
            if activations.count == 1, let only = activations.first {
                account = only.adAccountID
            } else {
                account = try await tokens.session(adAccountID: nil).adAccountID
            }
        }
        guard let activation = try await store.activation(audienceID: audienceID, adAccountID: account) else {
            throw AudienceError.notActivated(audienceID: audienceID, adAccountID: account)
        }
        return activation
    }

    /// The activation as reported, which the store settles: up to date is SYNCED, never ERROR.
    func view(_ stored: ActivationRecord) async throws -> ActivationView {
        var record = stored
        if let version = try await store.audience(id: record.audienceID)?.version { record.settle(audienceVersion: version) }
        let pending = try await store.pendingChangeCount(audienceID: record.audienceID, syncedVersion: record.syncedVersion)
        return ActivationView(record: record, pendingChanges: pending)
    }

    /// The Pinterest name of an activation's customer list and audience: the audience's name
    /// plus a random suffix, so a lost create can be found again by name and never doubles.
    static func listName(audience: AudienceRecord, adAccountID: String) -> String {
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "\(audience.name.prefix(200)) (pinads \(audience.id)-\(suffix))"
    }
}

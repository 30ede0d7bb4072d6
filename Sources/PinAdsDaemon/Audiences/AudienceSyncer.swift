import Foundation
import Logging
import PinAdsProtocol
import PinAdsStore
import PinterestAPI

/// Keeps audiences in sync on the ad accounts they are activated on: activations, the jobs that
/// sync them (one chain per activation, one after another, coalesced while queued), real-time
/// pushes after member changes, and actalike audiences. The sync itself is in
/// `AudienceSyncer+Run.swift`.
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
    let tokens: TokenManager
    let client: PinterestClient
    let clock: any WallClock
    let logger: Logger
    let plan: ActivationSyncPlan
    let configuration: Configuration
    private var queue: JobQueue?

    public init(
        store: Store, tokens: TokenManager, client: PinterestClient, clock: any WallClock, logger: Logger,
        configuration: Configuration = Configuration()
    ) {
        self.store = store
        self.tokens = tokens
        self.client = client
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

    public func activate(_ request: ActivateAudienceRequest) async throws -> ActivateAudienceResult {
        let audience = try await existingAudience(request.audienceId)
        let target = try await tokens.resolve(adAccountID: request.adAccountId)
        let listName = Self.listName(audience: audience, adAccountID: target.adAccountID)
        guard
            let (activation, created) = try await store.activate(
                audienceID: audience.id, adAccountID: target.adAccountID, connectionID: target.connectionID, listName: listName,
                now: clock.now())
        else { throw ResponseError.notFound("audience", id: String(request.audienceId)) }
        logger.notice(
            "audience activated", metadata: ["audience_id": "\(audience.id)", "activation_id": "\(activation.id)", "new": "\(created)"])
        let sync = try await enqueueSync(activation, at: clock.now())
        return ActivateAudienceResult(activation: try await info(activation), created: created, sync: sync)
    }

    public func deactivate(_ request: DeactivateAudienceRequest) async throws -> DeactivateAudienceResult {
        let activation = try await existingActivation(audienceID: request.audienceId, adAccountID: request.adAccountId)
        guard let updated = try await store.deactivate(activationID: activation.id, now: clock.now()) else {
            throw ResponseError.notFound("activation", id: String(activation.id))
        }
        logger.notice("audience deactivated", metadata: ["audience_id": "\(activation.audienceID)", "activation_id": "\(activation.id)"])
        return DeactivateAudienceResult(
            activation: try await info(updated),
            note: "no longer synced; the customer list and audience stay at Pinterest (activating again resumes the same list)")
    }

    public func activations(_ request: ListActivationsRequest) async throws -> ListActivationsResult {
        if let id = request.audienceId { _ = try await existingAudience(id) }
        var infos: [ActivationInfo] = []
        for record in try await store.activations(audienceID: request.audienceId) { infos.append(try await info(record)) }
        return ListActivationsResult(activations: infos)
    }

    /// The audience with its activations and actalikes, for `audiences.get`/`list`.
    public func describe(_ audience: AudienceRecord) async throws -> AudienceInfo {
        var activations: [ActivationInfo] = []
        for record in try await store.activations(audienceID: audience.id) { activations.append(try await info(record)) }
        let actalikes = try await store.actalikes(audienceID: audience.id).map(Self.info)
        return AudienceInfo(
            id: audience.id, name: audience.name, listType: audience.listType, description: audience.description,
            memberCount: audience.memberCount, version: audience.version, createdAt: audience.createdAt, updatedAt: audience.updatedAt,
            activations: activations, actalikes: actalikes)
    }

    // MARK: - Queuing syncs

    public func sync(_ request: SyncAudienceRequest) async throws -> SyncAudiencesResult {
        _ = try await existingAudience(request.audienceId)
        var chosen: [ActivationRecord]
        if request.adAccountId != nil {
            chosen = [try await existingActivation(audienceID: request.audienceId, adAccountID: request.adAccountId)]
        } else {
            chosen = try await store.activations(audienceID: request.audienceId)
            guard !chosen.isEmpty else {
                throw ResponseError.failedPrecondition(
                    "audience \(request.audienceId) is not activated on any ad account; `pinads audience activate \(request.audienceId)` first")
            }
        }
        chosen = chosen.filter(\.active)
        guard !chosen.isEmpty else {
            throw ResponseError.failedPrecondition(
                "audience \(request.audienceId) is deactivated there; `pinads audience activate \(request.audienceId)` to sync it again")
        }
        var syncs: [QueuedSync] = []
        for activation in chosen {
            if let sync = try await enqueueSync(activation, at: clock.now()) { syncs.append(sync) }
        }
        return SyncAudiencesResult(syncs: syncs)
    }

    /// Queues a sync for every active activation never synced, in ERROR, mid-sync, or with
    /// changes Pinterest does not have.
    public func syncAll() async throws -> SyncAudiencesResult {
        var syncs: [QueuedSync] = []
        let versions = Dictionary(uniqueKeysWithValues: try await store.audiences().map { ($0.id, $0.version) })
        for activation in try await store.activations() where activation.active {
            let behind = (versions[activation.audienceID] ?? 0) > activation.syncedVersion
            let due =
                activation.state == .notSynced || activation.state == .error || activation.operation != nil || behind
                || activation.listStatus == "PROCESSING"
            if due, let sync = try await enqueueSync(activation, at: clock.now()) { syncs.append(sync) }
        }
        return SyncAudiencesResult(syncs: syncs)
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

    func enqueueSync(_ activation: ActivationRecord, at date: Date) async throws -> QueuedSync? {
        guard let job = try await queueSync(activationID: activation.id, at: date) else { return nil }
        return QueuedSync(jobId: job.id, activationId: activation.id, audienceId: activation.audienceID, adAccountId: activation.adAccountID)
    }

    /// The activation's next sync job: the one queued already (brought forward to `date` if
    /// due later), or a new one. One chain per activation: a new one runs after the one begun.
    func queueSync(activationID: Int64, at date: Date) async throws -> JobRecord? {
        guard let queue else { return nil }
        return try await queue.enqueue(
            AudienceSyncJob.self, AudienceSyncJob.Payload(activationID: activationID), runAt: date,
            serialKey: "audience_activation:\(activationID)")
    }

    // MARK: - Actalikes

    public func createActalike(_ request: CreateActalikeRequest) async throws -> CreateActalikeResult {
        let country = request.country.uppercased()
        guard ["US", "CA", "GB"].contains(country) else {
            throw ResponseError.invalidArgument(field: "country", reason: "must be US, CA or GB, got '\(request.country)'")
        }
        guard (1...10).contains(request.percentage) else {
            throw ResponseError.invalidArgument(field: "percentage", reason: "must be 1 to 10, got \(request.percentage)")
        }
        if let name = request.name, name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 256 {
            throw ResponseError.invalidArgument(field: "name", reason: "must be 1 to 256 characters")
        }
        let audience = try await existingAudience(request.audienceId)
        let activation = try await existingActivation(audienceID: request.audienceId, adAccountID: request.adAccountId)
        guard let seed = activation.pinterestAudienceID else {
            throw ResponseError(
                code: .failedPrecondition,
                message:
                    "audience \(audience.id) has no Pinterest audience on ad account \(activation.adAccountID) yet (activation is \(activation.state.rawValue)): "
                    + "its first sync must finish before an actalike can be seeded from it; `pinads audience sync \(audience.id)` and watch it",
                details: ["step": "first_sync", "activation_id": .int(activation.id)])
        }
        let name = request.name ?? "\(audience.name) actalike \(country) \(request.percentage)%"
        let (reserved, existed) = try await store.reserveActalike(
            audienceID: audience.id, activationID: activation.id, adAccountID: activation.adAccountID, name: name, country: country,
            percentage: request.percentage, now: clock.now())
        if existed, reserved.pinterestAudienceID != nil {
            return CreateActalikeResult(actalike: Self.info(reserved), created: false)
        }
        let target = try await tokens.resolve(adAccountID: activation.adAccountID)
        let client = self.client
        let adAccountID = activation.adAccountID
        do {
            // A previous try may have been created at Pinterest with its answer lost: adopt it.
            if existed,
                let found = try await tokens.withToken(connectionID: target.connectionID, { token in
                    try await client.listAudiences(token: token, adAccountID: adAccountID)
                }).first(where: { $0.name == reserved.name && $0.audienceType == "ACTALIKE" })
            {
                return try await completed(reserved, found)
            }
            let body = AudienceCreate.actalike(
                name: reserved.name, seedAudienceIDs: [seed], country: country, percentage: request.percentage,
                description: "Lookalike of pinads audience \(audience.id)")
            let created = try await tokens.withToken(connectionID: target.connectionID) { token in
                try await client.createAudience(token: token, adAccountID: adAccountID, body)
            }
            logger.notice("actalike audience created", metadata: ["audience_id": "\(audience.id)", "actalike_id": "\(reserved.id)"])
            return try await completed(reserved, created)
        } catch let error as PinterestError {
            // Refused: nothing was created, so the reservation goes. Otherwise it stays, and a
            // retry looks for the audience at Pinterest before creating one.
            if !error.isRetryable { try await store.dropActalike(id: reserved.id) }
            throw error
        }
    }

    private func completed(_ reserved: ActalikeRecord, _ audience: Audience) async throws -> CreateActalikeResult {
        guard let record = try await store.completeActalike(id: reserved.id, pinterestAudienceID: audience.id, status: audience.status, now: clock.now())
        else { throw ResponseError.internal("actalike \(reserved.id) vanished") }
        return CreateActalikeResult(actalike: Self.info(record), created: true)
    }

    // MARK: - Lookups and mapping

    func existingAudience(_ id: Int64) async throws -> AudienceRecord {
        guard let record = try await store.audience(id: id) else { throw ResponseError.notFound("audience", id: String(id)) }
        return record
    }

    /// The activation on the named ad account, or on the default one.
    private func existingActivation(audienceID: Int64, adAccountID: String?) async throws -> ActivationRecord {
        _ = try await existingAudience(audienceID)
        let account: String
        if let adAccountID {
            account = adAccountID
        } else {
            let activations = try await store.activations(audienceID: audienceID)
            if activations.count == 1, let only = activations.first {
                account = only.adAccountID
            } else {
                account = try await tokens.resolve(adAccountID: nil).adAccountID
            }
        }
        guard let activation = try await store.activation(audienceID: audienceID, adAccountID: account) else {
            throw ResponseError(
                code: .notFound,
                message: "audience \(audienceID) is not activated on ad account \(account); `pinads audience activate \(audienceID) --ad-account \(account)`",
                details: ["field": "ad_account_id"])
        }
        return activation
    }

    func info(_ stored: ActivationRecord) async throws -> ActivationInfo {
        var record = stored
        // Reported as stored, which the store settles: up to date is SYNCED, never ERROR.
        if let version = try await store.audience(id: record.audienceID)?.version { record.settle(audienceVersion: version) }
        let pending = try await store.pendingChangeCount(audienceID: record.audienceID, syncedVersion: record.syncedVersion)
        return ActivationInfo(
            id: record.id, audienceId: record.audienceID, adAccountId: record.adAccountID, connectionId: record.connectionID,
            active: record.active, state: ActivationState(rawValue: record.state.rawValue) ?? .error,
            error: record.errorMessage.map { ActivationError(message: $0, pinterestCode: record.errorCode, at: record.errorAt ?? record.updatedAt) },
            customerListName: record.customerListName, customerListId: record.customerListID, pinterestAudienceId: record.pinterestAudienceID,
            listStatus: record.listStatus, audienceStatus: record.audienceStatus, syncedVersion: record.syncedVersion,
            pendingChanges: pending, recordsAdded: record.recordsAdded, recordsRemoved: record.recordsRemoved,
            progress: record.operation.map {
                ActivationProgress(targetVersion: $0.targetVersion, phase: $0.phase.rawValue, added: $0.added, removed: $0.removed)
            },
            lastSyncedAt: record.lastSyncedAt, createdAt: record.createdAt, updatedAt: record.updatedAt)
    }

    static func info(_ record: ActalikeRecord) -> ActalikeInfo {
        ActalikeInfo(
            id: record.id, audienceId: record.audienceID, activationId: record.activationID, adAccountId: record.adAccountID, name: record.name,
            country: record.country, percentage: record.percentage, pinterestAudienceId: record.pinterestAudienceID, status: record.status,
            createdAt: record.createdAt)
    }

    /// The Pinterest name of an activation's customer list and audience: the audience's name
    /// plus a random suffix, so a lost create can be found again by name and never doubles.
    static func listName(audience: AudienceRecord, adAccountID: String) -> String {
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "\(audience.name.prefix(200)) (pinads \(audience.id)-\(suffix))"
    }
}

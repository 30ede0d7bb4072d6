import Foundation
import PinAdsProtocol
import PinAdsStore
import PinterestAPI

/// One attempt of an activation's sync. The operation (what version it sends, which phase,
/// the last member hash Pinterest has) is committed after every chunk, and every write is
/// recorded before it is sent, so an attempt cut off anywhere resumes without losing a change
/// and without resending a chunk that landed.
extension AudienceSyncer {
    /// When a sync's attempts all failed transiently, the next sync starts this much later,
    /// doubling for each such sync in a row, up to a day (the daily sync_all's pace).
    static func retryAfterExhaustion(round: Int) -> TimeInterval {
        ActivationSyncPlan.retryDelay(round: round)
    }

    /// Crashes cut short every attempt of a sync. If Pinterest has every change anyway (the
    /// last attempt committed the sync before the daemon died), nothing more is needed and the
    /// activation stays SYNCED. Otherwise its changes are kept and another sync starts later
    /// (the same growing delay as after transient failures), so a sync that crashes the daemon
    /// does not loop fast, and one that was merely unlucky is not left for the daily sync_all.
    func syncGaveUp(activationID: Int64, job: JobRecord) async {
        do {
            guard let next = try await queueNextAfterGivingUp(activationID: activationID) else { return }
            let now = clock.now()
            try await record(activationID) { record in
                record.retryRound = next.round
                record.fail(
                    "all \(job.maxAttempts) attempts were used, the last cut short by a restart; another sync starts \(next.startsIn)", at: now)
            }
        } catch {
            logger.error("could not queue the next sync; the daily sync_all will", metadata: ["activation_id": "\(activationID)", "error": "\(error)"])
        }
    }

    /// After a sync gave up: when changes are left, queues the next sync (the delay of its
    /// round, or sooner when one is queued already, e.g. for newer changes) and says when it
    /// starts; nil when the activation is gone, deactivated, or Pinterest has every change.
    private func queueNextAfterGivingUp(activationID: Int64) async throws -> (round: Int, startsIn: String)? {
        guard let activation = try await store.activation(id: activationID), activation.active,
            let audience = try await store.audience(id: activation.audienceID)
        else { return nil }
        switch plan.afterGivingUp(activation, audienceVersion: audience.version) {
        case .nothingLeft:
            logger.info("a sync gave up with nothing left to send; no other is queued", metadata: ["activation_id": "\(activationID)"])
            return nil
        case .retry(let round, let delay):
            let now = clock.now()
            let planned = now.addingTimeInterval(delay)
            do {
                let job = try await queueSync(activationID: activationID, at: planned)
                let due = job?.nextRunAt ?? planned
                return (round, ActivationSyncPlan.startsIn(min(due, planned).timeIntervalSince(now)))
            } catch {
                logger.error("could not queue the next sync; the daily sync_all will", metadata: ["activation_id": "\(activationID)", "error": "\(error)"])
                return (round, "with the daily sync_all")
            }
        }
    }

    /// Everything one attempt works with; `activation` is the last committed state.
    private struct Attempt {
        var activation: ActivationRecord
        let audience: AudienceRecord
        let connectionID: Int64
        let job: JobRecord
        let context: JobContext
        var total: Int64?
    }

    func runSync(activationID: Int64, job: JobRecord, context: JobContext) async throws -> JSONValue {
        guard let activation = try await store.activation(id: activationID) else {
            return ["skipped": "the activation no longer exists"]
        }
        guard activation.active, let audience = try await store.audience(id: activation.audienceID) else {
            if activation.state == .syncing {
                try await record(activationID) { record in
                    record.fail("stopped: deactivated during a sync (activating it again resumes where it stopped)", at: self.clock.now())
                }
            }
            return ["skipped": "the activation is deactivated or its audience deleted"]
        }
        let connectionID: Int64
        do {
            connectionID = try await tokens.resolve(adAccountID: activation.adAccountID).connectionID
        } catch let error as ResponseError {
            try await record(activationID) { $0.fail(error.message, at: self.clock.now()) }
            throw JobFailure(error.message, retryable: false)
        }
        var attempt = Attempt(activation: activation, audience: audience, connectionID: connectionID, job: job, context: context)
        do {
            return try await perform(&attempt)
        } catch let error as ConnectionUnavailable {
            try await record(activationID) { $0.fail(error.description, at: self.clock.now()) }
            throw error
        } catch let error as PinterestError {
            let willRetry = error.isRetryable && job.attempts < job.maxAttempts
            // A long bad spell at Pinterest: the changes are kept, and a new sync (queued behind
            // this job, one chain per activation) tries again later instead of waiting for the
            // daily sync_all; later and later if it keeps failing.
            var next: (round: Int, startsIn: String)?
            if error.isRetryable && !willRetry {
                do {
                    next = try await queueNextAfterGivingUp(activationID: activationID)
                } catch {
                    logger.error("could not queue the next sync; the daily sync_all will", metadata: ["activation_id": "\(activationID)", "error": "\(error)"])
                }
            }
            let now = clock.now()
            try await record(activationID) { [next] record in
                if willRetry {
                    record.state = .syncing
                    record.errorMessage = "attempt \(job.attempts) of \(job.maxAttempts) failed, retrying: \(error.description)"
                    record.errorCode = error.pinterestCode
                    record.errorAt = now
                } else if let next {
                    record.retryRound = next.round
                    record.fail(
                        "\(job.maxAttempts) attempts failed; another sync starts \(next.startsIn): \(error.description)",
                        code: error.pinterestCode, at: now)
                } else {
                    record.fail(error.description, code: error.pinterestCode, at: now)
                }
            }
            logger.warning(
                "audience sync failed", metadata: ["activation_id": "\(activationID)", "retrying": "\(willRetry)", "error": "\(error)"])
            throw JobFailure(error.description, retryable: error.isRetryable)
        } catch is CancellationError {
            // Cancelled or shut down: the operation stays for the next sync to resume.
            try? await record(activationID) { record in
                if record.state == .syncing { record.fail("interrupted; the next sync resumes where it stopped", at: self.clock.now()) }
            }
            throw CancellationError()
        } catch let error as JobFailure {
            throw error
        } catch {
            try? await record(activationID) { $0.fail("sync failed: \(error)", at: self.clock.now()) }
            throw error
        }
    }

    /// Syncs until Pinterest has the audience's current version: an operation resumed from an
    /// earlier attempt covers only the changes up to its own target, and changes that came in
    /// meantime (coalesced into this job) must not wait for the next one.
    private func perform(_ attempt: inout Attempt) async throws -> JSONValue {
        var added = 0, removed = 0
        while true {
            let result = try await performOnce(&attempt)
            added += result["added"]?.intValue.map(Int.init) ?? 0
            removed += result["removed"]?.intValue.map(Int.init) ?? 0
            guard result["state"] == "SYNCED", let audience = try await store.audience(id: attempt.audience.id),
                audience.version > attempt.activation.syncedVersion, attempt.activation.active
            else {
                guard case .object(var object) = result else { return result }
                object["added"] = .int(Int64(added))
                object["removed"] = .int(Int64(removed))
                return .object(object)
            }
            attempt = Attempt(
                activation: attempt.activation, audience: audience, connectionID: attempt.connectionID, job: attempt.job, context: attempt.context)
        }
    }

    private func performOnce(_ attempt: inout Attempt) async throws -> JSONValue {
        let now = clock.now()
        switch plan.start(attempt.activation, audienceVersion: attempt.audience.version, memberCount: attempt.audience.memberCount) {
        case .notEnoughMembers(let count):
            try await commit(&attempt) { $0.fail("needs at least \(self.plan.minimumMembers) members, has \(count)", at: now) }
            return ["state": "ERROR", "members": .int(Int64(count))]
        case .upToDate:
            try await readStatuses(&attempt)
            try await commit(&attempt) { record in
                record.state = .synced
                record.clearError()
                record.retryRound = 0
            }
            return ["state": "SYNCED", "added": 0, "removed": 0]
        case .begin(let operation):
            try await commit(&attempt) { record in
                record.operation = operation
                record.state = .syncing
                record.clearError()
            }
        case .resume:
            try await commit(&attempt) { $0.state = .syncing }
        }
        attempt.total = Int64(try await store.pendingChangeCount(audienceID: attempt.audience.id, syncedVersion: attempt.activation.syncedVersion))

        while let operation = attempt.activation.operation {
            try Task.checkCancellation()
            guard attempt.activation.active else {
                try await commit(&attempt) { record in
                    record.fail("stopped: deactivated during a sync (activating it again resumes where it stopped)", at: self.clock.now())
                }
                return ["skipped": "deactivated during the sync"]
            }
            if let pending = attempt.activation.pending {
                try await resolve(pending, &attempt)
                continue
            }
            switch operation.phase {
            case .add, .remove:
                let chunk = try await store.memberChunk(
                    audienceID: attempt.audience.id, present: operation.phase == .add, afterVersion: attempt.activation.syncedVersion,
                    upToVersion: operation.targetVersion, afterHash: operation.cursor, limit: plan.recordsPerRequest)
                if chunk.isEmpty {
                    if attempt.activation.customerListID == nil {
                        // Everyone was removed before the list could be made.
                        let members = try await store.audience(id: attempt.audience.id)?.memberCount ?? 0
                        try await commit(&attempt) { record in
                            record.operation = nil
                            record.fail("needs at least \(self.plan.minimumMembers) members, has \(members)", at: now)
                        }
                        return ["state": "ERROR", "members": .int(Int64(members))]
                    }
                    let next = plan.phase(after: operation.phase, firstSync: attempt.activation.syncedVersion == 0)
                    try await commit(&attempt) { record in
                        record.operation?.phase = next
                        record.operation?.cursor = ""
                    }
                } else {
                    try await send(chunk, adding: operation.phase == .add, &attempt)
                }
            case .audience:
                if attempt.activation.pinterestAudienceID == nil { try await createPinterestAudience(&attempt) }
                try await readStatuses(&attempt)
                let finished = clock.now()
                try await commit(&attempt) { record in
                    record.syncedVersion = operation.targetVersion
                    record.operation = nil
                    record.state = .synced
                    record.clearError()
                    // A sync went through: the next that gives up waits a minute again.
                    record.retryRound = 0
                    record.lastSyncedAt = finished
                }
                logger.info(
                    "audience synced",
                    metadata: [
                        "activation_id": "\(attempt.activation.id)", "version": "\(operation.targetVersion)", "added": "\(operation.added)",
                        "removed": "\(operation.removed)", "list_status": "\(attempt.activation.listStatus ?? "?")",
                    ])
                return [
                    "state": "SYNCED", "version": .int(operation.targetVersion), "added": .int(Int64(operation.added)),
                    "removed": .int(Int64(operation.removed)), "list_status": attempt.activation.listStatus.map(JSONValue.string) ?? .null,
                ]
            }
        }
        return ["state": .string(attempt.activation.state.rawValue)]
    }

    // MARK: - Writes

    /// Sends one chunk: the first creates the list. The write is recorded before it goes out
    /// and its effect committed after, in one transaction each.
    private func send(_ chunk: [String], adding: Bool, _ attempt: inout Attempt) async throws {
        guard let lastHash = chunk.last else { return }
        let listID = attempt.activation.customerListID
        let kind: PendingWrite.Kind = listID == nil ? .createList : (adding ? .add : .remove)
        let before = adding ? attempt.activation.listUploaded : attempt.activation.listRemoved
        let pending = PendingWrite(kind: kind, lastHash: lastHash, count: chunk.count, counterBefore: before, startedAt: clock.now())
        try await commit(&attempt) { $0.pending = pending }

        let client = self.client
        let adAccountID = attempt.activation.adAccountID
        let list: CustomerList
        do {
            if let listID {
                list = try await tokens.withToken(connectionID: attempt.connectionID) { token in
                    try await client.updateCustomerList(
                        token: token, adAccountID: adAccountID, customerListID: listID, operation: adding ? .add : .remove, records: chunk)
                }
            } else {
                let body = CustomerListCreate(
                    name: attempt.activation.customerListName, records: chunk,
                    listType: CustomerListType(rawValue: attempt.audience.listType) ?? .email)
                list = try await tokens.withToken(connectionID: attempt.connectionID) { token in
                    try await client.createCustomerList(token: token, adAccountID: adAccountID, body)
                }
                logger.notice("customer list created", metadata: ["activation_id": "\(attempt.activation.id)"])
            }
        } catch {
            // An answer that says the write was refused: nothing to check later. Otherwise (a
            // timeout, a reset, a 5xx) the record stays, and the next attempt asks Pinterest.
            if certainlyNotApplied(error) { try await commit(&attempt) { $0.pending = nil } }
            throw error
        }
        try await commit(&attempt) { record in
            record.pending = nil
            if record.customerListID == nil { record.customerListID = list.id }
            Self.apply(chunkOf: chunk.count, adding: adding, lastHash: lastHash, to: &record)
            Self.take(counters: list, to: &record, fallbackUploaded: before + (adding ? chunk.count : 0), fallbackRemoved: before + (adding ? 0 : chunk.count))
        }
        await reportProgress(attempt)
    }

    private func createPinterestAudience(_ attempt: inout Attempt) async throws {
        guard let listID = attempt.activation.customerListID else { return }
        try await commit(&attempt) { $0.pending = PendingWrite(kind: .createAudience, lastHash: nil, count: 0, counterBefore: 0, startedAt: self.clock.now()) }
        let client = self.client
        let adAccountID = attempt.activation.adAccountID
        let body = AudienceCreate.customerList(
            name: attempt.activation.customerListName, customerListID: listID, description: "Synced by pinads from audience \(attempt.audience.id)")
        let created: Audience
        do {
            created = try await tokens.withToken(connectionID: attempt.connectionID) { token in
                try await client.createAudience(token: token, adAccountID: adAccountID, body)
            }
        } catch {
            if certainlyNotApplied(error) { try await commit(&attempt) { $0.pending = nil } }
            throw error
        }
        try await commit(&attempt) { record in
            record.pending = nil
            record.pinterestAudienceID = created.id
            record.audienceStatus = created.status
        }
        logger.notice("Pinterest audience created", metadata: ["activation_id": "\(attempt.activation.id)"])
    }

    /// Asks Pinterest whether a write whose outcome was not recorded landed, and commits what it
    /// did (or forgets the write, so it is sent again).
    private func resolve(_ pending: PendingWrite, _ attempt: inout Attempt) async throws {
        let checkAt = plan.checkTime(of: pending)
        if checkAt > clock.now() { try await clock.sleep(until: checkAt) }
        let client = self.client
        let adAccountID = attempt.activation.adAccountID
        let name = attempt.activation.customerListName
        switch pending.kind {
        case .createList:
            let lists = try await tokens.withToken(connectionID: attempt.connectionID) { token in
                try await client.listCustomerLists(token: token, adAccountID: adAccountID)
            }
            if let found = lists.first(where: { $0.name == name }) {
                logger.notice("found the customer list an interrupted create made; using it", metadata: ["activation_id": "\(attempt.activation.id)"])
                try await commit(&attempt) { record in
                    record.pending = nil
                    record.customerListID = found.id
                    Self.apply(chunkOf: pending.count, adding: true, lastHash: pending.lastHash ?? "", to: &record)
                    Self.take(counters: found, to: &record, fallbackUploaded: pending.count, fallbackRemoved: 0)
                }
            } else {
                try await commit(&attempt) { $0.pending = nil }
            }
        case .add, .remove:
            guard let listID = attempt.activation.customerListID else {
                try await commit(&attempt) { $0.pending = nil }
                return
            }
            let list = try await tokens.withToken(connectionID: attempt.connectionID) { token in
                try await client.getCustomerList(token: token, adAccountID: adAccountID, customerListID: listID)
            }
            let adding = pending.kind == .add
            let counter = adding ? list.numUploadedUserRecords : list.numRemovedUserRecords
            let landed = counter.map { ActivationSyncPlan.landed(pending, counterNow: $0) } ?? false
            logger.notice(
                "checked a list write whose answer was lost", metadata: ["activation_id": "\(attempt.activation.id)", "landed": "\(landed)"])
            try await commit(&attempt) { record in
                record.pending = nil
                if landed { Self.apply(chunkOf: pending.count, adding: adding, lastHash: pending.lastHash ?? "", to: &record) }
                Self.take(counters: list, to: &record, fallbackUploaded: record.listUploaded, fallbackRemoved: record.listRemoved)
            }
            if landed { await reportProgress(attempt) }
        case .createAudience:
            let audiences = try await tokens.withToken(connectionID: attempt.connectionID) { token in
                try await client.listAudiences(token: token, adAccountID: adAccountID)
            }
            let found = audiences.first { $0.name == name && $0.audienceType == "CUSTOMER_LIST" }
            try await commit(&attempt) { record in
                record.pending = nil
                if let found {
                    record.pinterestAudienceID = found.id
                    record.audienceStatus = found.status
                }
            }
        }
    }

    /// Reads the list's and the audience's status back from Pinterest.
    private func readStatuses(_ attempt: inout Attempt) async throws {
        guard let listID = attempt.activation.customerListID else { return }
        let client = self.client
        let adAccountID = attempt.activation.adAccountID
        let list = try await tokens.withToken(connectionID: attempt.connectionID) { token in
            try await client.getCustomerList(token: token, adAccountID: adAccountID, customerListID: listID)
        }
        var audienceStatus = attempt.activation.audienceStatus
        if let audienceID = attempt.activation.pinterestAudienceID {
            audienceStatus = try await tokens.withToken(connectionID: attempt.connectionID) { token in
                try await client.getAudience(token: token, adAccountID: adAccountID, audienceID: audienceID)
            }.status ?? audienceStatus
        }
        try await commit(&attempt) { [audienceStatus] record in
            Self.take(counters: list, to: &record, fallbackUploaded: record.listUploaded, fallbackRemoved: record.listRemoved)
            record.audienceStatus = audienceStatus
        }
    }

    // MARK: - Helpers

    private func commit(_ attempt: inout Attempt, _ change: @escaping @Sendable (inout ActivationRecord) -> Void) async throws {
        guard let updated = try await store.updateActivation(id: attempt.activation.id, now: clock.now(), change) else {
            throw JobFailure("activation \(attempt.activation.id) was deleted during its sync", retryable: false)
        }
        attempt.activation = updated
    }

    private func record(_ activationID: Int64, _ change: @escaping @Sendable (inout ActivationRecord) -> Void) async throws {
        try await store.updateActivation(id: activationID, now: clock.now(), change)
    }

    private func reportProgress(_ attempt: Attempt) async {
        guard let operation = attempt.activation.operation else { return }
        let done = Int64(operation.added + operation.removed)
        await attempt.context.reportProgress(
            done: done, total: attempt.total.map { max($0, done) },
            message: "\(operation.phase == .remove ? "removing" : "adding"): \(operation.added) added, \(operation.removed) removed")
    }

    private static func apply(chunkOf count: Int, adding: Bool, lastHash: String, to record: inout ActivationRecord) {
        record.operation?.cursor = lastHash
        if adding {
            record.operation?.added += count
            record.recordsAdded += count
        } else {
            record.operation?.removed += count
            record.recordsRemoved += count
        }
    }

    private static func take(counters list: CustomerList, to record: inout ActivationRecord, fallbackUploaded: Int, fallbackRemoved: Int) {
        record.listUploaded = list.numUploadedUserRecords ?? fallbackUploaded
        record.listRemoved = list.numRemovedUserRecords ?? fallbackRemoved
        if let status = list.status { record.listStatus = status }
    }
}

/// `audiences.sync`: one attempt of one activation's sync.
struct AudienceSyncJob: JobHandler {
    static var kind: String { AudienceSyncer.syncKind }
    /// Transient failures: three retries with backoff; progress is kept between them.
    let retryPolicy = RetryPolicy.default
    let syncer: AudienceSyncer

    struct Payload: Codable, Sendable, Equatable {
        var activationID: Int64
        enum CodingKeys: String, CodingKey { case activationID = "activation_id" }
    }

    func run(_ payload: Payload, job: JobRecord, context: JobContext) async throws -> JSONValue {
        try await syncer.runSync(activationID: payload.activationID, job: job, context: context)
    }

    func gaveUp(_ payload: Payload, job: JobRecord) async {
        await syncer.syncGaveUp(activationID: payload.activationID, job: job)
    }
}

/// `audiences.sync_all`: queues a sync for every activation that needs one (the daily task).
struct AudienceSyncAllJob: JobHandler {
    static var kind: String { AudienceSyncer.syncAllKind }
    let retryPolicy = RetryPolicy.default
    let syncer: AudienceSyncer

    struct Result: Codable, Sendable, Equatable {
        var queued: Int64
        var jobIDs: [Int64]
        enum CodingKeys: String, CodingKey {
            case queued
            case jobIDs = "job_ids"
        }
    }

    func run(_ payload: NoPayload, job: JobRecord, context: JobContext) async throws -> Result {
        let result = try await syncer.syncAll()
        await context.reportProgress(done: Int64(result.syncs.count), total: Int64(result.syncs.count), message: "syncs queued")
        return Result(queued: Int64(result.syncs.count), jobIDs: result.syncs.map(\.jobId))
    }
}

import Foundation
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
    struct Attempt {
        var activation: ActivationRecord
        let audience: AudienceRecord
        /// The ad account's way to Pinterest, resolved once for the attempt.
        let session: PinterestSession
        let job: JobRecord
        let context: JobContext
        var total: Int64?
    }

    func runSync(activationID: Int64, job: JobRecord, context: JobContext) async throws -> SyncOutcome {
        guard let activation = try await store.activation(id: activationID) else {
            return .skipped("the activation no longer exists")
        }
        guard activation.active, let audience = try await store.audience(id: activation.audienceID) else {
            if activation.state == .syncing {
                try await record(activationID) { record in
                    record.fail("stopped: deactivated during a sync (activating it again resumes where it stopped)", at: self.clock.now())
                }
            }
            return .skipped("the activation is deactivated or its audience deleted")
        }
        let session: PinterestSession
        do {
            session = try await tokens.session(adAccountID: activation.adAccountID)
        } catch let error where !(error is CancellationError) {
            // No connection reaches the ad account (any more): retrying cannot help until the
            // connections change, and the activation says why.
            let message = Self.message(of: error)
            try await record(activationID) { $0.fail(message, at: self.clock.now()) }
            throw JobFailure(message, retryable: false)
        }
        var attempt = Attempt(activation: activation, audience: audience, session: session, job: job, context: context)
        do {
            return try await perform(&attempt)
        } catch {
            throw try await recordFailure(error, activationID: activationID, job: job)
        }
    }

    /// Records on the activation why its attempt failed; returns what the attempt throws.
    private func recordFailure(_ error: any Error, activationID: Int64, job: JobRecord) async throws -> any Error {
        switch error {
        case let error as ConnectionUnavailable:
            try await record(activationID) { $0.fail(error.description, at: self.clock.now()) }
            return error
        case let error as PinterestError:
            return try await recordPinterestFailure(error, activationID: activationID, job: job)
        case is CancellationError:
            // Cancelled or shut down: the operation stays for the next sync to resume.
            try? await record(activationID) { record in
                if record.state == .syncing { record.fail("interrupted; the next sync resumes where it stopped", at: self.clock.now()) }
            }
            return CancellationError()
        case let error as JobFailure:
            return error
        default:
            try? await record(activationID) { $0.fail("sync failed: \(error)", at: self.clock.now()) }
            return error
        }
    }

    private func recordPinterestFailure(_ error: PinterestError, activationID: Int64, job: JobRecord) async throws -> JobFailure {
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
        return JobFailure(error.description, retryable: error.isRetryable)
    }

    /// Syncs until Pinterest has the audience's current version: an operation resumed from an
    /// earlier attempt covers only the changes up to its own target, and changes that came in
    /// meantime (coalesced into this job) must not wait for the next one.
    private func perform(_ attempt: inout Attempt) async throws -> SyncOutcome {
        var added = 0, removed = 0
        while true {
            var outcome = try await performOnce(&attempt)
            added += outcome.added ?? 0
            removed += outcome.removed ?? 0
            guard outcome.state == .synced, let audience = try await store.audience(id: attempt.audience.id),
                audience.version > attempt.activation.syncedVersion, attempt.activation.active
            else {
                outcome.added = added
                outcome.removed = removed
                return outcome
            }
            attempt = Attempt(
                activation: attempt.activation, audience: audience, session: attempt.session, job: attempt.job, context: attempt.context)
        }
    }

    private func performOnce(_ attempt: inout Attempt) async throws -> SyncOutcome {
        let now = clock.now()
        if let outcome = try await start(&attempt, now: now) { return outcome }
        attempt.total = Int64(try await store.pendingChangeCount(audienceID: attempt.audience.id, syncedVersion: attempt.activation.syncedVersion))

        while let operation = attempt.activation.operation {
            try Task.checkCancellation()
            guard attempt.activation.active else {
                try await commit(&attempt) { record in
                    record.fail("stopped: deactivated during a sync (activating it again resumes where it stopped)", at: self.clock.now())
                }
                return .skipped("deactivated during the sync")
            }
            if let pending = attempt.activation.pending {
                try await resolve(pending, &attempt)
                continue
            }
            switch operation.phase {
            case .add, .remove:
                if let outcome = try await sendNextChunk(of: operation, &attempt, now: now) { return outcome }
            case .audience:
                return try await finish(operation, &attempt)
            }
        }
        return SyncOutcome(state: attempt.activation.state)
    }

    /// Begins or resumes the activation's operation; the outcome when there is nothing to send.
    private func start(_ attempt: inout Attempt, now: Date) async throws -> SyncOutcome? {
        switch plan.start(attempt.activation, audienceVersion: attempt.audience.version, memberCount: attempt.audience.memberCount) {
        case .notEnoughMembers(let count):
            try await commit(&attempt) { $0.fail("needs at least \(self.plan.minimumMembers) members, has \(count)", at: now) }
            return SyncOutcome(state: .error, members: count)
        case .upToDate:
            try await readStatuses(&attempt)
            try await commit(&attempt) { record in
                record.state = .synced
                record.clearError()
                record.retryRound = 0
            }
            return SyncOutcome(state: .synced, added: 0, removed: 0)
        case .begin(let operation):
            try await commit(&attempt) { record in
                record.operation = operation
                record.state = .syncing
                record.clearError()
            }
        case .resume:
            try await commit(&attempt) { $0.state = .syncing }
        }
        return nil
    }

    /// Sends the operation's next chunk of its phase, or moves on to the next phase when none is
    /// left; the outcome when the sync cannot go on.
    private func sendNextChunk(of operation: SyncOperation, _ attempt: inout Attempt, now: Date) async throws -> SyncOutcome? {
        let chunk = try await store.memberChunk(
            audienceID: attempt.audience.id, present: operation.phase == .add, afterVersion: attempt.activation.syncedVersion,
            upToVersion: operation.targetVersion, afterHash: operation.cursor, limit: plan.recordsPerRequest)
        guard chunk.isEmpty else {
            try await send(chunk, adding: operation.phase == .add, &attempt)
            return nil
        }
        if attempt.activation.customerListID == nil {
            // Everyone was removed before the list could be made.
            let members = try await store.audience(id: attempt.audience.id)?.memberCount ?? 0
            try await commit(&attempt) { record in
                record.operation = nil
                record.fail("needs at least \(self.plan.minimumMembers) members, has \(members)", at: now)
            }
            return SyncOutcome(state: .error, members: members)
        }
        let next = plan.phase(after: operation.phase, firstSync: attempt.activation.syncedVersion == 0)
        try await commit(&attempt) { record in
            record.operation?.phase = next
            record.operation?.cursor = ""
        }
        return nil
    }

    /// The last phase: the Pinterest audience (made once), the statuses, and the version synced.
    private func finish(_ operation: SyncOperation, _ attempt: inout Attempt) async throws -> SyncOutcome {
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
        return SyncOutcome(
            state: .synced, version: operation.targetVersion, added: operation.added, removed: operation.removed,
            listStatus: attempt.activation.listStatus)
    }
}

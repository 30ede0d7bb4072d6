import Foundation
import GRDB
import PinAdsJSON
import Testing

@testable import PinAdsStore

/// Jobs sharing a serial key (one audience activation's syncs) form one chain: a job that has
/// begun stays the head until it finishes, whether it runs, waits for a retry or was requeued
/// by a crash, and changes never join a job whose attempts are used.
@Suite("One job chain per serial key")
struct JobChainStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let kinds: Set<String> = ["audiences.sync"]

    private func sync(_ serial: String = "audience_activation:1", at date: Date? = nil, maxAttempts: Int = 4) -> NewJob {
        NewJob(kind: "audiences.sync", payload: ["activation_id": 1], maxAttempts: maxAttempts, runAt: date ?? t0, serialKey: serial)
    }

    /// Unfinished jobs of the key that have begun: never more than one.
    private func begun(_ store: Store, _ key: String = "audience_activation:1") async throws -> [Int64] {
        try await store.writer.read { db in
            try Int64.fetchAll(
                db,
                sql: """
                    SELECT id FROM jobs WHERE serial_key = ? AND state IN ('queued', 'waiting', 'running') AND started_at IS NOT NULL
                    """,
                arguments: [key])
        }
    }

    @Test func aJobWaitingForItsRetryHoldsBackTheNextOfItsChain() async throws {
        let t = try TemporaryStore()
        let first = try await t.store.enqueueJob(sync(), now: t0)
        #expect(try await t.store.claim(now: t0, kinds: kinds)?.id == first.id)
        // A change while it runs: the next job of the chain.
        let next = try await t.store.enqueueJob(sync(), now: t0)
        #expect(next.id != first.id)
        _ = try await t.store.finishAttempt(id: first.id, outcome: .retry(error: "503", at: t0.addingTimeInterval(30)), now: t0)
        // The first waits for its retry: the next does not begin meanwhile (it would be a second
        // chain, each with its own attempts), and the next due time is the retry's.
        #expect(try await t.store.claim(now: t0.addingTimeInterval(1), kinds: kinds) == nil)
        #expect(try await t.store.nextDueTime(kinds: kinds) == t0.addingTimeInterval(30))
        // Changes now join the head, which keeps its backoff.
        let joined = try await t.store.enqueueJob(sync(at: t0.addingTimeInterval(2)), now: t0.addingTimeInterval(2))
        #expect(joined.id == first.id && joined.nextRunAt == t0.addingTimeInterval(30))
        #expect(try await t.store.claim(now: t0.addingTimeInterval(30), kinds: kinds)?.id == first.id)
        #expect(try await begun(t.store) == [first.id])
        _ = try await t.store.finishAttempt(id: first.id, outcome: .succeeded(result: nil), now: t0.addingTimeInterval(31))
        #expect(try await t.store.claim(now: t0.addingTimeInterval(31), kinds: kinds)?.id == next.id)
    }

    @Test func aJobBlockedOnItsConnectionHoldsBackTheNextOfItsChain() async throws {
        let t = try TemporaryStore()
        let first = try await t.store.enqueueJob(sync(), now: t0)
        _ = try await t.store.claim(now: t0, kinds: kinds)
        let next = try await t.store.enqueueJob(sync(), now: t0)
        _ = try await t.store.finishAttempt(id: first.id, outcome: .blocked(on: "gate:1", reason: "needs a reconnect"), now: t0)
        #expect(try await t.store.claim(now: t0.addingTimeInterval(5), kinds: kinds) == nil, "the next waits for the blocked head")
        _ = try await t.store.requestCancel(id: first.id, now: t0.addingTimeInterval(6))
        #expect(try await t.store.claim(now: t0.addingTimeInterval(6), kinds: kinds)?.id == next.id, "the head is finished: the next runs")
    }

    @Test func afterACrashTheInterruptedJobStaysTheHeadOfItsChain() async throws {
        let t = try TemporaryStore()
        let first = try await t.store.enqueueJob(sync(), now: t0)
        _ = try await t.store.claim(now: t0, kinds: kinds)
        let next = try await t.store.enqueueJob(sync(), now: t0)
        for round in 1...3 {
            // kill -9 while the head runs, then a new process opens the same file.
            let reopened = try Store(path: t.store.path)
            let now = t0.addingTimeInterval(Double(round))
            #expect(try await reopened.recoverInterruptedJobs(now: now) == 1)
            // Both are queued, the next one due earlier; still the interrupted one runs.
            let claimed = try await reopened.claim(now: now, kinds: kinds)
            #expect(claimed?.id == first.id && claimed?.attempts == round + 1, "round \(round)")
            #expect(try await reopened.claim(now: now, kinds: kinds) == nil)
            #expect(try await begun(reopened) == [first.id])
        }
        _ = try await t.store.finishAttempt(id: first.id, outcome: .succeeded(result: nil), now: t0.addingTimeInterval(9))
        #expect(try await t.store.claim(now: t0.addingTimeInterval(9), kinds: kinds)?.id == next.id)
    }

    @Test func changesNeverJoinAJobWhoseAttemptsAreUsed() async throws {
        let t = try TemporaryStore()
        let first = try await t.store.enqueueJob(sync(maxAttempts: 2), now: t0)
        for _ in 0..<2 {
            _ = try #require(try await t.store.claim(now: t0, kinds: kinds))
            try await t.store.recoverInterruptedJobs(now: t0)
        }
        // Queued again, but with no attempt left: it fails at its claim without running.
        #expect(try await t.store.job(id: first.id)?.attempts == 2)
        let fresh = try await t.store.enqueueJob(sync(maxAttempts: 2), now: t0)
        #expect(fresh.id != first.id && fresh.attempts == 0, "a fresh job takes the changes")
        #expect(try await t.store.enqueueJob(sync(maxAttempts: 2), now: t0).id == fresh.id, "and the next ones")
        let result = try await t.store.claimNextJob(now: t0, kinds: kinds)
        #expect(result.exhausted.map(\.id) == [first.id])
        #expect(result.claimed?.id == fresh.id && result.claimed?.attempts == 1)
    }

    @Test func theSchemaRefusesASecondBegunJobOfAKey() async throws {
        let t = try TemporaryStore()
        let first = try await t.store.enqueueJob(sync(), now: t0)
        _ = try await t.store.claim(now: t0, kinds: kinds)
        let next = try await t.store.enqueueJob(sync(), now: t0)
        _ = try await t.store.finishAttempt(id: first.id, outcome: .retry(error: "503", at: t0.addingTimeInterval(30)), now: t0)
        // Whatever the code around it does, the store holds one chain per key.
        await #expect(throws: DatabaseError.self) {
            try await t.store.writer.write { db in
                try db.execute(sql: "UPDATE jobs SET state = 'running', started_at = 1 WHERE id = ?", arguments: [next.id])
            }
        }
        // Another key is another chain.
        let other = try await t.store.enqueueJob(sync("audience_activation:2"), now: t0)
        #expect(try await t.store.claim(now: t0, kinds: kinds)?.id == other.id)
    }

    @Test func twoChainsLeftByAnOlderDaemonBecomeOne() async throws {
        let directory = NSTemporaryDirectory() + "pinads-migrate-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/pinads.db"
        do {
            // What the issue found: two begun, unfinished sync jobs of one activation.
            let queue = try DatabaseQueue(path: path)
            try Store.migrator.migrate(queue, upTo: "v10_conversion_queue_partial")
            try await queue.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO jobs (id, kind, payload, state, attempts, max_attempts, next_run_at, serial_key, created_at, updated_at, started_at)
                        VALUES (5, 'audiences.sync', '{"activation_id":1}', 'waiting', 2, 4, 9000, 'audience_activation:1', 0, 0, 100),
                               (7, 'audiences.sync', '{"activation_id":1}', 'queued', 1, 4, 0, 'audience_activation:1', 0, 0, 200),
                               (8, 'audiences.sync', '{"activation_id":2}', 'queued', 1, 4, 0, 'audience_activation:2', 0, 0, 300)
                        """)
            }
        }
        let store = try Store(path: path)
        #expect(try await begun(store) == [5], "the oldest stays the head")
        #expect(try await store.job(id: 7)?.attempts == 1, "the other keeps its attempts, to run after it")
        let now = Date(storeMillis: 1000)
        #expect(try await store.claim(now: now, kinds: kinds)?.id == 8, "only the other activation's job may run now")
        #expect(try await store.claim(now: Date(storeMillis: 9000), kinds: kinds)?.id == 5)
    }
}

@Suite("Activation state")
struct ActivationStateTests {
    let date = Date(timeIntervalSince1970: 1_800_000_000)

    func record(synced: Int64 = 3, operation: SyncOperation? = nil, listID: String? = "L", audienceID: String? = "A") -> ActivationRecord {
        ActivationRecord(
            id: 1, audienceID: 1, adAccountID: "1", connectionID: 1, state: .error, customerListName: "n", customerListID: listID,
            pinterestAudienceID: audienceID, syncedVersion: synced, operation: operation, createdAt: date, updatedAt: date)
    }

    @Test func upToDateIsSyncedWhateverTheLastAttemptSaid() {
        var cut = record()
        cut.fail("all 4 attempts were used, the last cut short by a restart; another sync starts in 8 min", at: date)
        cut.retryRound = 4
        #expect(cut.isUpToDate(audienceVersion: 3))
        cut.settle(audienceVersion: 3)
        #expect(cut.state == .synced && cut.errorMessage == nil && cut.errorAt == nil && cut.retryRound == 0)
    }

    @Test func anythingLeftToSendKeepsTheState() {
        var behind = record()
        behind.fail("4 attempts failed", at: date)
        behind.retryRound = 2
        behind.settle(audienceVersion: 4)
        #expect(behind.state == .error && behind.retryRound == 2, "version 4 is not at Pinterest")
        var midway = record(operation: SyncOperation(targetVersion: 3, phase: .remove))
        midway.settle(audienceVersion: 3)
        #expect(midway.state == .error, "a sync under way is not up to date")
        var pending = record()
        pending.pending = PendingWrite(kind: .add, lastHash: "f", count: 1, counterBefore: 0, startedAt: date)
        #expect(!pending.isUpToDate(audienceVersion: 3), "a write whose outcome is unknown")
        #expect(!record(synced: 0, listID: nil, audienceID: nil).isUpToDate(audienceVersion: 0), "never synced: no list at Pinterest")
        #expect(!record(audienceID: nil).isUpToDate(audienceVersion: 3), "the list without its audience")
    }

    private func connection(_ store: Store) async throws {
        try await store.writer.write { db in
            try db.execute(sql: "INSERT INTO connections (user_key, state, created_at, updated_at) VALUES ('u', 'active', 0, 0)")
        }
    }

    @Test func theStoreWritesAnUpToDateActivationAsSynced() async throws {
        let t = try TemporaryStore()
        try await connection(t.store)
        let audience = try await t.store.createAudience(name: "a", listType: "EMAIL", description: nil, now: date)
        _ = try await t.store.changeMembers(audienceID: audience.id, hashes: [AudienceStoreTests.hash(1)], present: true, now: date)
        let (activation, _) = try #require(
            try await t.store.activate(audienceID: audience.id, adAccountID: "1", connectionID: 1, listName: "n", now: date))
        let synced = try await t.store.updateActivation(id: activation.id, now: date) { record in
            record.customerListID = "L"
            record.pinterestAudienceID = "A"
            record.syncedVersion = 1
            record.state = .synced
        }
        #expect(synced?.state == .synced)
        // A give-up recorded after the sync had committed (its job's success lost in a crash).
        let after = try await t.store.updateActivation(id: activation.id, now: date) { record in
            record.retryRound = 4
            record.fail("all 4 attempts were used, the last cut short by a restart; another sync starts in 8 min", at: date)
        }
        #expect(after?.state == .synced && after?.errorMessage == nil && after?.retryRound == 0)
        #expect(try await t.store.activation(id: activation.id)?.state == .synced, "as stored")
        // With a change Pinterest lacks, an error is an error, and its round is kept.
        _ = try await t.store.changeMembers(audienceID: audience.id, hashes: [AudienceStoreTests.hash(2)], present: true, now: date)
        let behind = try await t.store.updateActivation(id: activation.id, now: date) { record in
            record.retryRound = 1
            record.fail("4 attempts failed; another sync starts in 1 min", at: date)
        }
        #expect(behind?.state == .error && behind?.retryRound == 1)
        #expect(try await t.store.activation(id: activation.id)?.retryRound == 1, "the round survives a restart")
    }

    @Test func aFalseErrorLeftByAnOlderDaemonIsSettled() async throws {
        let directory = NSTemporaryDirectory() + "pinads-migrate-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/pinads.db"
        do {
            let queue = try DatabaseQueue(path: path)
            try Store.migrator.migrate(queue, upTo: "v10_conversion_queue_partial")
            try await queue.write { db in
                try db.execute(sql: "INSERT INTO connections (user_key, state, created_at, updated_at) VALUES ('u', 'active', 0, 0)")
                try db.execute(
                    sql: "INSERT INTO audiences (id, name, list_type, version, member_count, created_at, updated_at) VALUES (1, 'a', 'EMAIL', 6, 200, 0, 0)")
                try db.execute(
                    sql: """
                        INSERT INTO audience_activations (id, audience_id, ad_account_id, connection_id, state, error_message, customer_list_name,
                            customer_list_id, pinterest_audience_id, synced_version, created_at, updated_at)
                        VALUES (1, 1, '1', 1, 'ERROR', '4 attempts were cut short (restarts); another sync starts in 8 min', 'n', 'L', 'A', 6, 0, 0),
                               (2, 1, '2', 1, 'ERROR', '4 attempts failed; another sync starts in 1 min', 'm', 'L2', 'A2', 5, 0, 0)
                        """)
            }
        }
        let store = try Store(path: path)
        let settled = try #require(try await store.activation(id: 1))
        #expect(settled.state == .synced && settled.errorMessage == nil, "synced version 6 is the audience's")
        let behind = try #require(try await store.activation(id: 2))
        #expect(behind.state == .error && behind.errorMessage != nil, "version 6 is not at Pinterest there")
    }
}

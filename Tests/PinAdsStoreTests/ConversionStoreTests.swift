import Foundation
import GRDB
import Testing

@testable import PinAdsStore

/// The conversions outbox: batches in flight stay `queued` in the store (the dispatcher keeps
/// them in memory), and the legacy `in_flight` state of older daemons is retired by v14.
@Suite("Conversions outbox")
struct ConversionStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let lane = ConversionLane(adAccountID: "549755885175", test: false)

    private func temporaryPath() throws -> (directory: String, path: String) {
        let directory = NSTemporaryDirectory() + "pinads-conversions-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return (directory, directory + "/pinads.db")
    }

    @Test func v14QueuesWhatAnOlderDaemonLeftInFlightAndRetiresTheState() async throws {
        let (directory, path) = try temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let queue = try DatabaseQueue(path: path)
            try Store.migrator.migrate(queue, upTo: "v13_connection_refresh_in_flight")
            try await queue.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO conversion_events (id, ad_account_id, test, event_name, event_id, body, state, attempts, message, accepted_at, next_attempt_at, answered_at)
                        VALUES (3, '549755885175', 0, 'checkout', 'a', '{"a":1}', 'in_flight', 1, 'timeout', 1000, 2000, NULL),
                               (4, '549755885175', 0, 'checkout', 'b', '{"b":1}', 'queued', 0, NULL, 1500, 1500, NULL),
                               (9, '549755885175', 1, 'lead', 'c', '{"c":1}', 'sent', 1, 'warning', 500, 500, 900)
                        """)
                // Ids up to 41 were used and pruned since: none of them may come back.
                try db.execute(sql: "UPDATE sqlite_sequence SET seq = 41 WHERE name = 'conversion_events'")
            }
        }
        let store = try Store(path: path)
        let rows = try store.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT id, state, attempts, message, accepted_at, next_attempt_at, answered_at, body FROM conversion_events ORDER BY id")
        }
        #expect(rows.map { $0["id"] as Int64 } == [3, 4, 9])
        #expect(rows.map { $0["state"] as String } == ["queued", "queued", "sent"], "what was in flight goes back to the queue")
        #expect(rows[0]["attempts"] as Int == 1 && rows[0]["message"] as String? == "timeout" && rows[0]["next_attempt_at"] as Int64 == 2000)
        #expect(rows[2]["answered_at"] as Int64? == 900 && rows[2]["body"] as String == #"{"c":1}"#, "every column is carried over")

        let indexes = try await store.writer.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'conversion_events' AND sql IS NOT NULL ORDER BY name")
        }
        #expect(
            indexes == ["conversion_events_dedupe", "conversion_events_due", "conversion_events_failed"],
            "the in_flight index is gone (v14); the failed events' one is v15's")

        await #expect(throws: DatabaseError.self, "the state's CHECK no longer admits in_flight") {
            try await store.writer.write { db in try db.execute(sql: "UPDATE conversion_events SET state = 'in_flight' WHERE id = 4") }
        }

        let stored = try await store.enqueueConversions([NewConversion(eventName: "checkout", eventID: "d", body: "{}")], lane: lane, rejected: 0, now: t0)
        #expect(stored.accepted == 1)
        let newID = try await store.writer.read { db in try Int64.fetchOne(db, sql: "SELECT id FROM conversion_events WHERE event_id = 'd'") }
        #expect(newID == 42, "the AUTOINCREMENT sequence is carried over")

        let counts = try await store.conversionCounts(adAccountID: nil, now: t0)
        #expect(counts.queued == 3 && counts.sent == 1)
        #expect(counts.oldestQueuedAt == Date(storeMillis: 1000))
        #expect(try await store.conversionLanes() == [lane])
    }

    @Test func v14OnAnEmptyOutboxKeepsTheSequenceEmpty() async throws {
        let (directory, path) = try temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try Store(path: path)
        let stored = try await store.enqueueConversions([NewConversion(eventName: "lead", eventID: "x", body: "{}")], lane: lane, rejected: 0, now: t0)
        #expect(stored.accepted == 1)
        let id = try await store.writer.read { db in try Int64.fetchOne(db, sql: "SELECT id FROM conversion_events") }
        #expect(id == 1)
    }

    @Test func batchesInFlightStayQueuedAndAreTakenAround() async throws {
        let (directory, path) = try temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try Store(path: path)
        let events = (0..<5).map { NewConversion(eventName: "checkout", eventID: "e\($0)", body: "{\"n\":\($0)}") }
        _ = try await store.enqueueConversions(events, lane: lane, rejected: 0, now: t0)
        let first = try #require(try await store.claimConversions(lane: lane, limit: 2, now: t0))
        #expect(first.bodies == [#"{"n":0}"#, #"{"n":1}"#])
        #expect(try await store.conversionCounts(adAccountID: nil, now: t0).queued == 5, "taking a batch writes nothing")
        let second = try #require(try await store.claimConversions(lane: lane, limit: 2, now: t0, excluding: Set(first.ids)))
        #expect(second.bodies == [#"{"n":2}"#, #"{"n":3}"#])
        let backlog = try await store.conversionBacklog(lane: lane, now: t0, limit: 10, excluding: Set(first.ids + second.ids))
        #expect(backlog.due == 1 && backlog.oldestDueAt == t0 && backlog.nextRetryAt == nil)
        try await store.requeueConversions(ids: first.ids, retryAt: t0.addingTimeInterval(30), message: "timeout", countAttempt: true)
        let later = try await store.conversionBacklog(lane: lane, now: t0, limit: 10, excluding: Set(second.ids))
        #expect(later.due == 1 && later.nextRetryAt == t0.addingTimeInterval(30), "a failed batch is due at its retry time")
    }
}

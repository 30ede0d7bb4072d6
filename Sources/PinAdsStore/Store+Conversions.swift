import Foundation
import GRDB

/// An event to store: already checked, hashed and encoded as Pinterest will receive it.
public struct NewConversion: Sendable {
    public var eventName: String
    public var eventID: String
    public var body: String
    public init(eventName: String, eventID: String, body: String) {
        self.eventName = eventName
        self.eventID = eventID
        self.body = body
    }
}

/// A lane of the outbox: one ad account's real or test events.
public struct ConversionLane: Hashable, Sendable {
    public var adAccountID: String
    public var test: Bool
    public init(adAccountID: String, test: Bool) {
        self.adAccountID = adAccountID
        self.test = test
    }
}

/// What is due in a lane: how many events may leave now, and since when the first of them
/// has been due (its acceptance, for an event not tried yet): the linger counts from there.
public struct LaneBacklog: Sendable, Equatable {
    public var lane: ConversionLane
    public var due: Int
    public var oldestDueAt: Date?
    /// The earliest retry time of events not due yet.
    public var nextRetryAt: Date?
}

/// A batch taken for sending.
public struct ConversionBatch: Sendable {
    public var lane: ConversionLane
    public var ids: [Int64]
    public var bodies: [String]
    public var acceptedAt: [Date]
    public var attempts: [Int]
}

/// Counts of one ad account's (or every) outbox. The events of batches in flight are counted
/// as `queued`: they stay so in the store until their answer is stored.
public struct ConversionCounts: Sendable, Equatable {
    public var queued = 0, sent = 0, failed = 0, duplicates = 0, rejected = 0
    public var oldestQueuedAt: Date?
}

extension Store {
    /// Stores the events of one request in one transaction; returns how many were new and how
    /// many repeated an (event_id, event_name) accepted in the last 48 hours. Rejections of the
    /// request are counted too.
    public func enqueueConversions(
        _ events: [NewConversion], lane: ConversionLane, rejected: Int, now: Date, dedupeWindow: TimeInterval = 48 * 3600
    ) async throws -> (accepted: Int, duplicates: Int) {
        let ms = now.storeMillis
        let cutoff = now.addingTimeInterval(-dedupeWindow).storeMillis
        return try await writer.write { db in
            // A row older than the window (kept until pruned), or one Pinterest refused (a
            // corrected resend), is taken over by the new event.
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO conversion_events (ad_account_id, test, event_name, event_id, body, state, accepted_at, next_attempt_at)
                    VALUES (?, ?, ?, ?, ?, 'queued', ?, ?)
                    ON CONFLICT (ad_account_id, test, event_name, event_id) DO UPDATE SET
                        body = excluded.body, state = 'queued', attempts = 0, message = NULL, duplicates = 0, accepted_at = excluded.accepted_at,
                        next_attempt_at = excluded.next_attempt_at, answered_at = NULL
                    WHERE conversion_events.state = 'failed' OR (conversion_events.accepted_at < ? AND conversion_events.state = 'sent')
                    """)
            let countDuplicate = try db.cachedStatement(
                sql: "UPDATE conversion_events SET duplicates = duplicates + 1 WHERE ad_account_id = ? AND test = ? AND event_name = ? AND event_id = ?")
            var accepted = 0, duplicates = 0
            for event in events {
                try insert.execute(arguments: [lane.adAccountID, lane.test, event.eventName, event.eventID, event.body, ms, ms, cutoff])
                if db.changesCount > 0 {
                    accepted += 1
                } else {
                    duplicates += 1
                    try countDuplicate.execute(arguments: [lane.adAccountID, lane.test, event.eventName, event.eventID])
                }
            }
            if duplicates > 0 || rejected > 0 {
                try db.execute(
                    sql: """
                        INSERT INTO conversion_counters (ad_account_id, duplicates, rejected) VALUES (?, ?, ?)
                        ON CONFLICT (ad_account_id) DO UPDATE SET duplicates = duplicates + excluded.duplicates, rejected = rejected + excluded.rejected
                        """,
                    arguments: [lane.adAccountID, duplicates, rejected])
            }
            return (accepted, duplicates)
        }
    }

    /// Lanes that have queued events (read once at start; the dispatcher keeps track after).
    public func conversionLanes() async throws -> [ConversionLane] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT DISTINCT ad_account_id, test FROM conversion_events WHERE state = 'queued'").map {
                ConversionLane(adAccountID: $0["ad_account_id"], test: $0["test"])
            }
        }
    }

    /// The first `limit` due events of a lane that are not in flight: their ids and since when
    /// each is due, read from the queue index alone (no row is visited). Events in flight stay
    /// `queued` in the database (a crash sends them again); the dispatcher passes their ids.
    private static func dueIDs(
        _ db: Database, lane: ConversionLane, now: Date, limit: Int, excluding inFlight: Set<Int64>
    ) throws -> [(id: Int64, dueAt: Int64)] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT id, next_attempt_at FROM conversion_events
                WHERE ad_account_id = ? AND test = ? AND state = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?
                """,
            arguments: [lane.adAccountID, lane.test, now.storeMillis, limit + inFlight.count])
        var due: [(id: Int64, dueAt: Int64)] = []
        due.reserveCapacity(min(limit, rows.count))
        for row in rows {
            let id: Int64 = row[0]
            if inFlight.contains(id) { continue }
            due.append((id, row[1]))
            if due.count == limit { break }
        }
        return due
    }

    /// What is due in one lane, looking at no more than `limit` events (through the queue
    /// index, whatever the queue's length). An event's next attempt is its acceptance until it
    /// has been tried, so the first due one says how long the lane has waited.
    public func conversionBacklog(lane: ConversionLane, now: Date, limit: Int, excluding inFlight: Set<Int64> = []) async throws -> LaneBacklog {
        try await writer.read { db in
            let due = try Self.dueIDs(db, lane: lane, now: now, limit: limit, excluding: inFlight)
            let retry = try Int64.fetchOne(
                db,
                sql: """
                    SELECT next_attempt_at FROM conversion_events
                    WHERE ad_account_id = ? AND test = ? AND state = 'queued' AND next_attempt_at > ? ORDER BY next_attempt_at LIMIT 1
                    """,
                arguments: [lane.adAccountID, lane.test, now.storeMillis])
            return LaneBacklog(
                lane: lane, due: due.count, oldestDueAt: due.first.map { Date(storeMillis: $0.dueAt) }, nextRetryAt: retry.map(Date.init(storeMillis:)))
        }
    }

    /// Takes up to `limit` due events of a lane that are not in flight, oldest first. Nothing is
    /// written: the caller keeps the batch in flight until it stores Pinterest's answer, and
    /// after a crash the batch is simply due again.
    public func claimConversions(lane: ConversionLane, limit: Int, now: Date, excluding inFlight: Set<Int64> = []) async throws -> ConversionBatch? {
        try await writer.read { db in
            let due = try Self.dueIDs(db, lane: lane, now: now, limit: limit, excluding: inFlight)
            guard !due.isEmpty else { return nil }
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT id, body, accepted_at, attempts FROM conversion_events WHERE id IN (\(databaseQuestionMarks(count: due.count)))",
                arguments: StatementArguments(due.map(\.id)))
            var byID: [Int64: Row] = [:]
            for row in rows { byID[row["id"]] = row }
            // In queue order; an id whose row went meanwhile (it cannot: only this caller and
            // the batch's own answer change queued rows) is left out.
            let ordered = due.compactMap { byID[$0.id] }
            return ConversionBatch(
                lane: lane, ids: ordered.map { $0["id"] }, bodies: ordered.map { $0["body"] },
                acceptedAt: ordered.map { Date(storeMillis: $0["accepted_at"]) }, attempts: ordered.map { $0["attempts"] })
        }
    }

    /// Pinterest answered a batch: each event sent or failed (with its message), in one step.
    /// The plain successes (most of a batch) are marked in one statement.
    public func completeConversions(ids: [Int64], outcomes: [(sent: Bool, message: String?)], now: Date) async throws {
        precondition(ids.count == outcomes.count, "one outcome per event")
        let ms = now.storeMillis
        var plain: [Int64] = []
        plain.reserveCapacity(ids.count)
        var other: [(id: Int64, sent: Bool, message: String?)] = []
        for (id, outcome) in zip(ids, outcomes) {
            if outcome.sent && outcome.message == nil { plain.append(id) } else { other.append((id, outcome.sent, outcome.message)) }
        }
        try await writer.write { [plain, other] db in
            for start in stride(from: 0, to: plain.count, by: 1000) {
                let chunk = plain[start..<min(plain.count, start + 1000)]
                try db.execute(
                    sql: """
                        UPDATE conversion_events SET state = 'sent', message = NULL, answered_at = ?, attempts = attempts + 1
                        WHERE id IN (\(databaseQuestionMarks(count: chunk.count)))
                        """,
                    arguments: [ms] + StatementArguments(Array(chunk)))
            }
            if !other.isEmpty {
                let update = try db.cachedStatement(
                    sql: "UPDATE conversion_events SET state = ?, message = ?, answered_at = ?, attempts = attempts + 1 WHERE id = ?")
                for event in other {
                    try update.execute(arguments: [event.sent ? "sent" : "failed", event.message, ms, event.id])
                }
            }
        }
    }

    /// A batch that did not get through goes back to the queue, due at `retryAt`.
    public func requeueConversions(ids: [Int64], retryAt: Date, message: String?, countAttempt: Bool) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE conversion_events SET state = 'queued', next_attempt_at = ?, message = ?, attempts = attempts + ?
                    WHERE id IN (\(databaseQuestionMarks(count: ids.count))) AND state = 'queued'
                    """,
                arguments: [retryAt.storeMillis, message, countAttempt ? 1 : 0] + StatementArguments(ids))
        }
    }

    /// A connection is back (a reconnect): its ad accounts' queued events are due now instead
    /// of at their backoff time. Returns the lanes that have queued events.
    public func conversionsDueNow(adAccountIDs: [String], now: Date) async throws -> [ConversionLane] {
        guard !adAccountIDs.isEmpty else { return [] }
        return try await writer.write { db in
            let marks = databaseQuestionMarks(count: adAccountIDs.count)
            try db.execute(
                sql: "UPDATE conversion_events SET next_attempt_at = ? WHERE state = 'queued' AND ad_account_id IN (\(marks)) AND next_attempt_at > ?",
                arguments: [now.storeMillis] + StatementArguments(adAccountIDs) + [now.storeMillis])
            return try Row.fetchAll(
                db, sql: "SELECT DISTINCT ad_account_id, test FROM conversion_events WHERE state = 'queued' AND ad_account_id IN (\(marks))",
                arguments: StatementArguments(adAccountIDs)
            ).map { ConversionLane(adAccountID: $0["ad_account_id"], test: $0["test"]) }
        }
    }

    /// Drops answered events older than the dedup window.
    public func pruneConversions(before: Date) async throws -> Int {
        try await writer.write { db in
            try db.execute(
                sql: "DELETE FROM conversion_events WHERE state IN ('sent', 'failed') AND accepted_at < ?", arguments: [before.storeMillis])
            return db.changesCount
        }
    }

    public func conversionCounts(adAccountID: String?, now: Date) async throws -> ConversionCounts {
        try await writer.read { db in
            var counts = ConversionCounts()
            for row in try Row.fetchAll(
                db, sql: "SELECT state, COUNT(*) AS n FROM conversion_events WHERE (? IS NULL OR ad_account_id = ?) GROUP BY state",
                arguments: [adAccountID, adAccountID])
            {
                let n: Int = row["n"]
                switch row["state"] as String {
                case "queued": counts.queued = n
                case "sent": counts.sent = n
                default: counts.failed = n
                }
            }
            if let row = try Row.fetchOne(
                db, sql: "SELECT SUM(duplicates) AS d, SUM(rejected) AS r FROM conversion_counters WHERE (? IS NULL OR ad_account_id = ?)",
                arguments: [adAccountID, adAccountID])
            {
                counts.duplicates = row["d"] ?? 0
                counts.rejected = row["r"] ?? 0
            }
            // Through the queue's partial index (it still visits each queued row: the cost
            // grows with the backlog, not with the outbox).
            let oldest = try Int64.fetchOne(
                db, sql: "SELECT MIN(accepted_at) FROM conversion_events WHERE state = 'queued' AND (? IS NULL OR ad_account_id = ?)",
                arguments: [adAccountID, adAccountID])
            counts.oldestQueuedAt = oldest.map(Date.init(storeMillis:))
            return counts
        }
    }
}

import Foundation
import GRDB

/// One event of the outbox as stored: where it is on its way and what Pinterest said of it.
public struct ConversionEventRecord: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable {
        case queued, sent, failed
    }

    /// The outbox's row id (orders events by acceptance; pages resume after it).
    public var id: Int64
    public var adAccountID: String
    public var test: Bool
    public var eventName: String
    public var eventID: String
    public var state: State
    /// Pinterest answers and failed tries so far.
    public var attempts: Int
    /// Pinterest's error (failed), its warning (sent), or why the last try did not get through (queued).
    public var message: String?
    public var acceptedAt: Date
    public var answeredAt: Date?
    public var nextAttemptAt: Date
    /// Later submissions with the same event_id and event_name, not sent again.
    public var duplicates: Int

    init(row: Row) {
        id = row["id"]
        adAccountID = row["ad_account_id"]
        test = row["test"]
        eventName = row["event_name"]
        eventID = row["event_id"]
        state = State(rawValue: row["state"]) ?? .queued
        attempts = row["attempts"]
        message = row["message"]
        acceptedAt = Date(storeMillis: row["accepted_at"])
        answeredAt = (row["answered_at"] as Int64?).map(Date.init(storeMillis:))
        nextAttemptAt = Date(storeMillis: row["next_attempt_at"])
        duplicates = row["duplicates"]
    }
}

/// Which events to page through.
public struct ConversionEventQuery: Sendable {
    public var adAccountID: String?
    public var test: Bool?
    public var state: ConversionEventRecord.State?
    /// Accepted at or after.
    public var since: Date?
    /// Only ids above (the last one of the previous page).
    public var after: Int64?
    public var limit: Int

    public init(
        adAccountID: String? = nil, test: Bool? = nil, state: ConversionEventRecord.State? = nil, since: Date? = nil, after: Int64? = nil,
        limit: Int
    ) {
        self.adAccountID = adAccountID
        self.test = test
        self.state = state
        self.since = since
        self.after = after
        self.limit = limit
    }
}

extension Store {
    private static let eventColumns =
        "id, ad_account_id, test, event_name, event_id, state, attempts, message, accepted_at, answered_at, next_attempt_at, duplicates"

    /// The events with this id in one lane: one per event name (through the dedup index, one
    /// seek per name when no name is given).
    public func conversionEvents(lane: ConversionLane, eventID: String, eventNames: [String]) async throws -> [ConversionEventRecord] {
        guard !eventNames.isEmpty else { return [] }
        return try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.eventColumns) FROM conversion_events
                    WHERE ad_account_id = ? AND test = ? AND event_name IN (\(databaseQuestionMarks(count: eventNames.count))) AND event_id = ?
                    ORDER BY id
                    """,
                arguments: [lane.adAccountID, lane.test] + StatementArguments(eventNames) + [eventID]
            ).map(ConversionEventRecord.init(row:))
        }
    }

    /// The events with these outbox ids (those in flight), in id order.
    public func conversionEvents(ids: [Int64]) async throws -> [ConversionEventRecord] {
        guard !ids.isEmpty else { return [] }
        return try await writer.read { db in
            var records: [ConversionEventRecord] = []
            for start in stride(from: 0, to: ids.count, by: 500) {
                let chunk = Array(ids[start..<min(ids.count, start + 500)])
                records += try Row.fetchAll(
                    db, sql: "SELECT \(Self.eventColumns) FROM conversion_events WHERE id IN (\(databaseQuestionMarks(count: chunk.count)))",
                    arguments: StatementArguments(chunk)
                ).map(ConversionEventRecord.init(row:))
            }
            return records.sorted { $0.id < $1.id }
        }
    }

    /// A page of events in acceptance order. Failed events are read through their own index;
    /// `excluding` leaves out ids (the batches in flight, when queued ones are asked for).
    public func conversionEvents(_ query: ConversionEventQuery, excluding: Set<Int64> = []) async throws -> [ConversionEventRecord] {
        try await writer.read { db in
            var conditions = ["id > ?"]
            var arguments: StatementArguments = [query.after ?? 0]
            if let account = query.adAccountID {
                conditions.append("ad_account_id = ?")
                arguments += [account]
            }
            if let test = query.test {
                conditions.append("test = ?")
                arguments += [test]
            }
            if let state = query.state {
                // A literal, so that SQLite can use the partial index of failed events.
                conditions.append("state = '\(state.rawValue)'")
            }
            if let since = query.since {
                conditions.append("accepted_at >= ?")
                arguments += [since.storeMillis]
            }
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT \(Self.eventColumns) FROM conversion_events WHERE \(conditions.joined(separator: " AND ")) ORDER BY id LIMIT ?",
                arguments: arguments + [query.limit + excluding.count])
            return Array(rows.lazy.map(ConversionEventRecord.init(row:)).filter { !excluding.contains($0.id) }.prefix(query.limit))
        }
    }
}

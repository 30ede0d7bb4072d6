import Foundation
import GRDB
import Logging
import NIOConcurrencyHelpers
import PinAdsProtocol
import PinterestAPI
import Testing

@testable import PinAdsDaemon
@testable import PinAdsStore

/// The pure health decision, each problem and each threshold on an injected time; the call and
/// lane records it reads; the systemd status notifier on a manual clock.
@Suite("Health")
struct HealthTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    let decision = HealthDecision()

    static func facts(
        connections: [HealthFacts.Connection] = [], lanes: [HealthFacts.ConversionLaneFacts] = [],
        activations: [HealthFacts.FailedActivation] = [], readError: String? = nil, unavailable: StoreUnavailable? = nil
    ) -> HealthFacts {
        HealthFacts(
            store: .init(path: "/state/pinads.db", readError: readError, unavailable: unavailable), connections: connections,
            conversionLanes: lanes, failedActivations: activations)
    }

    private func evaluate(_ facts: HealthFacts, at now: Date = HealthTests.now) -> HealthReport {
        decision.evaluate(facts, now: now)
    }

    private func codes(_ report: HealthReport) -> [String] { report.problems.map(\.code.rawValue) }

    @Test func nothingWrongIsOk() {
        let report = evaluate(Self.facts(connections: [.init(id: 1, refreshExpiresAt: Self.now.addingTimeInterval(86400))]))
        #expect(report == HealthReport(status: .ok, problems: []))
        #expect(report.statusLine == "ok")
    }

    // MARK: Store

    @Test func anUnreadableStoreIsUnavailable() {
        let report = evaluate(Self.facts(readError: "SQLite error 26: file is not a database"))
        #expect(report.status == .unavailable)
        #expect(codes(report) == ["store_unreadable"])
        #expect(report.problems[0].subject == HealthSubject(kind: .store, id: "/state/pinads.db"))
    }

    @Test func aFullReadOnlyOrFailingDirectoryIsDegraded() {
        for (problem, code) in [(StoreUnavailable.Problem.full, "store_full"), (.readOnly, "store_read_only"), (.io, "store_io_error")] {
            let report = evaluate(Self.facts(unavailable: StoreUnavailable(problem, directory: "/state", underlying: "13: disk I/O error")))
            // Reads and health still answer; writes answer UNAVAILABLE until it is fixed.
            #expect(report.status == .degraded, "\(problem)")
            #expect(codes(report) == [code])
            #expect(report.problems[0].fix.contains("/state"))
        }
    }

    @Test func storeProblemsComeFirstAndOutrankTheOthers() {
        let report = evaluate(
            Self.facts(connections: [.init(id: 1, state: .unauthorized)], unavailable: StoreUnavailable(.full, directory: "/state", underlying: "")))
        #expect(report.status == .degraded)
        #expect(codes(report) == ["store_full", "connection_needs_reconnect"])
        #expect(report.statusLine.hasPrefix("degraded: the state directory /state is full"))
        #expect(report.statusLine.hasSuffix("(+1 more; pinads health)"))
    }

    // MARK: Connections

    @Test func anUnauthorizedConnectionNeedsAReconnect() {
        let report = evaluate(
            Self.facts(connections: [
                .init(id: 2, name: "shop", state: .unauthorized, stateReason: "Pinterest refused the refresh token (code 2: revoked); reconnect needed"),
                .init(id: 3, state: .disconnected),
            ]))
        #expect(report.status == .degraded)
        #expect(codes(report) == ["connection_needs_reconnect"])
        let problem = report.problems[0]
        #expect(problem.subject == .connection(2))
        #expect(problem.message == "connection 2 (shop) needs a reconnect: Pinterest refused the refresh token (code 2: revoked); reconnect needed")
        #expect(problem.fix.contains("pinads connect"))
        #expect(report.statusLine == "degraded: " + problem.message)
    }

    @Test func tokensThatCannotBeRefreshedAreAProblemWithinSevenDays() {
        let day: TimeInterval = 86400
        func report(refreshIn: TimeInterval?, accessIn: TimeInterval? = nil, canRefresh: Bool) -> HealthReport {
            evaluate(
                Self.facts(connections: [
                    .init(
                        id: 1, accessExpiresAt: accessIn.map { Self.now.addingTimeInterval($0) },
                        refreshExpiresAt: refreshIn.map { Self.now.addingTimeInterval($0) }, canRefresh: canRefresh)
                ]))
        }
        #expect(report(refreshIn: 7 * day + 1, canRefresh: false).status == .ok, "just over 7 days")
        #expect(codes(report(refreshIn: 7 * day, canRefresh: false)) == ["tokens_expire_soon"], "exactly 7 days")
        #expect(codes(report(refreshIn: 2 * day, canRefresh: false)) == ["tokens_expire_soon"])
        #expect(report(refreshIn: 2 * day, canRefresh: true).status == .ok, "the daemon refreshes it by itself")
        // Without a refresh token the access token's expiry is the end.
        #expect(codes(report(refreshIn: nil, accessIn: 3 * day, canRefresh: false)) == ["tokens_expire_soon"])
        #expect(report(refreshIn: nil, accessIn: 30 * day, canRefresh: false).status == .ok)
        #expect(report(refreshIn: nil, canRefresh: false).status == .ok, "no known expiry")
        let expired = report(refreshIn: -60, canRefresh: false).problems[0]
        #expect(expired.message.contains("expired at 2027-01-15T07:59:00.000Z"), "\(expired.message)")
        #expect(expired.subject == .connection(1))
        #expect(expired.fix.contains("refresh_token, client_id and client_secret"))
    }

    @Test func noSuccessfulCallForTenMinutesWhileCallsWereMadeIsUnreachable() {
        let minute: TimeInterval = 60
        func calls(failingFor: TimeInterval, lastAttemptAgo: TimeInterval = 5, success: TimeInterval? = nil) -> PinterestCallRecord {
            var record = PinterestCallRecord()
            if let success { record.succeeded(at: Self.now.addingTimeInterval(-success)) }
            record.failed("Pinterest unavailable: HTTP 503", at: Self.now.addingTimeInterval(-failingFor))
            record.failed("Pinterest unavailable: HTTP 503", at: Self.now.addingTimeInterval(-lastAttemptAgo))
            return record
        }
        func report(_ record: PinterestCallRecord) -> HealthReport { evaluate(Self.facts(connections: [.init(id: 4, calls: record)])) }

        #expect(report(calls(failingFor: 10 * minute - 1)).status == .ok, "failing for less than 10 minutes")
        let unreachable = report(calls(failingFor: 10 * minute, success: 11 * minute))
        #expect(codes(unreachable) == ["pinterest_unreachable"])
        #expect(unreachable.problems[0].subject == .connection(4))
        #expect(unreachable.problems[0].message.contains("2 calls failed, the last: Pinterest unavailable: HTTP 503"))
        #expect(unreachable.problems[0].message.contains("the last one at 2027-01-15T07:49:00.000Z"))
        #expect(codes(report(calls(failingFor: 3600))) == ["pinterest_unreachable"], "never a success since start")
        // No call in the last 10 minutes: nothing was attempted, so nothing to say.
        #expect(report(calls(failingFor: 3600, lastAttemptAgo: 10 * minute + 1)).status == .ok)
        // A success ends the streak.
        var recovered = calls(failingFor: 3600)
        recovered.succeeded(at: Self.now)
        #expect(report(recovered).status == .ok)
        #expect(report(PinterestCallRecord()).status == .ok, "no calls at all")
    }

    // MARK: Conversions

    @Test func failingConversionBatchesAreAProblemOfTheirAdAccountUntilOneIsDelivered() {
        var record = ConversionLaneRecord()
        record.delivered(at: Self.now.addingTimeInterval(-100))
        record.failed("Pinterest unavailable: HTTP 503", at: Self.now.addingTimeInterval(-30))
        record.failed("Pinterest unavailable: HTTP 503", at: Self.now.addingTimeInterval(-10))
        let lane = HealthFacts.ConversionLaneFacts(adAccountID: "549755885175", record: record)
        let failing = evaluate(Self.facts(lanes: [lane]))
        #expect(failing.status == .degraded)
        #expect(codes(failing) == ["conversions_failing"])
        #expect(failing.problems[0].subject == .adAccount("549755885175"))
        #expect(failing.problems[0].message.contains("since 2027-01-15T07:59:30.000Z (2 batches failed)"))
        #expect(failing.problems[0].fix.contains("retried with backoff"))
        // Old failures no longer count (10 minutes).
        #expect(evaluate(Self.facts(lanes: [lane]), at: Self.now.addingTimeInterval(600 - 10)).status == .degraded)
        #expect(evaluate(Self.facts(lanes: [lane]), at: Self.now.addingTimeInterval(600 - 9)).status == .ok)

        var delivered = lane
        delivered.record.delivered(at: Self.now)
        #expect(evaluate(Self.facts(lanes: [delivered])).status == .ok)

        var blocked = ConversionLaneRecord()
        blocked.failed("connection 1 needs a reconnect: revoked", blockedByConnection: 1, at: Self.now)
        let problem = evaluate(Self.facts(lanes: [.init(adAccountID: "549755885175", test: true, record: blocked)])).problems[0]
        #expect(problem.fix.hasPrefix("reconnect connection 1"))
        #expect(problem.message.hasPrefix("test conversion events of ad account 549755885175"))
    }

    @Test func failedBatchesKeepTheirOldestAcceptanceUntilADelivery() {
        var record = ConversionLaneRecord()
        record.failed("503", oldestAccepted: Self.now.addingTimeInterval(-100), at: Self.now)
        record.failed("503", oldestAccepted: Self.now.addingTimeInterval(-400), at: Self.now)
        record.failed("503", oldestAccepted: Self.now.addingTimeInterval(-200), at: Self.now)
        #expect(record.oldestFailedAcceptedAt == Self.now.addingTimeInterval(-400))
        record.delivered(at: Self.now)
        #expect(record.oldestFailedAcceptedAt == nil)
    }

    @Test func refusedEventsCountForTenMinutes() {
        var record = ConversionLaneRecord()
        record.delivered(at: Self.now.addingTimeInterval(-700))
        record.refused(3, message: "event_time is too old", at: Self.now.addingTimeInterval(-700))
        record.refused(2, message: "missing user_data", at: Self.now.addingTimeInterval(-120))
        record.refused(1, message: "missing user_data", at: Self.now.addingTimeInterval(-100))
        let report = evaluate(Self.facts(lanes: [.init(adAccountID: "5", record: record)]))
        #expect(codes(report) == ["conversion_events_refused"])
        #expect(report.problems[0].message == "Pinterest refused 3 conversion events of ad account 5 in the last 10 min; the last: missing user_data")
        #expect(evaluate(Self.facts(lanes: [.init(adAccountID: "5", record: record)]), at: Self.now.addingTimeInterval(501)).status == .ok)
    }

    @Test func refusalsAreKeptPerMinuteAndBounded() {
        var record = ConversionLaneRecord()
        for second in 0..<(ConversionLaneRecord.refusalsKept * 60 + 600) where second % 30 == 0 {
            record.refused(1, message: "m", at: Self.now.addingTimeInterval(TimeInterval(second)))
        }
        #expect(record.refusals.count == ConversionLaneRecord.refusalsKept)
        #expect(record.refusals.allSatisfy { $0.count == 2 }, "two refusals a minute, one entry each")
    }

    @Test func aQueuedEventOlderThanFiveMinutesIsABacklog() {
        func report(oldest: TimeInterval?) -> HealthReport {
            evaluate(Self.facts(lanes: [.init(adAccountID: "7", oldestQueuedAt: oldest.map { Self.now.addingTimeInterval(-$0) })]))
        }
        #expect(report(oldest: 300).status == .ok, "exactly 5 minutes")
        #expect(report(oldest: nil).status == .ok)
        let backlog = report(oldest: 301)
        #expect(codes(backlog) == ["conversions_backlog"])
        #expect(backlog.problems[0].message.contains("has waited 5 min"))
        #expect(backlog.problems[0].subject == .adAccount("7"))
    }

    // MARK: Activations

    @Test func anActivationInErrorIsAProblem() {
        let report = evaluate(
            Self.facts(activations: [
                .init(id: 4, audienceID: 2, adAccountID: "549755885175", errorMessage: "needs at least 100 members, has 12", errorAt: Self.now)
            ]))
        #expect(report.status == .degraded)
        #expect(codes(report) == ["activation_error"])
        #expect(report.problems[0].subject == .activation(4))
        #expect(report.problems[0].message.hasSuffix("is in ERROR since 2027-01-15T08:00:00.000Z: needs at least 100 members, has 12"))
        #expect(report.problems[0].fix.contains("pinads audience show 2"))
    }

    @Test func problemsComeInAStableOrder() {
        var failing = ConversionLaneRecord()
        failing.failed("x", at: Self.now)
        let report = evaluate(
            Self.facts(
                connections: [.init(id: 2, state: .unauthorized), .init(id: 1, state: .unauthorized)],
                lanes: [.init(adAccountID: "b", record: failing), .init(adAccountID: "a", record: failing)],
                activations: [.init(id: 9, audienceID: 1, adAccountID: "a"), .init(id: 3, audienceID: 1, adAccountID: "a")]))
        #expect(report.problems.map(\.subject.id) == ["1", "2", "a", "b", "3", "9"])
    }

    // MARK: Records

    @Test func theTokenManagerRecordsEachConnectionsCalls() async throws {
        let harness = try TokenManagerTests.Harness()
        let connected = try await harness.connect()
        let id = connected.connectionId
        let start = harness.clock.now()
        #expect(try await harness.manager.healthFacts().first?.calls.lastSuccessAt == start, "connect listed the ad accounts")

        harness.clock.advance(by: 5)
        await #expect(throws: PinterestError.self) {
            try await harness.manager.call(connectionID: id) { _ -> Int in
                throw PinterestError.transient(reason: "HTTP 503", status: 503, requestID: nil)
            }
        }
        // Refused before it was sent: not a call.
        await #expect(throws: PinterestError.self) {
            try await harness.manager.call(connectionID: id) { _ -> Int in throw PinterestError.invalidRequest("31 items") }
        }
        var calls = try #require(try await harness.manager.healthFacts().first?.calls)
        #expect(calls.failingSince == start.addingTimeInterval(5))
        #expect(calls.failuresSinceSuccess == 1)
        #expect(calls.lastFailure?.contains("HTTP 503") == true)

        harness.clock.advance(by: 601)
        let report = HealthDecision().evaluate(
            HealthFacts(store: .init(path: "p"), connections: try await harness.manager.healthFacts()), now: harness.clock.now())
        #expect(report.status == .ok, "the last attempt was more than 10 minutes ago")

        _ = try await harness.manager.call(connectionID: id) { _ in 1 }
        calls = try #require(try await harness.manager.healthFacts().first?.calls)
        #expect(calls.failingSince == nil && calls.lastSuccessAt == harness.clock.now())
    }

    // MARK: The store's reads

    @Test func queueHeadsAreOneIndexSeekPerLane() async throws {
        let harness = try TokenManagerTests.Harness()
        let store = harness.store
        let lane = ConversionLane(adAccountID: "549755885175", test: false)
        let empty = ConversionLane(adAccountID: "549755885176", test: false)
        let first = Self.now, second = Self.now.addingTimeInterval(60)
        _ = try await store.enqueueConversions([NewConversion(eventName: "checkout", eventID: "a", body: "{}")], lane: lane, rejected: 0, now: first)
        _ = try await store.enqueueConversions([NewConversion(eventName: "checkout", eventID: "b", body: "{}")], lane: lane, rejected: 0, now: second)
        #expect(try await store.conversionQueueHeads(lanes: [lane, empty]) == [lane: first])

        let plan = try await store.writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    EXPLAIN QUERY PLAN SELECT accepted_at FROM conversion_events
                    WHERE ad_account_id = ? AND test = ? AND state = 'queued' ORDER BY next_attempt_at, id LIMIT 1
                    """, arguments: [lane.adAccountID, lane.test]
            ).map { $0["detail"] as String }
        }
        #expect(plan == ["SEARCH conversion_events USING INDEX conversion_events_due (ad_account_id=? AND test=?)"], "\(plan)")
    }

    @Test func failedActivationsAreTheActiveOnesInError() async throws {
        let harness = try TokenManagerTests.Harness()
        let connection = try await harness.connect().connectionId
        let store = harness.store
        let audience = try await store.createAudience(name: "buyers", listType: "EMAIL", description: nil, now: Self.now)
        let other = try await store.createAudience(name: "others", listType: "EMAIL", description: nil, now: Self.now)
        let failing = try #require(
            try await store.activate(audienceID: audience.id, adAccountID: "549755885175", connectionID: connection, listName: "l1", now: Self.now))
        let stopped = try #require(
            try await store.activate(audienceID: other.id, adAccountID: "549755885175", connectionID: connection, listName: "l2", now: Self.now))
        _ = try await store.activate(audienceID: audience.id, adAccountID: "549755885176", connectionID: connection, listName: "l3", now: Self.now)
        for id in [failing.activation.id, stopped.activation.id] {
            try await store.updateActivation(id: id, now: Self.now) { $0.fail("needs at least 100 members, has 3", at: Self.now) }
        }
        _ = try await store.deactivate(activationID: stopped.activation.id, now: Self.now)
        #expect(
            try await store.failedActivations() == [
                FailedActivationRecord(
                    id: failing.activation.id, audienceID: audience.id, adAccountID: "549755885175",
                    errorMessage: "needs at least 100 members, has 3", errorAt: Self.now)
            ])
    }

    // MARK: systemd status

    /// A report the test sets, and the lines sent.
    final class Probe: Sendable {
        let report = NIOLockedValueBox(HealthReport(status: .ok, problems: []))
        let sent = NIOLockedValueBox<[String]>([])
        let passes = NIOLockedValueBox(0)
    }

    @Test func theSystemdStatusFollowsHealthWhenItChanges() async throws {
        let clock = ManualClock()
        let probe = Probe()
        let notifier = HealthStatusNotifier(
            interval: 20, clock: clock, logger: Logger(label: "test"),
            report: {
                probe.passes.withLockedValue { $0 += 1 }
                return probe.report.withLockedValue { $0 }
            },
            send: { line in probe.sent.withLockedValue { $0.append(line) } })
        let running = Task { try await notifier.run() }
        defer { running.cancel() }

        // Nothing before the daemon serves.
        try await Task.sleep(for: .milliseconds(20))
        #expect(probe.sent.withLockedValue { $0 }.isEmpty)
        notifier.serving()
        try await eventually("the first status") { probe.sent.withLockedValue { $0 } == ["STATUS=ok"] }

        // Unchanged: nothing sent on the next pass.
        try await eventually("the timer is set") { clock.sleeperCount == 1 }
        clock.advance(by: 20)
        try await eventually("a second pass") { probe.passes.withLockedValue { $0 } == 2 }
        #expect(probe.sent.withLockedValue { $0 } == ["STATUS=ok"])

        // Degraded: sent at the next pass, not before it is due.
        probe.report.withLockedValue {
            $0 = HealthReport(
                status: .degraded,
                problems: [HealthProblem(code: .connectionNeedsReconnect, subject: .connection(1), message: "connection 1 needs a reconnect: revoked", fix: "f")])
        }
        try await eventually("the timer is set again") { clock.sleeperCount == 1 }
        clock.advance(by: 19)
        try await Task.sleep(for: .milliseconds(20))
        #expect(probe.passes.withLockedValue { $0 } == 2)
        clock.advance(by: 1)
        try await eventually("the degraded status") {
            probe.sent.withLockedValue { $0 } == ["STATUS=ok", "STATUS=degraded: connection 1 needs a reconnect: revoked"]
        }

        // Back to ok.
        probe.report.withLockedValue { $0 = HealthReport(status: .ok, problems: []) }
        try await eventually("the timer is set once more") { clock.sleeperCount == 1 }
        clock.advance(by: 20)
        try await eventually("ok again") { probe.sent.withLockedValue { $0 }.last == "STATUS=ok" }
        #expect(probe.sent.withLockedValue { $0 }.count == 3)
    }
}

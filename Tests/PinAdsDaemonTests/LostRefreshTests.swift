import Foundation
import Logging
import PinAdsProtocol
import PinAdsStore
import PinterestAPI
import Testing

@testable import PinAdsDaemon

/// The refresh policy's decisions, on facts and an injected time.
@Suite("Refresh policy")
struct RefreshPolicyTests {
    let policy = RefreshPolicy()
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let hour: TimeInterval = 3600

    @Test func dueTokensRefreshUnlessTheyCannot() {
        let due = RefreshPolicy.Facts(accessExpiresAt: now.addingTimeInterval(hour), refreshExpiresAt: nil)
        #expect(policy.decide(due, now: now) == .refresh)
        var later = due
        later.accessExpiresAt = now.addingTimeInterval(3 * 86_400)
        #expect(policy.decide(later, now: now) == .notDue)
        var noRefreshToken = due
        noRefreshToken.holdsRefreshToken = false
        #expect(policy.decide(noRefreshToken, now: now) == .cannotRefresh)
        var lost = due
        lost.refreshLost = true
        #expect(policy.decide(lost, now: now) == .cannotRefresh, "a lost refresh is never tried again")
        lost.accessExpiresAt = now.addingTimeInterval(-1)
        #expect(policy.decide(lost, now: now) == .cannotRefresh, "not even once the access token has expired")
    }

    @Test func aFailedRefreshWaitsDoublingUpToTheCapWhileTheTokenInHandIsValid() {
        #expect(policy.retryDelay(afterFailures: 0) == 0)
        #expect(policy.retryDelay(afterFailures: 1) == 5)
        #expect(policy.retryDelay(afterFailures: 2) == 10)
        #expect(policy.retryDelay(afterFailures: 4) == 40)
        #expect(policy.retryDelay(afterFailures: 20) == 3600)
        #expect(policy.retryDelay(afterFailures: Int.max) == 3600)

        var facts = RefreshPolicy.Facts(
            accessExpiresAt: now.addingTimeInterval(hour), refreshExpiresAt: nil, failures: .init(count: 2, lastAt: now))
        #expect(policy.decide(facts, now: now) == .wait(until: now.addingTimeInterval(10)))
        #expect(policy.decide(facts, now: now.addingTimeInterval(9.9)) == .wait(until: now.addingTimeInterval(10)))
        #expect(policy.decide(facts, now: now.addingTimeInterval(10)) == .refresh)
        // An expired access token is of no use: only a refresh helps, so it does not wait.
        facts.accessExpiresAt = now
        #expect(policy.decide(facts, now: now) == .refresh)
    }

    @Test func aRefusalIsALostRefreshOnlyAfterAnUnansweredOneAndWhileTheAccessTokenLives() {
        let sent = now.addingTimeInterval(-30)
        let expiry = now.addingTimeInterval(hour)
        #expect(policy.afterRefusal(unansweredSince: sent, accessExpiresAt: expiry, accessRefused: false, now: now) == .refreshLost(reconnectBefore: expiry))
        #expect(policy.afterRefusal(unansweredSince: sent, accessExpiresAt: nil, accessRefused: false, now: now) == .refreshLost(reconnectBefore: nil))
        #expect(policy.afterRefusal(unansweredSince: nil, accessExpiresAt: expiry, accessRefused: false, now: now) == .unauthorized, "every refresh got its answer: refused means revoked")
        #expect(policy.afterRefusal(unansweredSince: sent, accessExpiresAt: expiry, accessRefused: true, now: now) == .unauthorized, "the access token is refused too")
        #expect(policy.afterRefusal(unansweredSince: sent, accessExpiresAt: now, accessRefused: false, now: now) == .unauthorized, "the access token has expired")
    }

    @Test func aRefusedAccessTokenRefreshesOnceUnlessNothingCanRenewIt() {
        #expect(policy.afterAccessRefused(holdsRefreshToken: true, refreshLost: false) == .refreshAndRetry)
        #expect(policy.afterAccessRefused(holdsRefreshToken: false, refreshLost: false) == .unauthorized)
        #expect(policy.afterAccessRefused(holdsRefreshToken: true, refreshLost: true) == .unauthorized)
    }
}

/// A refresh whose answer is lost after Pinterest applied it (the pair rotated, the daemon never
/// learned the new one), against the in-process fake Pinterest.
@Suite("Lost refresh answers")
struct LostRefreshTests {
    typealias Harness = TokenManagerTests.Harness

    /// Connected with an access token that is due (1 hour left); the fake rotates like the
    /// sandbox: the old access token stays valid, the old refresh token is refused.
    private func connected(loseAnswers: Int = 1) async throws -> (Harness, Int64) {
        let h = try Harness()
        h.pinterest.state.withLockedValue {
            $0.rotationKeepsOldAccess = true
            $0.loseRefreshAnswers = loseAnswers
        }
        let id = try await h.connect(expiresIn: 3600).connectionId
        return (h, id)
    }

    private func calls(_ h: Harness) -> Int { h.pinterest.state.withLockedValue { $0.refreshCalls } }

    @Test func theAccessTokenInHandIsUsedUntilPinterestRefusesIt() async throws {
        let (h, id) = try await connected()
        let expiry = h.clock.now().addingTimeInterval(3600)
        // The refresh is applied, its answer lost: the token in hand is used, the refresh is on record.
        #expect(try await h.manager.token(connectionID: id).value == "access-0")
        #expect(calls(h) == 1)
        let pending = try #require(try await h.store.connection(id: id))
        #expect(pending.refreshSentAt == h.clock.now(), "recorded before it was sent, not cleared without an outcome")
        #expect(try await h.manager.listed().first?.refreshSentAt == h.clock.now())

        // No tight loop: the next tries wait.
        for _ in 0..<20 { #expect(try await h.manager.token(connectionID: id).value == "access-0") }
        #expect(calls(h) == 1)

        // After the wait the refresh is tried again and refused (the pair rotated): the refresh is lost.
        h.clock.advance(by: 5)
        #expect(try await h.manager.token(connectionID: id).value == "access-0")
        #expect(calls(h) == 2)
        let info = try #require(try await h.manager.listed().first)
        #expect(info.status == "active")
        #expect(!info.needsReconnect, "its work goes on")
        #expect(!info.canRefresh, "its refresh token is spent")
        #expect(info.refreshLostAt == h.clock.now())
        #expect(info.refreshSentAt == nil, "the refusal is the outcome")
        #expect(info.reconnectBefore == expiry)
        let reason = try #require(info.statusReason)
        #expect(reason.hasPrefix("refresh lost: no answer came to the token refresh sent at 2027-01-15T08:00:00.000Z"), "\(reason)")
        #expect(reason.contains("code 2: Authentication failed: refresh token revoked or already used."))
        #expect(reason.hasSuffix("reconnect before \(Timestamp.format(expiry)), when the access token expires"), "\(reason)")

        // Calls go on with the access token in hand, and no refresh is tried any more: not when
        // due, not by the token check, not on request.
        let client = PinterestClient(baseURL: "http://fake/v5", transport: h.pinterest, logger: Logger(label: "t"))
        #expect(try await h.manager.call(connectionID: id, through: client) { try await client.listAdAccounts(token: $0) }.count == 2)
        h.clock.advance(by: 7200)
        #expect(try await h.manager.token(connectionID: id).value == "access-0")
        let check = try await h.manager.refreshDueConnections()
        #expect(check.refreshed == 0 && check.failed == 1)
        do {
            try await h.manager.forceRefresh(connectionID: id)
            Issue.record("a refresh of a lost refresh must be refused")
        } catch let error as RefreshLost {
            // Answered FAILED_PRECONDITION at the edge (MethodDispatcher).
            #expect(error.description.hasPrefix("connection \(id) cannot refresh its tokens: refresh lost: "))
        }
        #expect(calls(h) == 2)

        // Health: degraded, with the fix and the date.
        let facts = HealthFacts(store: .init(path: "/p"), connections: try await h.manager.healthFacts())
        let report = HealthDecision().evaluate(facts, now: h.clock.now())
        #expect(report.status == .degraded)
        #expect(report.problems.map(\.code) == [.refreshLost])
        #expect(report.problems.first?.fix.hasPrefix("reconnect now: the access token expired at \(Timestamp.format(expiry))") == true)

        // Pinterest refuses the access token too: now the connection stops, without another refresh.
        h.pinterest.state.withLockedValue { _ = $0.validAccess.remove("access-0") }
        await #expect(throws: ConnectionUnavailable.self) {
            try await h.manager.call(connectionID: id, through: client) { try await client.listAdAccounts(token: $0) }
        }
        #expect(calls(h) == 2)
        let stopped = try #require(try await h.manager.listed().first)
        #expect(stopped.status == "unauthorized" && stopped.needsReconnect)
        #expect(stopped.reconnectBefore == nil)
        #expect(stopped.statusReason?.hasPrefix("Pinterest refused the access token (code 2: Authentication failed.) too, after its refresh was lost") == true)

        // A reconnect clears it all.
        _ = try await h.manager.connect(
            ConnectRequest(accessToken: "access-1", refreshToken: "refresh-1", expiresIn: 2_592_000, clientId: "app", clientSecret: "app-secret"))
        let back = try #require(try await h.manager.listed().first)
        #expect(back.status == "active" && back.canRefresh)
        #expect(back.refreshLostAt == nil && back.refreshSentAt == nil && back.reconnectBefore == nil && back.statusReason == nil)
        try await h.manager.forceRefresh(connectionID: id)
        #expect(try await h.manager.token(connectionID: id).value == "access-2")
    }

    @Test func theRecordOfTheUnansweredRefreshSurvivesARestart() async throws {
        let (h, id) = try await connected()
        #expect(try await h.manager.token(connectionID: id).value == "access-0")
        #expect(try await h.store.connection(id: id)?.refreshSentAt != nil)
        // pinadsd restarts: nothing of the first manager's memory is left.
        let restarted = TokenManager(
            store: try Store(path: h.directory + "/pinads.db"), vault: try TokenVault.open(stateDirectory: h.directory, environment: [:]),
            client: PinterestClient(baseURL: "http://fake/v5", transport: h.pinterest, logger: Logger(label: "t")), clock: h.clock,
            logger: Logger(label: "t"))
        #expect(try await restarted.token(connectionID: id).value == "access-0")
        #expect(calls(h) == 2)
        let info = try #require(try await restarted.listed().first)
        #expect(info.status == "active" && info.refreshLostAt != nil)
    }

    @Test func aRefusalWithoutAnUnansweredRefreshStillNeedsAReconnect() async throws {
        let (h, id) = try await connected(loseAnswers: 0)
        h.pinterest.state.withLockedValue { $0.refuseRefresh = true }
        await #expect(throws: ConnectionUnavailable.self) { try await h.manager.token(connectionID: id) }
        let info = try #require(try await h.manager.listed().first)
        #expect(info.status == "unauthorized" && info.refreshLostAt == nil && info.refreshSentAt == nil)
        #expect(info.statusReason == "Pinterest refused the refresh token (code 2: Authentication failed: refresh token revoked or already used.); reconnect needed")
    }

    @Test func aRefusedAccessTokenWhileAnAnswerIsOutstandingNeedsAReconnect() async throws {
        let (h, id) = try await connected()
        #expect(try await h.manager.token(connectionID: id).value == "access-0")
        // Both tokens refused: the 401's refresh is refused, although an answer was lost before.
        h.pinterest.state.withLockedValue { _ = $0.validAccess.remove("access-0") }
        let client = PinterestClient(baseURL: "http://fake/v5", transport: h.pinterest, logger: Logger(label: "t"))
        await #expect(throws: ConnectionUnavailable.self) {
            try await h.manager.call(connectionID: id, through: client) { try await client.listAdAccounts(token: $0) }
        }
        let info = try #require(try await h.manager.listed().first)
        #expect(info.status == "unauthorized")
        #expect(info.statusReason?.contains("after the refresh sent at 2027-01-15T08:00:00.000Z got no answer") == true, "\(info.statusReason ?? "")")
    }

    @Test func aRetryThatSucceedsClearsTheRecord() async throws {
        let (h, id) = try await connected(loseAnswers: 0)
        // A 503: not applied, but not certainly so; the record stays until the next outcome.
        h.pinterest.state.withLockedValue { $0.failRefreshes = 1 }
        #expect(try await h.manager.token(connectionID: id).value == "access-0")
        #expect(try await h.store.connection(id: id)?.refreshSentAt != nil)
        #expect(try await h.manager.listed().first?.lastRefreshError?.contains("503") == true)
        h.clock.advance(by: 5)
        #expect(try await h.manager.token(connectionID: id).value == "access-1")
        let record = try #require(try await h.store.connection(id: id))
        #expect(record.refreshSentAt == nil && record.refreshLostAt == nil && record.lastRefreshError == nil)
    }

    @Test func theStoreKeepsTheFirstUnansweredRefreshAndClearsItWithAnOutcome() async throws {
        let (h, id) = try await connected(loseAnswers: 0)
        let t0 = h.clock.now()
        #expect(try await h.store.recordRefreshSent(id: id, now: t0) == nil)
        #expect(try await h.store.recordRefreshSent(id: id, now: t0.addingTimeInterval(60)) == t0, "the earlier one is kept")
        #expect(try await h.store.connection(id: id)?.refreshSentAt == t0)
        #expect(try await h.store.markRefreshLost(id: id, reason: "lost", now: t0.addingTimeInterval(61))?.refreshLostAt == t0.addingTimeInterval(61))
        let lost = try #require(try await h.store.connection(id: id))
        #expect(lost.refreshSentAt == nil && lost.state == .active && lost.stateReason == "lost")
        // A second refusal (no record any more) changes nothing.
        #expect(try await h.store.markRefreshLost(id: id, reason: "again", now: t0.addingTimeInterval(62)) == nil)
        _ = try await h.connect()
        let reconnected = try #require(try await h.store.connection(id: id))
        #expect(reconnected.refreshLostAt == nil && reconnected.stateReason == nil)
        #expect(try await h.store.recordRefreshSent(id: id, now: t0) == nil)
        _ = try await h.manager.disconnect(connectionID: id)
        #expect(try await h.store.connection(id: id)?.refreshSentAt == nil)
    }
}

/// The health decision for a connection whose refresh was lost.
@Suite("Health of a lost refresh")
struct LostRefreshHealthTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func report(accessIn: TimeInterval?, canRefresh: Bool = true) -> HealthReport {
        let connection = HealthFacts.Connection(
            id: 1, name: "shop", accessExpiresAt: accessIn.map { now.addingTimeInterval($0) }, refreshExpiresAt: now.addingTimeInterval(86_400),
            canRefresh: canRefresh, refreshLostAt: now.addingTimeInterval(-60))
        return HealthDecision().evaluate(HealthFacts(store: .init(path: "/p"), connections: [connection]), now: now)
    }

    @Test func itIsDegradedWithTheDateToReconnectBy() {
        let lost = report(accessIn: 20 * 86_400)
        #expect(lost.status == .degraded)
        #expect(lost.problems.map(\.code.rawValue) == ["refresh_lost"], "one problem: not also tokens_expire_soon")
        let problem = lost.problems[0]
        #expect(problem.subject == .connection(1))
        #expect(
            problem.message
                == "connection 1 (shop) cannot refresh its tokens: the answer to a token refresh was lost, and Pinterest refused the refresh token at 2027-01-15T07:59:00.000Z (that refresh had most likely used it); the access token in hand is in use while Pinterest accepts it")
        #expect(problem.fix.hasPrefix("reconnect before 2027-02-04T08:00:00.000Z, when the access token expires (in 20 days): run `pinads connect` again"), "\(problem.fix)")
        #expect(report(accessIn: 20 * 86_400, canRefresh: false).problems.map(\.code.rawValue) == ["refresh_lost"])
        #expect(report(accessIn: -1).problems.first?.fix.hasPrefix("reconnect now: the access token expired at 2027-01-15T07:59:59.000Z") == true)
        #expect(report(accessIn: nil).problems.first?.fix.hasPrefix("reconnect soon (the access token's expiry is not known") == true)
        #expect(lost.statusLine.hasPrefix("degraded: connection 1 (shop) cannot refresh its tokens"))
    }
}

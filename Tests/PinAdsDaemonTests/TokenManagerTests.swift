import Foundation
import GRDB
import Logging
import NIOConcurrencyHelpers
import PinAdsProtocol
import PinAdsStore
import PinterestAPI
import Testing

@testable import PinAdsDaemon

/// A tiny in-process Pinterest for the token logic: ad accounts per token, a refresh grant that
/// rotates, and counters. (The real sandbox over HTTP is exercised end to end.)
final class FakePinterest: HTTPTransport, Sendable {
    struct State {
        var validAccess: Set<String> = ["access-0"]
        var validRefresh: Set<String> = ["refresh-0"]
        var accounts: [String] = ["549755885175", "549755885176"]
        var refreshCalls = 0
        var generation = 0
        var refreshDelay: Duration = .zero
        var refuseRefresh = false
        var owner = "777"
        /// The next refreshes are applied (the pair rotates) but their answers are lost.
        var loseRefreshAnswers = 0
        /// The next refreshes fail with a 503 without being applied.
        var failRefreshes = 0
        /// A rotation leaves the access token in hand valid (as the sandbox does) instead of
        /// revoking it.
        var rotationKeepsOldAccess = false
        /// Whose token it is (`user_account`); `owner` when not listed.
        var userOf: [String: String] = [:]
        /// The ad accounts a token reaches; `accounts` when not listed.
        var accountsOf: [String: [String]] = [:]
        /// An ad account's owner; `owner` when not listed.
        var ownerOf: [String: String] = [:]
        /// Authorization codes (single use) and the redirect_uri each was issued for.
        var codes: [String: String] = [:]
        var userAccountCalls = 0
    }

    let state = NIOLockedValueBox(State())

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let auth = request.headers.first { $0.name == "Authorization" }?.value ?? ""
        if request.url.hasSuffix("/oauth/token") {
            let delay = state.withLockedValue { $0.refreshDelay }
            if delay > .zero { try await Task.sleep(for: delay) }
            let body = String(decoding: request.body, as: UTF8.self)
            func field(_ name: String) -> String? {
                body.split(separator: "&").first { $0.hasPrefix(name + "=") }
                    .map { String($0.dropFirst(name.count + 1)).removingPercentEncoding ?? "" }
            }
            if field("grant_type") == "authorization_code" {
                return state.withLockedValue { state in
                    guard auth.hasPrefix("Basic "), let code = field("code"), let uri = state.codes[code], uri == field("redirect_uri") else {
                        return Self.json(400, #"{"code":1,"message":"Invalid authorization code."}"#)
                    }
                    state.codes[code] = nil
                    state.generation += 1
                    let access = "access-\(state.generation)", refresh = "refresh-\(state.generation)"
                    state.validAccess.insert(access)
                    state.validRefresh.insert(refresh)
                    return Self.json(200, #"{"access_token":"\#(access)","token_type":"bearer","expires_in":2592000,"scope":"ads:read,ads:write,user_accounts:read","refresh_token":"\#(refresh)","refresh_token_expires_in":5184000,"response_type":"authorization_code"}"#)
                }
            }
            let answer: HTTPResponse? = state.withLockedValue { state in
                state.refreshCalls += 1
                if state.failRefreshes > 0 {
                    state.failRefreshes -= 1
                    return Self.json(503, #"{"code":3,"message":"Service unavailable."}"#)
                }
                let given = field("refresh_token") ?? ""
                guard !state.refuseRefresh, auth.hasPrefix("Basic "), state.validRefresh.contains(given) else {
                    return Self.json(401, #"{"code":2,"message":"Authentication failed: refresh token revoked or already used."}"#)
                }
                state.generation += 1
                let access = "access-\(state.generation)", refresh = "refresh-\(state.generation)"
                if state.rotationKeepsOldAccess { state.validAccess.insert(access) } else { state.validAccess = [access] }
                state.validRefresh = [refresh]
                if state.loseRefreshAnswers > 0 {
                    state.loseRefreshAnswers -= 1
                    return nil
                }
                return Self.json(200, #"{"access_token":"\#(access)","token_type":"bearer","expires_in":2592000,"scope":"ads:read","refresh_token":"\#(refresh)","refresh_token_expires_in":5184000,"refresh_token_expires_at":1900000000,"response_type":"refresh_token"}"#)
            }
            guard let answer else { throw TransportError.connectionLost("connection reset by peer") }
            return answer
        }
        return state.withLockedValue { state in
            let bearer = auth.replacingOccurrences(of: "Bearer ", with: "")
            guard state.validAccess.contains(bearer) else {
                return Self.json(401, #"{"code":2,"message":"Authentication failed."}"#)
            }
            if request.url.hasSuffix("/user_account") {
                state.userAccountCalls += 1
                let user = state.userOf[bearer] ?? state.owner
                return Self.json(200, #"{"account_type":"BUSINESS","id":"\#(user)","username":"user\#(user)"}"#)
            }
            let items = (state.accountsOf[bearer] ?? state.accounts).map {
                #"{"id":"\#($0)","name":"Account \#($0)","currency":"USD","country":"US","owner":{"id":"\#(state.ownerOf[$0] ?? state.owner)","username":"shop"}}"#
            }
            return Self.json(200, #"{"items":[\#(items.joined(separator: ","))],"bookmark":null}"#)
        }
    }

    static func json(_ status: Int, _ body: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["content-type": "application/json", "x-pinterest-rid": "rid"], body: Array(body.utf8))
    }
}

@Suite("Token manager")
struct TokenManagerTests {
    struct Harness {
        let clock = ManualClock()
        let pinterest = FakePinterest()
        let directory = NSTemporaryDirectory() + "pinads-tokens-\(UUID().uuidString)"
        let store: Store
        let manager: TokenManager

        init() throws {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            store = try Store(path: directory + "/pinads.db")
            let client = PinterestClient(baseURL: "http://fake/v5", transport: pinterest, logger: Logger(label: "test"))
            manager = TokenManager(
                store: store, vault: try TokenVault.open(stateDirectory: directory, environment: [:]), client: client, clock: clock,
                logger: Logger(label: "test"))
        }

        func connect(expiresIn: Int64 = 2_592_000) async throws -> ConnectResult {
            try await manager.connect(
                ConnectRequest(
                    accessToken: "access-0", refreshToken: "refresh-0", expiresIn: expiresIn, refreshTokenExpiresIn: 5_184_000,
                    clientId: "app", clientSecret: "app-secret", name: "shop"))
        }
    }

    @Test func connectStoresAccountsAndSealsTokens() async throws {
        let h = try Harness()
        let result = try await h.connect()
        #expect(result.adAccounts.map(\.id) == ["549755885175", "549755885176"])
        #expect(result.defaultAdAccountId == "549755885175")
        #expect(!result.updated)
        let again = try await h.connect()
        #expect(again.updated, "the same Pinterest user updates its connection")
        #expect(again.connectionId == result.connectionId)
        #expect(try await h.manager.listed().count == 1)

        // No token in the clear anywhere in the database files.
        let files = try FileManager.default.contentsOfDirectory(atPath: h.directory).filter { $0.hasPrefix("pinads.db") }
        for file in files {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: h.directory + "/" + file))
            for secret in ["access-0", "refresh-0", "app-secret"] {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) found in \(file)")
            }
        }
    }

    @Test func connectExplainsBadTokensAndEmptyAccounts() async throws {
        let h = try Harness()
        await #expect(throws: ResponseError.self) {
            try await h.manager.connect(ConnectRequest(accessToken: "wrong"))
        }
        do {
            _ = try await h.manager.connect(ConnectRequest(accessToken: "wrong"))
        } catch let error as ResponseError {
            #expect(error.code == .unauthenticated)
            #expect(error.message.hasPrefix("Invalid access token: Authentication failed."))
        }
        h.pinterest.state.withLockedValue { $0.accounts = [] }
        do {
            _ = try await h.manager.connect(ConnectRequest(accessToken: "access-0"))
            Issue.record("no ad accounts must fail")
        } catch let error as ResponseError {
            #expect(error.code == .failedPrecondition)
            #expect(error.message == "No ad accounts found for this token")
        }
    }

    @Test func dueTokensAreRefreshedOnceForManyCallers() async throws {
        let h = try Harness()
        let connection = try await h.connect(expiresIn: 3600).connectionId  // due: expires within a day
        h.pinterest.state.withLockedValue { $0.refreshDelay = .milliseconds(200) }
        let manager = h.manager
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<50 { group.addTask { try await manager.token(connectionID: connection).value } }
            var all: [String] = []
            for try await token in group { all.append(token) }
            return all
        }
        #expect(h.pinterest.state.withLockedValue { $0.refreshCalls } == 1, "single flight")
        #expect(Set(tokens) == ["access-1"])
        // The rotated pair is what a restart reads back.
        let reopened = TokenManager(
            store: try Store(path: h.directory + "/pinads.db"), vault: try TokenVault.open(stateDirectory: h.directory, environment: [:]),
            client: PinterestClient(baseURL: "http://fake/v5", transport: h.pinterest, logger: Logger(label: "t")), clock: h.clock,
            logger: Logger(label: "t"))
        #expect(try await reopened.token(connectionID: connection).value == "access-1")
        try await reopened.forceRefresh(connectionID: connection)
        #expect(h.pinterest.state.withLockedValue { $0.validRefresh } == ["refresh-2"], "the rotated refresh token-1 was used")
    }

    @Test func a401RefreshesOnceAndRetries() async throws {
        let h = try Harness()
        let connection = try await h.connect().connectionId
        // Pinterest invalidates the access token behind our back.
        h.pinterest.state.withLockedValue { $0.validAccess = [] }
        let client = PinterestClient(baseURL: "http://fake/v5", transport: h.pinterest, logger: Logger(label: "t"))
        let accounts = try await h.manager.call(connectionID: connection, through: client) { token in try await client.listAdAccounts(token: token) }
        #expect(accounts.count == 2)
        #expect(h.pinterest.state.withLockedValue { $0.refreshCalls } == 1)
    }

    @Test func aRefusedRefreshMakesTheConnectionUnauthorizedUntilReconnect() async throws {
        let h = try Harness()
        let connection = try await h.connect().connectionId
        h.pinterest.state.withLockedValue {
            $0.validAccess = []
            $0.refuseRefresh = true
        }
        let client = PinterestClient(baseURL: "http://fake/v5", transport: h.pinterest, logger: Logger(label: "t"))
        await #expect(throws: ConnectionUnavailable.self) {
            try await h.manager.call(connectionID: connection, through: client) { token in try await client.listAdAccounts(token: token) }
        }
        let info = try #require(try await h.manager.listed().first)
        #expect(info.needsReconnect)
        #expect(info.statusReason?.contains("refused the refresh token") == true)
        await #expect(throws: ConnectionUnavailable.self) { try await h.manager.token(connectionID: connection) }

        // A job blocked on the connection waits, and a reconnect releases it.
        let queue = JobQueue(store: h.store, clock: h.clock, registry: JobRegistry([SelfTestJob()]), logger: Logger(label: "t"))
        let job = try await queue.enqueue(kind: SelfTestJob.kind, payload: [:])
        _ = try await h.store.claimNextJob(now: h.clock.now(), kinds: [SelfTestJob.kind])
        let blocked = try #require(try await h.store.finishAttempt(id: job.id, outcome: .blocked(on: "connection:\(connection)", reason: "reconnect needed"), now: h.clock.now()))
        #expect(blocked.state == .waiting)
        #expect(blocked.blockedOn == "connection:\(connection)")
        #expect(blocked.nextRunAt == nil)
        #expect(try await h.store.claimNextJob(now: h.clock.now().addingTimeInterval(86_400 * 365), kinds: [SelfTestJob.kind]).claimed == nil)

        h.pinterest.state.withLockedValue {
            $0.validAccess = ["access-9"]
            $0.refuseRefresh = false
        }
        _ = try await h.manager.connect(ConnectRequest(accessToken: "access-9"))
        #expect(try await h.manager.listed().first?.status == "active")
        #expect(try await h.store.claimNextJob(now: h.clock.now(), kinds: [SelfTestJob.kind]).claimed?.id == job.id)
    }

    @Test func disconnectErasesTokensAndStopsWaitingJobs() async throws {
        let h = try Harness()
        let connection = try await h.connect().connectionId
        let queue = JobQueue(store: h.store, clock: h.clock, registry: JobRegistry([SelfTestJob()]), logger: Logger(label: "t"))
        let job = try await queue.enqueue(kind: SelfTestJob.kind, payload: [:])
        _ = try await h.store.claimNextJob(now: h.clock.now(), kinds: [SelfTestJob.kind])
        _ = try await h.store.markConnectionUnauthorized(id: connection, reason: "refused", now: h.clock.now())
        let blocked = try await h.store.finishAttempt(id: job.id, outcome: .blocked(on: "connection:\(connection)", reason: "x"), now: h.clock.now())
        #expect(blocked?.state == .waiting)
        let detail = ConnectionDetail(try await h.manager.disconnect(connectionID: connection))
        #expect(detail.connection.status == "disconnected")
        #expect(detail.connection.canRefresh == false)
        let record = try #require(try await h.store.connection(id: connection))
        #expect(record.accessTokenSealed == nil && record.refreshTokenSealed == nil && record.clientSecretSealed == nil)
        let cancelled = try #require(try await h.store.job(id: job.id))
        #expect(cancelled.state == .cancelled)
        #expect(cancelled.lastError == "connection \(connection) was disconnected")
    }

    @Test func accountsResolveToDefaultsOrTheirConnection() async throws {
        let h = try Harness()
        await #expect(throws: ConnectionError.noConnection) { try await h.manager.resolve(adAccountID: nil) }
        let connection = try await h.connect().connectionId
        let (c, a) = try await h.manager.resolve(adAccountID: nil)
        #expect(c == connection && a == "549755885175")
        #expect(try await h.manager.resolve(adAccountID: "549755885176").adAccountID == "549755885176")
        let unreachable = await #expect(throws: ConnectionError.adAccountUnreachable("1")) { try await h.manager.resolve(adAccountID: "1") }
        // What a client is told of it.
        let answered = try #require(unreachable.flatMap { ResponseError(translating: $0, method: "m") })
        #expect(answered.code == .notFound && answered.details?["field"] == "ad_account_id")
        _ = try await h.manager.setDefaultAdAccount(SetDefaultAdAccountRequest(adAccountId: "549755885176"))
        #expect(try await h.manager.resolve(adAccountID: nil).adAccountID == "549755885176")
    }

    @Test func aJobBlockedOnAConnectionFixedOrDroppedMeanwhileDoesNotWait() async throws {
        let h = try Harness()
        let connection = try await h.connect().connectionId
        let queue = JobQueue(store: h.store, clock: h.clock, registry: JobRegistry([SelfTestJob()]), logger: Logger(label: "t"))
        // Reconnected while the attempt ran: the job goes back to the queue at once.
        let first = try await queue.enqueue(kind: SelfTestJob.kind, payload: [:])
        _ = try await h.store.claimNextJob(now: h.clock.now(), kinds: [SelfTestJob.kind])
        let requeued = try await h.store.finishAttempt(id: first.id, outcome: .blocked(on: "connection:\(connection)", reason: "x"), now: h.clock.now())
        #expect(requeued?.state == .queued)
        #expect(requeued?.attempts == 0)
        // Disconnected while the attempt ran: the job stops, saying why.
        _ = try await h.store.claimNextJob(now: h.clock.now(), kinds: [SelfTestJob.kind])
        _ = try await h.manager.disconnect(connectionID: connection)
        let stopped = try await h.store.finishAttempt(id: first.id, outcome: .blocked(on: "connection:\(connection)", reason: "x"), now: h.clock.now())
        #expect(stopped?.state == .cancelled)
        #expect(stopped?.lastError == "connection \(connection) was disconnected")
    }

    @Test func refreshPolicyWindows() {
        let policy = RefreshPolicy()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(!policy.isDue(accessExpiresAt: now.addingTimeInterval(2 * 86_400), refreshExpiresAt: now.addingTimeInterval(30 * 86_400), now: now))
        #expect(policy.isDue(accessExpiresAt: now.addingTimeInterval(86_399), refreshExpiresAt: nil, now: now))
        #expect(policy.isDue(accessExpiresAt: nil, refreshExpiresAt: now.addingTimeInterval(6 * 86_400), now: now))
        #expect(!policy.isDue(accessExpiresAt: nil, refreshExpiresAt: nil, now: now))
    }
}

@Suite("Token check")
struct TokenCheckTests {
    @Test func dueConnectionsAreRefreshedAndThoseThatCannotBeAreMarked() async throws {
        let h = try TokenManagerTests.Harness()
        let refreshable = try await h.connect(expiresIn: 3600).connectionId
        h.pinterest.state.withLockedValue {
            $0.accounts = ["111"]
            $0.owner = "888"
            $0.validAccess.insert("other-access")
        }
        // Another user, no refresh token, expiring within the day.
        let stuck = try await h.manager.connect(ConnectRequest(accessToken: "other-access", expiresIn: 3600)).connectionId
        #expect(stuck != refreshable)
        let (checked, refreshed, failed) = try await h.manager.refreshDueConnections()
        #expect(checked == 2 && refreshed == 1 && failed == 1)
        let infos = try await h.manager.listed()
        #expect(infos.first { $0.id == refreshable }?.lastRefreshError == nil)
        let note = try #require(infos.first { $0.id == stuck }?.lastRefreshError)
        #expect(note.contains("reconnect before then"))
    }
}

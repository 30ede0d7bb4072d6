#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import PinAdsProtocol
import PinterestAPI
import Testing

/// The answer to a refresh is lost after Pinterest applied it (the sandbox's `apply_then_reset`
/// on `/oauth/token`): Pinterest has rotated the pair and refuses the refresh token the daemon
/// holds. The real pinadsd keeps sending with the access token in hand, says `degraded` with the
/// date to reconnect by, and stops only once Pinterest refuses the access token too.
@Suite("A lost refresh answer end to end", .serialized)
struct LostRefreshEndToEndTests {
    static let app = AppCredentials(clientID: SandboxProcess.appID, clientSecret: SandboxProcess.appSecret)

    /// A sandbox user with two live access tokens: the seeded one, kept by the test to reconnect
    /// with later (a rotation does not revoke it), and the pair the daemon is given, whose access
    /// token is said to expire within the hour, so its first use refreshes it.
    struct Setup {
        var seeded: SandboxProcess.Token
        var pair: OAuthTokenResponse
        var connectionID: Int64
        var accessExpiresAt: Date
        var secrets: [String] { [seeded.access, seeded.refresh, pair.accessToken, pair.refreshToken ?? "", SandboxProcess.appSecret] }
    }

    private func setUp(_ sandbox: SandboxProcess, _ daemon: Daemon) async throws -> Setup {
        let seeded = try await sandbox.seedToken(adAccounts: 1)
        let pair = try await PinterestClient(baseURL: sandbox.baseURL, transport: CurlTransport(), logger: Logger(label: "test"))
            .refreshAccessToken(refreshToken: seeded.refresh, app: Self.app)
        let connected = try daemon.call(
            ConnectRequest(
                accessToken: pair.accessToken, refreshToken: pair.refreshToken, expiresIn: 3600, clientId: Self.app.clientID,
                clientSecret: Self.app.clientSecret, name: "shop"))
        let info = try daemon.call(GetConnectionRequest(connectionId: connected.connectionId)).connection
        let expiry = try #require(info.accessTokenExpiresAt)
        // The next refresh is applied by the sandbox, and its answer never arrives.
        try await sandbox.control("POST", "/_sandbox/faults", ["kind": "apply_then_reset", "count": 1, "path_contains": "/oauth/token"])
        return Setup(seeded: seeded, pair: pair, connectionID: connected.connectionId, accessExpiresAt: expiry)
    }

    private func send(_ daemon: Daemon, _ ids: [String]) throws {
        let events = ids.map { ConversionEventInput(eventName: "checkout", eventId: $0, email: "buyer-\($0)@example.com", value: 9.99) }
        #expect(try daemon.call(SendConversionsRequest(events: events)).accepted == ids.count)
    }

    private func health(_ daemon: Daemon) throws -> HealthResult { try daemon.call(HealthRequest()) }

    /// Sends an event every 200 ms until health reports `refresh_lost`; every one of them reaches
    /// the sandbox. Returns the health answer and the ids sent.
    private func sendUntilRefreshLost(_ daemon: Daemon, _ sandbox: SandboxProcess, _ setup: Setup, prefix: String) async throws -> (HealthResult, [String]) {
        var sent: [String] = []
        var last: HealthResult?
        do {
            try await eventually("health reports refresh_lost", timeout: 60) {
                let id = "\(prefix)-\(sent.count)"
                try send(daemon, [id])
                sent.append(id)
                last = try health(daemon)
                if last?.problems.contains(where: { $0.code == "refresh_lost" }) == true { return true }
                try await Task.sleep(for: .milliseconds(200))
                return false
            }
        } catch {
            throw TestFailure("\(error); the last health answer: \(String(describing: last))")
        }
        try await eventually("every event sent meanwhile reaches the sandbox", timeout: 60) {
            try await sandbox.missingEvents(adAccountID: setup.seeded.adAccountIDs[0], eventName: "checkout", ids: sent) == 0
        }
        guard let last else { throw TestFailure("no health answer") }
        return (last, sent)
    }

    private func checkRefreshLost(_ health: HealthResult, _ setup: Setup) throws {
        #expect(health.status == "degraded")
        let problem = try #require(health.problems.first { $0.code == "refresh_lost" })
        #expect(problem.object == HealthObject(kind: "connection", id: String(setup.connectionID)))
        #expect(problem.message.hasPrefix("connection \(setup.connectionID) (shop) cannot refresh its tokens: the answer to a token refresh was lost"), "\(problem.message)")
        #expect(
            problem.fix.hasPrefix("reconnect before \(Timestamp.format(setup.accessExpiresAt)), when the access token expires"), "\(problem.fix)")
        #expect(!health.problems.contains { $0.code == "connection_needs_reconnect" })
    }

    @Test func conversionsKeepFlowingOnTheAccessTokenInHandUntilPinterestRefusesIt() async throws {
        let sandbox = try await SandboxProcess()
        let daemon = try await Daemon(arguments: ["--api-base-url", sandbox.baseURL]).start()
        let setup = try await setUp(sandbox, daemon)
        let account = setup.seeded.adAccountIDs[0]
        #expect(try await sandbox.count("oauth/token") == 1, "the test's own refresh")

        // The first event meets the due refresh; its answer is lost, the event goes anyway.
        try send(daemon, ["first"])
        try await eventually("the first event reaches the sandbox") {
            try await sandbox.missingEvents(adAccountID: account, eventName: "checkout", ids: ["first"]) == 0
        }
        #expect(try await sandbox.count("oauth/token") == 2, "the daemon's refresh reached the sandbox (and was applied)")
        let pending = try daemon.call(GetConnectionRequest(connectionId: setup.connectionID)).connection
        #expect(pending.status == "active")
        #expect(pending.refreshSentAt != nil && pending.refreshLostAt == nil, "the unanswered refresh is on record")

        // The next refresh, a few seconds on, is refused: the refresh is lost, the events still go.
        let (observed, sent) = try await sendUntilRefreshLost(daemon, sandbox, setup, prefix: "lost")
        try checkRefreshLost(observed, setup)
        #expect(try await sandbox.count("oauth/token") == 3, "one refused retry, not a loop")

        // What connections and health say, in both forms, with no secret.
        let info = try daemon.call(GetConnectionRequest(connectionId: setup.connectionID)).connection
        #expect(info.status == "active" && !info.needsReconnect && !info.canRefresh)
        #expect(info.refreshLostAt != nil && info.refreshSentAt == nil)
        #expect(info.reconnectBefore == setup.accessExpiresAt)
        #expect(info.statusReason?.hasPrefix("refresh lost: no answer came to the token refresh sent at ") == true, "\(info.statusReason ?? "")")
        let table = try await daemon.pinads("connections")
        #expect(table.status == 0)
        #expect(table.stdout.contains("refresh lost"), "\(table.stdout)")
        #expect(table.stdout.contains("reconnect before \(Timestamp.format(setup.accessExpiresAt))"), "\(table.stdout)")
        let json = try await daemon.pinads("connections", "--json")
        let listed = try Wire.decoder().decode(ListConnectionsResult.self, from: Data(json.stdout.utf8))
        #expect(listed.connections.first?.refreshLostAt != nil)
        let text = try await daemon.pinads("health")
        #expect(text.status == 1)
        #expect(text.stdout.contains("- refresh_lost (connection \(setup.connectionID)): "), "\(text.stdout)")
        #expect(text.stdout.contains("  fix: reconnect before \(Timestamp.format(setup.accessExpiresAt)), when the access token expires"))
        let status = try await daemon.pinads("status")
        #expect(status.stdout.contains("pinterest connection \(setup.connectionID) (shop): active — refresh lost: "), "\(status.stdout)")
        // A refresh on request is refused here, without asking Pinterest.
        let refresh = try await daemon.pinads("refresh")
        #expect(refresh.status == 1)
        #expect(refresh.stderr.hasPrefix("pinads: FAILED_PRECONDITION: connection \(setup.connectionID) cannot refresh its tokens: refresh lost"), "\(refresh.stderr)")
        for output in [table.stdout, json.stdout, text.stdout, status.stdout, refresh.stderr, daemon.log] {
            for secret in setup.secrets { #expect(!output.contains(secret), "a token in the output or the log") }
        }

        // More events, no more refreshes.
        try send(daemon, ["more-0", "more-1"])
        try await eventually("more events reach the sandbox") {
            try await sandbox.missingEvents(adAccountID: account, eventName: "checkout", ids: sent + ["more-0", "more-1"]) == 0
        }
        #expect(try await sandbox.count("oauth/token") == 3)

        // Pinterest stops accepting the access token: the connection stops, the events wait.
        try await sandbox.control("POST", "/_sandbox/tokens/revoke", ["token": .string(setup.pair.accessToken)])
        try send(daemon, ["waits"])
        var last: HealthResult?
        do {
            try await eventually("the connection needs a reconnect", timeout: 30) {
                last = try health(daemon)
                return last?.problems.contains { $0.code == "connection_needs_reconnect" } == true
            }
        } catch {
            throw TestFailure("\(error); the last health answer: \(String(describing: last))")
        }
        #expect(last?.problems.contains { $0.code == "refresh_lost" } == false)
        let stopped = try daemon.call(GetConnectionRequest(connectionId: setup.connectionID)).connection
        #expect(stopped.status == "unauthorized" && stopped.needsReconnect && stopped.reconnectBefore == nil)
        #expect(stopped.statusReason?.contains("too, after its refresh was lost") == true, "\(stopped.statusReason ?? "")")
        #expect(try await sandbox.missingEvents(adAccountID: account, eventName: "checkout", ids: ["waits"]) == 1)
        #expect(try await sandbox.count("oauth/token") == 3, "no refresh with the spent refresh token")

        // A reconnect of the same user clears it, and the waiting event leaves.
        let reconnected = try daemon.call(ConnectRequest(accessToken: setup.seeded.access, name: "shop"))
        #expect(reconnected.updated && reconnected.connectionId == setup.connectionID)
        try await eventually("the waiting event reaches the sandbox") {
            try await sandbox.missingEvents(adAccountID: account, eventName: "checkout", ids: ["waits"]) == 0
        }
        let back = try daemon.call(GetConnectionRequest(connectionId: setup.connectionID)).connection
        #expect(back.status == "active" && back.refreshLostAt == nil && back.refreshSentAt == nil && back.statusReason == nil)
        try await eventually("health is ok again", timeout: 30) { try health(daemon).status == "ok" }
        #expect(try await daemon.stop() == 0)
        try await sandbox.stop()
    }

    @Test func theRecordOfTheUnansweredRefreshSurvivesAKill() async throws {
        let sandbox = try await SandboxProcess()
        let daemon = try await Daemon(arguments: ["--api-base-url", sandbox.baseURL]).start()
        let setup = try await setUp(sandbox, daemon)

        // A refresh on request: applied, its answer lost.
        let refresh = try await daemon.pinads("refresh")
        #expect(refresh.status == 1)
        #expect(refresh.stderr.contains("UNAVAILABLE"), "\(refresh.stderr)")
        #expect(try await sandbox.count("oauth/token") == 2)
        let sentAt = try #require(try daemon.call(GetConnectionRequest(connectionId: setup.connectionID)).connection.refreshSentAt)

        // Killed before anything else happens; the record is on disk.
        try await daemon.stop(signal: SIGKILL)
        try await daemon.start()
        let restarted = try daemon.call(GetConnectionRequest(connectionId: setup.connectionID)).connection
        #expect(restarted.refreshSentAt == sentAt && restarted.status == "active")

        // The first use after the restart refreshes (due), is refused, and knows why.
        let (observed, _) = try await sendUntilRefreshLost(daemon, sandbox, setup, prefix: "after-restart")
        try checkRefreshLost(observed, setup)
        #expect(try await sandbox.count("oauth/token") == 3)
        let info = try daemon.call(GetConnectionRequest(connectionId: setup.connectionID)).connection
        #expect(info.status == "active" && info.reconnectBefore == setup.accessExpiresAt)
        #expect(info.statusReason?.contains("sent at \(Timestamp.format(sentAt))") == true, "\(info.statusReason ?? "")")
        #expect(try await daemon.stop() == 0)
        try await sandbox.stop()
    }
}

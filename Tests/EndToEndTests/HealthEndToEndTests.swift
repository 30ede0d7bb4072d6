#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import PinAdsProtocol
import PinterestAPI
import Testing

/// `system.health` through the real pinadsd and pinads against a real pinads-sandbox: it says
/// degraded, naming what and why, when Pinterest refuses a connection's tokens or fails every
/// conversions call, and ok again once that is over; `pinads health` and `pinads health --json`
/// exit alike (1 unless ok).
@Suite("Health end to end", .serialized)
struct HealthEndToEndTests {
    /// `pinads health` and `pinads health --json` at once: the answer, and both exit codes.
    struct Observed {
        var health: HealthResult
        var text: CommandResult
        var json: CommandResult
    }

    /// The JSON form first: the loops below wait on it, and health moves one way while they
    /// wait, so the text form read after it shows at least as much (read before, it could miss
    /// a change that came between the two calls).
    private func observe(_ daemon: Daemon) async throws -> Observed {
        let json = try await daemon.pinads("health", "--json")
        let text = try await daemon.pinads("health")
        let health = try Wire.decoder().decode(HealthResult.self, from: Data(json.stdout.utf8))
        return Observed(health: health, text: text, json: json)
    }

    /// Waits until health has a problem with `code` about `object`, then checks both forms agree.
    private func waitForProblem(_ daemon: Daemon, code: String, object: HealthObject, timeout: TimeInterval = 30) async throws -> Observed {
        var last: Observed?
        try await eventually("health reports \(code) for \(object.kind) \(object.id); last: \(String(describing: last?.health))", timeout: timeout) {
            last = try await observe(daemon)
            return last?.health.problems.contains { $0.code == code && $0.object == object } == true
        }
        guard let observed = last else { throw TestFailure("no health answer") }
        #expect(observed.health.status == "degraded", "\(observed.health)")
        #expect(observed.text.status == 1, "pinads health exits 1 when degraded: \(observed.text.stdout)")
        #expect(observed.json.status == 1, "pinads health --json exits as the text form does")
        #expect(observed.text.stdout.contains("is degraded"), "\(observed.text.stdout)")
        #expect(observed.text.stdout.contains("- \(code) (\(object.kind.replacingOccurrences(of: "_", with: " ")) \(object.id)): "), "\(observed.text.stdout)")
        if let problem = observed.health.problems.first(where: { $0.code == code }) {
            #expect(observed.text.stdout.contains("  fix: \(problem.fix)"), "the text form lists the fix: \(observed.text.stdout)")
        }
        return observed
    }

    private func waitForOk(_ daemon: Daemon, timeout: TimeInterval = 60) async throws {
        var last: Observed?
        try await eventually("health is ok again; last: \(String(describing: last?.health))", timeout: timeout) {
            last = try await observe(daemon)
            return last?.health.status == "ok"
        }
        guard let observed = last else { throw TestFailure("no health answer") }
        #expect(observed.health.problems.isEmpty)
        #expect(observed.text.status == 0 && observed.json.status == 0, "both forms exit 0 when ok")
        #expect(observed.text.stdout.contains("is healthy"))
    }

    /// Pinterest revokes the connection's tokens. Health does not guess: it says ok until the
    /// daemon meets the refusal, here when it sends a conversion (Pinterest answers 401, the
    /// refresh is refused, the connection becomes unauthorized). Then degraded, naming the
    /// connection, and the ad account whose events wait; after a reconnect the events leave and
    /// health is ok.
    @Test func revokedTokensAreDegradedNamingTheConnectionUntilReconnected() async throws {
        let sandbox = try await SandboxProcess()
        let daemon = try await Daemon(arguments: ["--api-base-url", sandbox.baseURL]).start()
        let token = try await sandbox.seedToken(adAccounts: 1)
        let app = AppCredentials(clientID: SandboxProcess.appID, clientSecret: SandboxProcess.appSecret)
        // The same user's next token pair, to reconnect with (the first refresh token is spent).
        let later = try await PinterestClient(baseURL: sandbox.baseURL, transport: CurlTransport(), logger: Logger(label: "test"))
            .refreshAccessToken(refreshToken: token.refresh, app: app)
        let connected = try daemon.call(
            ConnectRequest(
                accessToken: token.access, refreshToken: token.refresh, expiresIn: token.expiresIn, clientId: app.clientID, clientSecret: app.clientSecret,
                name: "shop"))
        try await waitForOk(daemon, timeout: 10)

        try await sandbox.control("POST", "/_sandbox/tokens/revoke", ["token": .string(token.access)])
        #expect(try await observe(daemon).health.status == "ok", "nothing has met the refusal yet")

        let sent = try await daemon.pinads("conversions", "send", "--event", "checkout", "--event-id", "order-1", "--email", "jane@example.com")
        #expect(sent.status == 0, "\(sent.stderr)")
        let connection = HealthObject(kind: "connection", id: String(connected.connectionId))
        let observed = try await waitForProblem(daemon, code: "connection_needs_reconnect", object: connection)
        let problem = try #require(observed.health.problems.first { $0.code == "connection_needs_reconnect" })
        #expect(problem.message.hasPrefix("connection \(connected.connectionId) (shop) needs a reconnect: Pinterest refused"), "\(problem.message)")
        #expect(problem.fix.contains("pinads connect"))
        // The waiting events are a problem of their ad account, fixed by the same reconnect.
        let account = HealthObject(kind: "ad_account", id: token.adAccountIDs[0])
        let lane = try await waitForProblem(daemon, code: "conversions_failing", object: account)
        #expect(lane.health.problems.first { $0.object == account }?.fix.hasPrefix("reconnect connection \(connected.connectionId)") == true)
        // No secret and no raw email in what health says.
        for output in [observed.text.stdout, observed.json.stdout, lane.text.stdout, lane.json.stdout] {
            for secret in [token.access, token.refresh, later.accessToken, SandboxProcess.appSecret, "jane@example.com"] {
                #expect(!output.contains(secret), "health printed a secret or an email")
            }
        }

        _ = try daemon.call(
            ConnectRequest(
                accessToken: later.accessToken, refreshToken: later.refreshToken, clientId: app.clientID, clientSecret: app.clientSecret, name: "shop"))
        try await eventually("the waiting event reaches the sandbox") { try await sandbox.missingEvents(adAccountID: token.adAccountIDs[0], eventName: "checkout", ids: ["order-1"]) == 0 }
        try await waitForOk(daemon)
        #expect(try await daemon.stop() == 0)
        try await sandbox.stop()
    }

    /// The sandbox answers 503 to every events call while conversions are queued: degraded,
    /// naming the ad account; once the faults are cleared and the events delivered, ok.
    @Test func failingConversionsAreDegradedUntilDelivered() async throws {
        let sandbox = try await SandboxProcess()
        let daemon = try await Daemon(arguments: ["--api-base-url", sandbox.baseURL]).start()
        let token = try await sandbox.seedToken(adAccounts: 1)
        _ = try daemon.call(
            ConnectRequest(accessToken: token.access, refreshToken: token.refresh, clientId: SandboxProcess.appID, clientSecret: SandboxProcess.appSecret))
        try await waitForOk(daemon, timeout: 10)

        try await sandbox.control("POST", "/_sandbox/faults", ["kind": "503", "count": 1_000_000, "path_contains": "/events"])
        let events = (0..<100).map { ConversionEventInput(eventName: "checkout", eventId: "order-\($0)", email: "buyer\($0)@example.com", value: 9.99) }
        #expect(try daemon.call(SendConversionsRequest(events: events)).accepted == 100)

        let account = HealthObject(kind: "ad_account", id: token.adAccountIDs[0])
        let observed = try await waitForProblem(daemon, code: "conversions_failing", object: account)
        let problem = try #require(observed.health.problems.first { $0.code == "conversions_failing" })
        #expect(problem.message.contains("503"), "\(problem.message)")
        #expect(problem.fix.contains("retried with backoff"))
        #expect(try await sandbox.stats()["events_processed"]?.intValue ?? 0 == 0, "nothing got through meanwhile")
        // One snapshot: between two calls a retried batch may take off (queued → in flight).
        let held = try daemon.call(ConversionStatsRequest())
        #expect(held.queued + held.inFlight == 100, "\(held)")

        try await sandbox.control("DELETE", "/_sandbox/faults")
        try await eventually("the queued events reach the sandbox", timeout: 90) {
            try await sandbox.stats()["events_processed"]?.intValue == 100
        }
        try await waitForOk(daemon)
        #expect(try await daemon.stop() == 0)
        try await sandbox.stop()
    }
}

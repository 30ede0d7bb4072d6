#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import PinAdsClient
import PinAdsProtocol
import PinterestAPI
import Testing

/// pinadsd against a real pinads-sandbox over HTTP, driven by the real pinads.
@Suite("Connections, tokens and limits end to end", .serialized)
struct ConnectionsEndToEndTests {
    private func daemon(_ sandbox: SandboxProcess, _ extra: [String] = []) async throws -> Daemon {
        try await Daemon(arguments: ["--api-base-url", sandbox.baseURL] + extra).start()
    }

    private func stdinLines(_ token: SandboxProcess.Token, refresh: Bool = true) -> String {
        var lines = ["access_token=\(token.access)"]
        if refresh {
            lines += ["refresh_token=\(token.refresh)", "client_id=\(SandboxProcess.appID)", "client_secret=\(SandboxProcess.appSecret)"]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func pinads(_ daemon: Daemon, _ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:]) async throws -> CommandResult {
        try await runCommand(
            Binaries.pinads, arguments + ["--socket", daemon.socketPath],
            environment: Daemon.baseEnvironment.merging(extra) { _, new in new }, stdin: stdin)
    }

    @Test func connectChecksTheTokenAndNeverEchoesIt() async throws {
        let sandbox = try await SandboxProcess()
        let daemon = try await daemon(sandbox)

        let invalid = try await pinads(daemon, ["connect"], environment: ["PINADS_ACCESS_TOKEN": "pina_not_a_real_token"])
        #expect(invalid.status == 1)
        #expect(invalid.stderr.hasPrefix("pinads: UNAUTHENTICATED: Invalid access token: "), "\(invalid.stderr)")
        #expect(!invalid.stderr.contains("pina_not_a_real_token"))

        let empty = try await sandbox.seedToken(adAccounts: 0)
        let none = try await pinads(daemon, ["connect", "--stdin"], stdin: stdinLines(empty, refresh: false))
        #expect(none.status == 1)
        #expect(none.stderr == "pinads: FAILED_PRECONDITION: No ad accounts found for this token\n")

        let token = try await sandbox.seedToken(adAccounts: 3)
        let connected = try await pinads(daemon, ["connect", "--stdin", "--name", "shop"], stdin: stdinLines(token))
        #expect(connected.status == 0, "\(connected.stderr)")
        #expect(connected.stdout.contains("Connected (connection 1): 3 ad accounts"))
        for secret in [token.access, token.refresh, SandboxProcess.appSecret] {
            #expect(!connected.stdout.contains(secret) && !connected.stderr.contains(secret))
        }

        let accounts = try Wire.decoder().decode(
            ListAdAccountsResult.self, from: Data(try await pinads(daemon, ["accounts", "--json"]).stdout.utf8))
        #expect(accounts.adAccounts.map(\.id) == token.adAccountIDs.sorted())
        #expect(accounts.adAccounts.filter(\.isDefault).map(\.id) == [accounts.adAccounts[0].id], "the first account is the default")
        let second = accounts.adAccounts[1].id
        #expect(try await pinads(daemon, ["accounts", "default", second]).status == 0)
        let after = try Wire.decoder().decode(
            ListAdAccountsResult.self, from: Data(try await pinads(daemon, ["accounts", "--json", "--refresh"]).stdout.utf8))
        #expect(after.adAccounts.filter(\.isDefault).map(\.id) == [second])

        // A second Pinterest user is a second connection; the first stays the default.
        let other = try await sandbox.seedToken(adAccounts: 1)
        #expect(try await pinads(daemon, ["connect", "--stdin"], stdin: stdinLines(other)).status == 0)
        let list = try Wire.decoder().decode(ListConnectionsResult.self, from: Data(try await pinads(daemon, ["connections", "--json"]).stdout.utf8))
        #expect(list.connections.count == 2)
        #expect(list.connections.filter(\.isDefault).map(\.id) == [1])
        #expect(list.connections.allSatisfy { $0.tokenFingerprint?.hasPrefix("sha256:") == true && $0.canRefresh })
        // The same user again updates its connection. (Its first connect, given no expiry,
        // refreshed to learn it: the seeded refresh token is spent, the access token still works.)
        let again = try await pinads(daemon, ["connect", "--stdin", "--json"], stdin: stdinLines(other, refresh: false))
        #expect(try Wire.decoder().decode(ConnectResult.self, from: Data(again.stdout.utf8)).updated)
        #expect(try daemon.call(ListConnectionsRequest()).connections.count == 2)

        #expect(try await daemon.stop() == 0)
        try await sandbox.stop()
    }

    @Test func refreshIsSharedByConcurrentCallersAndItsRotationSurvivesARestart() async throws {
        let sandbox = try await SandboxProcess()
        let daemon = try await daemon(sandbox)
        // An access token that expires within the day: the first use refreshes it.
        let token = try await sandbox.seedToken(adAccounts: 1, accessExpiresIn: 3600)
        let connect = try await pinads(daemon, ["connect", "--stdin", "--expires-in", "3600"], stdin: stdinLines(token))
        #expect(connect.status == 0, "\(connect.stderr)")

        // 50 callers need the token at once.
        let connection = try daemon.connection()
        for id in 1...50 {
            try connection.send(json: #"{"id": \#(id), "method": "ad_accounts.list", "params": {"refresh": true}}"#)
        }
        var answered = 0
        while answered < 50 {
            guard let frame = try connection.nextJSON() else { throw TestFailure("closed") }
            #expect(frame["error"] == nil, "\(frame)")
            answered += 1
        }
        #expect(try await sandbox.count("oauth/token") == 1, "one refresh for 50 callers")

        // Restart: the rotated refresh token is the one on disk (the first one is spent at
        // Pinterest, so a refresh with it would be refused).
        #expect(try await daemon.stop() == 0)
        try await daemon.start()
        let refresh = try await pinads(daemon, ["refresh"])
        #expect(refresh.status == 0, "\(refresh.stderr)")
        #expect(try await sandbox.count("oauth/token") == 2)
        #expect(try daemon.call(ListConnectionsRequest()).connections.first?.status == "active")
        #expect(try await daemon.stop() == 0)
        try await sandbox.stop()
    }

    @Test func aRefusedTokenMakesTheConnectionUnauthorizedUntilReconnected() async throws {
        let sandbox = try await SandboxProcess()
        let daemon = try await daemon(sandbox)
        let token = try await sandbox.seedToken(adAccounts: 1)
        // A second token pair of the same user, to reconnect with later.
        let client = PinterestClient(baseURL: sandbox.baseURL, transport: CurlTransport(), logger: Logger(label: "test"))
        let later = try await client.refreshAccessToken(
            refreshToken: token.refresh, app: AppCredentials(clientID: SandboxProcess.appID, clientSecret: SandboxProcess.appSecret))

        // Connected without a refresh token; then Pinterest revokes the access token.
        #expect(try await pinads(daemon, ["connect", "--stdin"], stdin: stdinLines(token, refresh: false)).status == 0)
        try await sandbox.control("POST", "/_sandbox/tokens/revoke", ["token": .string(token.access)])
        let refused = try await pinads(daemon, ["accounts", "--refresh"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("UNAUTHENTICATED"))
        let connections = try await pinads(daemon, ["connections"])
        #expect(connections.stdout.contains("reconnect needed"))
        let status = try await pinads(daemon, ["status"])
        #expect(status.stdout.contains("RECONNECT NEEDED"))

        // A reconnect of the same user brings it back.
        let reconnect = try await pinads(daemon, ["connect", "--json"], environment: ["PINADS_ACCESS_TOKEN": later.accessToken])
        #expect(reconnect.status == 0, "\(reconnect.stderr)")
        #expect(try Wire.decoder().decode(ConnectResult.self, from: Data(reconnect.stdout.utf8)).updated)
        #expect(try await pinads(daemon, ["accounts", "--refresh"]).status == 0)
        #expect(try daemon.call(ListConnectionsRequest()).connections.map(\.status) == ["active"])
        #expect(try await daemon.stop() == 0)
        try await sandbox.stop()
    }

    @Test func noTokenIsEverInTheDatabaseAndDisconnectErasesThem() async throws {
        let sandbox = try await SandboxProcess()
        let daemon = try await daemon(sandbox)
        let token = try await sandbox.seedToken(adAccounts: 2)
        #expect(try await pinads(daemon, ["connect", "--stdin"], stdin: stdinLines(token)).status == 0)
        let secrets = [token.access, token.refresh, SandboxProcess.appSecret]
        func databaseContainsASecret() throws -> Bool {
            let files = try FileManager.default.contentsOfDirectory(atPath: daemon.stateDirectory).filter { $0.hasPrefix("pinads.db") }
            for file in files {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: daemon.stateDirectory + "/" + file))
                if secrets.contains(where: { bytes.range(of: Data($0.utf8)) != nil }) { return true }
            }
            return false
        }
        #expect(try !databaseContainsASecret(), "tokens are sealed, never stored in the clear")
        let disconnect = try await pinads(daemon, ["disconnect", "1"])
        #expect(disconnect.status == 0)
        let detail = try daemon.call(GetConnectionRequest(connectionId: 1))
        #expect(detail.connection.status == "disconnected")
        #expect(detail.connection.canRefresh == false)
        #expect(detail.connection.accessTokenExpiresAt == nil)
        #expect(try !databaseContainsASecret())
        #expect(!daemon.log.contains(token.access) && !daemon.log.contains(token.refresh), "no token in the log")
        // A disconnected connection's ad accounts are no longer offered.
        let accounts = try await pinads(daemon, ["accounts", "--refresh"])
        #expect(accounts.status == 0, "\(accounts.stderr)")
        #expect(accounts.stdout.contains("no ad accounts"), "\(accounts.stdout)")
        #expect(try await daemon.stop() == 0)
        try await sandbox.stop()
    }

    @Test func theRateLimiterHoldsPinterestsLimitAndUsesIt() async throws {
        // The sandbox enforces 100/s per user like Pinterest and counts the busiest second.
        let sandbox = try await SandboxProcess(arguments: ["--category-limit", "ads_read=0"])
        let daemon = try await daemon(sandbox)
        let token = try await sandbox.seedToken(adAccounts: 1)
        #expect(try await pinads(daemon, ["connect", "--stdin"], stdin: stdinLines(token)).status == 0)

        let calls = 400
        let started = Date()
        let socketPath = daemon.socketPath
        try await withThrowingTaskGroup(of: Int.self) { group in
            for lane in 0..<4 {
                group.addTask {
                    let connection = try UnixSocketConnection(path: socketPath)
                    connection.setReceiveTimeout(seconds: 60)
                    let share = calls / 4
                    for i in 0..<share {
                        try connection.send(json: #"{"id": \#(lane * 1000 + i), "method": "ad_accounts.list", "params": {"refresh": true}}"#)
                    }
                    var ok = 0
                    for _ in 0..<share {
                        guard let frame = try connection.nextJSON() else { throw TestFailure("closed") }
                        if frame["result"] != nil { ok += 1 }
                    }
                    return ok
                }
            }
            var ok = 0
            for try await count in group { ok += count }
            #expect(ok == calls, "every call succeeded: 429s were waited out, not surfaced")
        }
        let elapsed = Date().timeIntervalSince(started)
        let stats = try await sandbox.stats()
        let busiest = Int(stats["max_requests_in_any_second"]?.intValue ?? -1)
        let rejected = Int(stats["by_status"]?["429"]?.intValue ?? 0)
        #expect(busiest <= 100, "never more than 100 requests in any 1-second window (saw \(busiest))")
        #expect(rejected == 0, "the sandbox never had to answer 429")
        let rate = Double(calls) / elapsed
        print("rate limiter against the sandbox: \(calls) calls in \(elapsed) s = \(rate) requests/s; busiest second \(busiest); 429s \(rejected)")
        // It uses the limit: some second reaches it. (The sustained rate depends on what else this
        // 2-core machine runs during the suite; it is measured by `pinads-bench ratelimit`.)
        #expect(busiest >= 90, "the busiest second reached \(busiest) requests; the limiter held calls back below Pinterest's limit")
        #expect(try await daemon.stop() == 0)
        try await sandbox.stop()
    }
}

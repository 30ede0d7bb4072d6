#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PinAdsClient
import PinAdsProtocol
import Testing

/// `pinadsd --sandbox` (a Pinterest sandbox inside the daemon, connected at start) and the
/// one-command demo, contrib/scripts/demo.sh, with the real binaries.
@Suite("Demo end to end", .serialized)
struct DemoEndToEndTests {
    @Test func aSandboxDaemonWorksAtOnceWithNoConnectStep() async throws {
        let daemon = try await Daemon(arguments: ["--sandbox"]).start()
        #expect(daemon.log.contains("sandbox mode: talking to a local Pinterest sandbox at http://127.0.0.1:"))
        #expect(daemon.log.contains("not Pinterest"))

        let accounts = try await daemon.pinads("accounts")
        #expect(accounts.status == 0, "pinads accounts: \(accounts.stderr)")
        let listed = try daemon.call(ListAdAccountsRequest())
        #expect(listed.adAccounts.count == 2 && listed.adAccounts.filter(\.isDefault).count == 1)
        for account in listed.adAccounts { #expect(accounts.stdout.contains(account.id)) }

        let sent = try await daemon.pinads(
            "conversions", "send", "--event", "checkout", "--event-id", "demo-e2e-1", "--email", "Jo@Example.com", "--value", "12.5")
        #expect(sent.status == 0, "pinads conversions send: \(sent.stdout) \(sent.stderr)")
        try await eventually("the event reaches the in-process sandbox") { try daemon.call(ConversionStatsRequest()).sent == 1 }

        let status = try daemon.call(StatusRequest())
        #expect(status.pinterestAPIBaseURL.hasPrefix("http://127.0.0.1:") && status.pinterestAPIBaseURL.hasSuffix("/v5"))
        #expect(try daemon.call(ListConnectionsRequest()).connections.count == 1)

        // A restart on the same --state-dir connects the (new) sandbox's user again: the same
        // connection, updated with fresh tokens, not a second one.
        #expect(try await daemon.stop() == 0)
        try await daemon.start()
        let connections = try daemon.call(ListConnectionsRequest()).connections
        #expect(connections.count == 1)
        #expect(connections.first?.status == "active")
        #expect(try await daemon.pinads("accounts").status == 0)
        #expect(try await daemon.stop() == 0)

        // The folder is marked as a sandbox's: a daemon without --sandbox refuses it.
        #expect(FileManager.default.fileExists(atPath: daemon.stateDirectory + "/SANDBOX"))
        let real = try await runCommand(
            Binaries.pinadsd, ["--socket", daemon.folder.path + "/r.sock", "--state-dir", daemon.stateDirectory],
            environment: Daemon.baseEnvironment, timeout: 30)
        #expect(real.status == 1)
        #expect(real.stderr.contains("was made by `pinadsd --sandbox`"), "\(real.stderr)")
    }

    @Test func sandboxRefusesAnAPIBaseURLAndARealDaemonsState() async throws {
        let folder = try TemporaryFolder()
        let refused = try await runCommand(
            Binaries.pinadsd,
            ["--sandbox", "--api-base-url", "http://127.0.0.1:9/v5", "--socket", folder.path + "/d.sock", "--state-dir", folder.path + "/s"],
            environment: Daemon.baseEnvironment, timeout: 30)
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("--sandbox and --api-base-url do not go together"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/s"), "nothing is made before the refusal")

        // A state directory of a daemon run without --sandbox is never used by a sandbox.
        let real = try await Daemon(folder: folder).start()
        #expect(try await real.stop() == 0)
        let mixed = try await runCommand(
            Binaries.pinadsd, ["--sandbox", "--socket", folder.path + "/x.sock", "--state-dir", real.stateDirectory],
            environment: Daemon.baseEnvironment, timeout: 30)
        #expect(mixed.status == 1)
        #expect(mixed.stderr.contains("holds a pinads state made without --sandbox"), "\(mixed.stderr)")
    }

    @Test func withoutPathsTheSandboxKeepsToItsOwnSocketAndATemporaryState() async throws {
        let folder = try TemporaryFolder()
        let runtime = folder.path + "/run", temporary = folder.path + "/tmp"
        try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        let realStateHome = folder.path + "/state-home"
        var environment = Daemon.baseEnvironment
        environment["XDG_RUNTIME_DIR"] = runtime
        environment["TMPDIR"] = temporary
        environment["XDG_STATE_HOME"] = realStateHome
        // The real daemon's settings are not read in sandbox mode.
        environment["PINADS_SOCKET"] = folder.path + "/real.sock"
        environment["PINADS_STATE_DIR"] = folder.path + "/real-state"
        environment["PINADS_API_BASE_URL"] = "https://api.pinterest.com/v5"

        let logPath = folder.path + "/daemon.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.pinadsd)
        process.arguments = ["--sandbox"]
        process.environment = environment
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let readLog = { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

        let socket = runtime + "/pinads/pinadsd-sandbox.sock"
        try await eventually("the sandbox daemon answers on \(socket); log:\n\(readLog())") {
            guard process.isRunning else { throw TestFailure("pinadsd --sandbox exited; log:\n\(readLog())") }
            guard let client = try? PinAdsClient(socketPath: socket) else { return false }
            if case .result = try client.call(HealthRequest()) { return true }
            return false
        }
        guard case .result(let status) = try PinAdsClient(socketPath: socket).call(StatusRequest()) else {
            throw TestFailure("system.status failed")
        }
        #expect(status.stateDir.hasPrefix(temporary + "/pinadsd-sandbox-"))
        #expect(status.pinterestAPIBaseURL.hasPrefix("http://127.0.0.1:"))
        #expect(FileManager.default.fileExists(atPath: status.stateDir + "/pinads.db"))
        #expect(readLog().contains("export PINADS_SOCKET=\(socket)"))
        for path in [folder.path + "/real.sock", folder.path + "/real-state", realStateHome] {
            #expect(!FileManager.default.fileExists(atPath: path), "sandbox mode touched \(path)")
        }

        kill(process.processIdentifier, SIGTERM)
        try await eventually("pinadsd --sandbox exits") { !process.isRunning }
        #expect(process.terminationStatus == 0)
        #expect(!FileManager.default.fileExists(atPath: status.stateDir), "the temporary state is removed at exit")
    }

    /// contrib/scripts/demo.sh against the binaries already built, then the issue's security check.
    @Test func theDemoScriptRunsToTheEndAndLeavesNoSecretOnDisk() async throws {
        let folder = try TemporaryFolder()
        let demoDirectory = folder.path + "/demo"
        var environment = Daemon.baseEnvironment
        environment["PINADS_DEMO_DIR"] = demoDirectory
        environment["PINADS_DEMO_SKIP_BUILD"] = "1"
        environment["PINADS_BIN_DIR"] = Binaries.directory.path
        let script = Binaries.repository.appendingPathComponent("contrib/scripts/demo.sh").path
        let socket = demoDirectory + "/pinadsd.sock"
        defer { stopDemoDaemon(demoDirectory) }

        let started = Date()
        let demo = try await runCommand("/bin/bash", [script], environment: environment, timeout: 180)
        let seconds = Date().timeIntervalSince(started)
        #expect(demo.status == 0, "demo.sh failed:\n\(demo.stdout)\n\(demo.stderr)")
        guard demo.status == 0 else { return }
        print("demo.sh took \(String(format: "%.1f", seconds)) s")
        for step in ["pinads accounts", "pinads audience add", "pinads campaign launch", "pinads conversions send",
                     "pinads schedule run campaign_metrics", "pinads campaign metrics", "pinads status", "export PINADS_SOCKET="] {
            #expect(demo.stdout.contains(step), "the demo shows \(step)")
        }

        // The daemon it left answers, and has done the whole job.
        let client = try PinAdsClient(socketPath: socket)
        guard case .result(let status) = try client.call(StatusRequest()),
            case .result(let stats) = try client.call(ConversionStatsRequest()),
            case .result(let campaigns) = try client.call(ListCampaignsRequest())
        else { throw TestFailure("the demo daemon does not answer") }
        #expect(status.pinterestAPIBaseURL.hasPrefix("http://127.0.0.1:"))
        #expect(stats.sent == 10_000 && stats.queued == 0 && stats.failed == 0)
        #expect(campaigns.campaigns.count == 1 && campaigns.campaigns.first?.pinterestId != nil)

        // No token (the sandbox's start pina_, pinr_, pinc_) and no raw or normalized demo email
        // in the database, its WAL or the daemon's log.
        let state = demoDirectory + "/state"
        func checkNoSecrets(_ when: String) {
            for path in [state + "/pinads.db", state + "/pinads.db-wal", demoDirectory + "/pinadsd.log"] {
                let bytes = (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()
                for needle in ["pina_", "pinr_", "pinc_", "@example.com", "@Example.COM", "Shopper001", "shopper001"] {
                    #expect(bytes.range(of: Data(needle.utf8)) == nil, "\(needle) in \(path) (\(when))")
                }
            }
        }
        #expect(FileManager.default.fileExists(atPath: state + "/pinads.db-wal"))
        checkNoSecrets("while running")

        // Stopping it (the way the demo tells) ends the daemon.
        let pid = Int32((try String(contentsOfFile: demoDirectory + "/pinadsd.pid", encoding: .utf8))
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(pid > 0)
        var stopEnvironment = environment
        stopEnvironment["PINADS_DEMO_STOP"] = "1"
        let stop = try await runCommand("/bin/bash", [script], environment: stopEnvironment, timeout: 60)
        #expect(stop.status == 0, "\(stop.stdout) \(stop.stderr)")
        #expect(!Self.alive(pid), "the demo daemon stopped")
        checkNoSecrets("after the stop")
    }

    private func stopDemoDaemon(_ directory: String) {
        guard let text = try? String(contentsOfFile: directory + "/pinadsd.pid", encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0, Self.alive(pid)
        else { return }
        kill(pid, SIGKILL)
    }

    /// Whether a process runs: the demo's daemon is not our child, and a zombie nobody reaped
    /// yet does not count.
    static func alive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.range(of: ") ", options: .backwards)
        else { return true }
        return stat[close.upperBound...].first != "Z"
    }
}

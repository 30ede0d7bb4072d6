import ArgumentParser
import Foundation
import PinAdsClient
import PinAdsProtocol

struct AudiencesOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Members to import and sync (default 1,000,000).", valueName: "n"))
    var members: Int?

    @Option(help: ArgumentHelp("Fraction of members changed for the delta sync (half removed, half new).", valueName: "fraction"))
    var delta = 0.01

    @Option(help: ArgumentHelp("Records per customer-list request (the daemon's --audience-records-per-request).", valueName: "n"))
    var recordsPerRequest = 10_000

    mutating func validate() throws {
        if let members, members < 100 { throw ValidationError("--members: at least 100") }
        if !(delta > 0 && delta <= 1) { throw ValidationError("--delta: a fraction in (0, 1]") }
    }
}

struct AudiencesBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audiences",
        abstract: "Import members, sync them to Pinterest (the sandbox), then sync a delta. Goals: import ≥ 200,000 members/s; peak RSS < 200 MB.",
        discussion: """
            The import goes through the real client (pinads audience add --file); the daemon's peak RSS (VmHWM from /proc, \
            reset between phases) is read per phase: import, initial sync, delta sync.
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var options: AudiencesOptions

    func run() async throws {
        let options = self.options, common = self.common
        try await common.report([
            ("audiences", { await BenchReport.run("audiences") { try await options.measure(binaries: common.binaryDirectory, keep: common.keep) } })
        ])
    }
}

struct AudiencesResult: ScenarioResult {
    var members: Int
    var recordsPerRequest: Int
    var importSeconds: Double
    var importPerSecond: Double
    var syncSeconds: Double
    var deltaChanges: Int
    var deltaSeconds: Double
    var importPeakRSSBytes: Int64
    var syncPeakRSSBytes: Int64
    var deltaPeakRSSBytes: Int64

    var metrics: [Metric] {
        let peak = max(importPeakRSSBytes, syncPeakRSSBytes, deltaPeakRSSBytes)
        return [
            Metric(
                "import of \(grouped(Double(members))) emails (pinads audience add --file)", importPerSecond, unit: "members/s",
                text: "\(grouped(importPerSecond)) members/s (\(String(format: "%.2f", importSeconds)) s)", goal: .atLeast(200_000, "≥ 200,000 members/s")),
            Metric(
                "initial sync of \(grouped(Double(members))) members (\(grouped(Double(recordsPerRequest))) per request)", syncSeconds, unit: "s",
                text: String(format: "%.2f s", syncSeconds)),
            Metric("delta sync of \(grouped(Double(deltaChanges))) changes", deltaSeconds, unit: "s", text: String(format: "%.2f s", deltaSeconds)),
            Metric(
                "daemon peak RSS (import / initial sync / delta)", Double(peak), unit: "bytes",
                text: "\(megabytes(importPeakRSSBytes)) / \(megabytes(syncPeakRSSBytes)) / \(megabytes(deltaPeakRSSBytes))",
                goal: .below(200e6, "< 200 MB in every phase")),
        ]
    }
}

extension AudiencesOptions {
    func measure(binaries: String, keep: Bool) async throws -> AudiencesResult {
        let members = self.members ?? 1_000_000
        let environment = try await BenchEnvironment.start(
            binaries: binaries, name: "audiences", daemonArguments: ["--audience-records-per-request", String(recordsPerRequest)])
        defer { environment.stop(keep: keep) }
        let socket = environment.socket
        let client = try PinAdsClient(socketPath: socket)
        let audience = try client.value(CreateAudienceRequest(name: "bench")).audience.id
        progress("  \(members) members, \(delta * 100)% delta, \(recordsPerRequest) records per request; work in \(environment.work)")

        // 1. Import through the client.
        let file = environment.work + "/members.txt"
        try Self.writeMembers(0..<members, to: file)
        let rss = ProcProbe(pid: environment.daemon.processIdentifier)
        rss.resetPeak()
        var started = Date()
        let add = try Process.run(binaries + "/pinads", ["audience", "add", String(audience), "--file", file, "--socket", socket])
        let importSeconds = Date().timeIntervalSince(started)
        guard add.status == 0 else { throw BenchFailure("pinads audience add failed: \(add.output)") }
        let importPeak = try rss.peak()
        progress(String(format: "  import: %.2f s", importSeconds))

        // 2. Initial sync.
        rss.resetPeak()
        started = Date()
        _ = try client.value(ActivateAudienceRequest(audienceId: audience))
        try await waitForSynced(client, audience, timeout: 3600)
        let syncSeconds = Date().timeIntervalSince(started)
        let syncPeak = try rss.peak()
        let afterSync = try await environment.sandbox.list()
        guard afterSync.count == members else { throw BenchFailure("the sandbox's list has \(afterSync.count) records, expected \(members)") }
        progress(String(format: "  initial sync: %.2f s", syncSeconds))

        // 3. Delta: half removed, half new.
        let half = max(1, Int(Double(members) * delta / 2))
        let removed = Self.emails(0..<half), added = Self.emails(members..<(members + half))
        rss.resetPeak()
        for chunk in stride(from: 0, to: half, by: 100_000) {
            _ = try client.value(RemoveMembersRequest(audienceId: audience, members: Array(removed[chunk..<min(chunk + 100_000, half)])))
            _ = try client.value(AddMembersRequest(audienceId: audience, members: Array(added[chunk..<min(chunk + 100_000, half)])))
        }
        started = Date()
        _ = try client.value(SyncAudienceRequest(audienceId: audience))
        try await waitForSynced(client, audience, timeout: 600)
        let deltaSeconds = Date().timeIntervalSince(started)
        let deltaPeak = try rss.peak()
        let afterDelta = try await environment.sandbox.list()
        guard afterDelta.count == members else { throw BenchFailure("after the delta the list has \(afterDelta.count) records, expected \(members)") }
        progress(String(format: "  delta sync: %.2f s", deltaSeconds))

        return AudiencesResult(
            members: members, recordsPerRequest: recordsPerRequest, importSeconds: importSeconds, importPerSecond: Double(members) / importSeconds,
            syncSeconds: syncSeconds, deltaChanges: 2 * half, deltaSeconds: deltaSeconds, importPeakRSSBytes: importPeak, syncPeakRSSBytes: syncPeak,
            deltaPeakRSSBytes: deltaPeak)
    }

    static func emails(_ range: Range<Int>) -> [String] { range.map { "Member.\($0)@Example.com" } }

    static func writeMembers(_ range: Range<Int>, to path: String) throws {
        var text = ""
        text.reserveCapacity(range.count * 26)
        for i in range { text += "Member.\(i)@Example.com\n" }
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    func waitForSynced(_ client: PinAdsClient, _ audience: Int64, timeout: TimeInterval) async throws {
        try await waitFor("the activation is SYNCED", timeout: timeout) {
            guard let activation = try client.value(ListActivationsRequest(audienceId: audience)).activations.first else { return false }
            if activation.state == .error { throw BenchFailure("sync failed: \(activation.error?.message ?? "?")") }
            return activation.state == .synced && activation.pendingChanges == 0
        }
    }
}

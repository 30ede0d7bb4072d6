import ArgumentParser
import Foundation

/// Measures pinads against its performance goals with the real binaries: a `pinads-sandbox`,
/// a `pinadsd` on temporary paths, and `pinads` as a user would run it.
@main
struct PinadsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pinads-bench",
        abstract: "Measure pinads against its performance goals (real pinadsd, pinads and pinads-sandbox on temporary paths).",
        discussion: """
            Build the four binaries in release first (swift build -c release); they are taken from the directory of \
            pinads-bench itself unless --binaries says otherwise. Every scenario starts its own pinads-sandbox and pinadsd \
            as separate processes on temporary paths under /tmp, and stops them afterwards.

            Each run writes a Markdown and a JSON report (bench-report.md and bench-report.json in the current directory \
            unless --report-markdown / --report-json say otherwise): one row per measured value with its goal and whether \
            the run met it. A scenario that fails is reported as failed; the others still run.

            Full run (15–20 minutes on 2 cores, about 9 of them the Python SDK sending its 1,000,000 events, 3–4 the soak):  pinads-bench all
            Quick run (2–3 minutes):  pinads-bench all --quick
            """,
        subcommands: [
            AllBench.self, ConversionsBench.self, AudiencesBench.self, RateLimitBench.self, LaunchBench.self, IdleBench.self,
            StartupBench.self, SoakBench.self,
        ],
        defaultSubcommand: AllBench.self)
}

/// Options every scenario takes.
struct CommonOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Directory holding pinadsd, pinads and pinads-sandbox (default: next to this program).", valueName: "dir"))
    var binaries: String?

    @Option(help: ArgumentHelp("Where to write the Markdown report.", valueName: "file"))
    var reportMarkdown = "bench-report.md"

    @Option(help: ArgumentHelp("Where to write the JSON report.", valueName: "file"))
    var reportJson = "bench-report.json"

    @Flag(help: "Keep the temporary directories (logs, databases) afterwards.")
    var keep = false

    var binaryDirectory: String { binaries ?? BenchPaths.ownDirectory }

    /// Runs the scenarios in order, writes the reports, and fails (exit 1) when a scenario failed.
    /// An unmet goal is a finding, not a failure: the exit status stays 0.
    func report(_ scenarios: [(String, () async -> ScenarioReport)]) async throws {
        let started = Date()
        var done: [ScenarioReport] = []
        for (_, run) in scenarios { done.append(await run()) }
        let report = BenchReport(command: CommandLine.arguments, startedAt: started, host: .current(binaries: binaryDirectory), scenarios: done)
        print("")
        print(report.markdown)
        try report.write(markdownTo: reportMarkdown, jsonTo: reportJson)
        if done.contains(where: { $0.error != nil }) { throw ExitCode(1) }
    }
}

struct AllBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all",
        abstract: "Run every scenario in turn (startup, idle, ratelimit, launch, conversions, audiences, soak) and write one report.",
        discussion: """
            The scenarios run one after another, each with its own sandbox and daemon, in the order above (the quiet \
            ones first). --skip leaves some out. --quick shrinks the defaults for a smoke run: 100,000 events (SDK included), \
            100,000 members, 10 s idle, 5 launches, 5 starts each way, a soak of 100,000 requests, 2,000 connections and 50 streams \
            (the rate limiter keeps its 400 calls: shorter runs understate the rate); sizes given explicitly win.
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup(title: "conversions") var conversions: ConversionsOptions
    @OptionGroup(title: "audiences") var audiences: AudiencesOptions
    @OptionGroup(title: "ratelimit") var rateLimit: RateLimitOptions
    @OptionGroup(title: "launch") var launch: LaunchOptions
    @OptionGroup(title: "idle") var idle: IdleOptions
    @OptionGroup(title: "startup") var startup: StartupOptions
    @OptionGroup(title: "soak") var soak: SoakOptions

    @Option(
        parsing: .upToNextOption,
        help: ArgumentHelp("Scenarios to leave out: startup, idle, ratelimit, launch, conversions, audiences, soak.", valueName: "scenario"))
    var skip: [String] = []

    @Flag(help: "Smaller default sizes for a quick run (see above).")
    var quick = false

    mutating func validate() throws {
        let known: Set = ["startup", "idle", "ratelimit", "launch", "conversions", "audiences", "soak"]
        let skipped = skip.flatMap { $0.split(separator: ",").map(String.init) }
        if let unknown = skipped.first(where: { !known.contains($0) }) {
            throw ValidationError("--skip \(unknown): not a scenario; one of \(known.sorted().joined(separator: ", "))")
        }
        skip = skipped
    }

    func run() async throws {
        var conversions = self.conversions, audiences = self.audiences
        var launch = self.launch, idle = self.idle, startup = self.startup, soak = self.soak
        if quick {
            conversions.events = conversions.events ?? 100_000
            audiences.members = audiences.members ?? 100_000
            launch.launches = launch.launches ?? 5
            idle.idleSeconds = idle.idleSeconds ?? 10
            startup.starts = startup.starts ?? 5
            soak.shrinkForQuickRun()
        }
        let common = self.common, rateLimit = self.rateLimit, quick = self.quick
        let bin = common.binaryDirectory
        let all: [(String, () async -> ScenarioReport)] = [
            ("startup", { [startup] in await BenchReport.run("startup") { try await startup.measure(binaries: bin, keep: common.keep) } }),
            ("idle", { [idle] in await BenchReport.run("idle") { try await idle.measure(binaries: bin, keep: common.keep) } }),
            ("ratelimit", { [rateLimit] in await BenchReport.run("ratelimit") { try await rateLimit.measure(binaries: bin, keep: common.keep) } }),
            ("launch", { [launch] in await BenchReport.run("launch") { try await launch.measure(binaries: bin, keep: common.keep) } }),
            ("conversions", { [conversions] in await BenchReport.run("conversions") { try await conversions.measure(binaries: bin, keep: common.keep) } }),
            ("audiences", { [audiences] in await BenchReport.run("audiences") { try await audiences.measure(binaries: bin, keep: common.keep) } }),
            (
                "soak",
                { [soak] in await BenchReport.run(SoakResult.scenarioName(quick: quick)) { try await soak.measure(binaries: bin, keep: common.keep, quick: quick) } }
            ),
        ]
        try await common.report(all.filter { !skip.contains($0.0) })
    }
}

import ArgumentParser
import Foundation
import PinAdsClient
import PinAdsProtocol

@main
struct PinAds: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pinads",
        abstract: "Talk to the pinads daemon (pinadsd).",
        discussion: """
            Every command is one call of the daemon's protocol (protocol/methods.md). Output is for
            people; add --json for the daemon's answer as JSON.

            Every call has a deadline, --timeout (30 s), which the daemon is told too; streams
            (`jobs watch`, `--wait`) go on while the daemon answers and stop when it is silent for
            that long. With --json, errors are printed as JSON on stdout too:
            {"error": {"code": ..., "message": ..., "details": ...}}.

            Exit status: 0 success; 1 the daemon answered with an error (printed as CODE: message),
            or `health` found the daemon degraded or unavailable; 64 bad usage; 69 no daemon is
            running at the socket; 70 the daemon's answer was unreadable; 75 no answer within
            --timeout (try again later, or with a longer --timeout).

            Examples:
              pinads health
              pinads jobs list --state failed
              pinads jobs watch 12
              pinads campaign metrics 3 --from 2026-11-01
              pinads call jobs.list '{"limit": 5}'
            """,
        version: PinAdsVersion.current,
        subcommands: [
            Health.self, Status.self, Connect.self, Connections.self, Accounts.self, Refresh.self, Disconnect.self,
            Audience.self, CampaignCommand.self, AdGroupCommand.self, AdCommand.self, ConversionTagsCommand.self, ConversionsCommand.self, Schedule.self, Jobs.self, SelfTest.self, Call.self,
        ]
    )

    /// The options every command takes may come before the command too (`pinads --json jobs
    /// get 1`): they are moved after it, where the command reads them.
    static func main() {
        main(ClientOptions.hoisted(Array(CommandLine.arguments.dropFirst())))
    }
}

/// Options every command takes.
struct ClientOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The daemon's socket (default: $PINADS_SOCKET, else $XDG_RUNTIME_DIR/pinads/pinadsd.sock, else /tmp/pinads-$UID/pinadsd.sock).",
        valueName: "path"))
    var socket: String?

    @Flag(help: "Print the daemon's answer as JSON (errors too, as {\"error\": {...}} on stdout).")
    var json = false

    @Option(help: ArgumentHelp(
        "The user whose pinadsd serves the socket, when it is not yours (a daemon started with --allow-group or --allow-uid); default $PINADS_DAEMON_USER, else you.",
        valueName: "user"))
    var daemonUser: String?

    @Option(help: ArgumentHelp(
        "Seconds to wait for the daemon's answer (it is told, and stops the work); a stream stops when the daemon is silent this long. Exit 75 past it.",
        valueName: "seconds"))
    var timeout: Double = 30

    /// The uid `--daemon-user` (or `PINADS_DAEMON_USER`) names; nil: this user.
    func daemonUID() throws -> UInt32? {
        guard let name = daemonUser ?? ProcessInfo.processInfo.environment["PINADS_DAEMON_USER"], !name.isEmpty else { return nil }
        if let uid = UInt32(name) { return uid }
        guard let entry = getpwnam(name) else { throw ValidationError("--daemon-user '\(name)': no such user (give a user name or a numeric uid)") }
        return entry.pointee.pw_uid
    }

    mutating func validate() throws {
        _ = try daemonUID()
        guard timeout > 0, timeout <= 86_400 else {
            throw ValidationError("--timeout must be above 0 and at most 86400 seconds, got \(timeout)")
        }
        Output.reportAsJSON(json)
    }

    /// `arguments` with the leading --json, --socket PATH and --timeout SECONDS moved to the end
    /// (before a `--`, if any).
    static func hoisted(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var rest = arguments[...]
        while let first = rest.first {
            if first == "--json" || first.hasPrefix("--socket=") || first.hasPrefix("--timeout=") {
                leading.append(first)
                rest = rest.dropFirst()
            } else if first == "--socket" || first == "--timeout", rest.count >= 2 {
                leading += rest.prefix(2)
                rest = rest.dropFirst(2)
            } else {
                break
            }
        }
        guard !leading.isEmpty, !rest.isEmpty else { return arguments }
        var result = Array(rest)
        result.insert(contentsOf: leading, at: result.firstIndex(of: "--") ?? result.endIndex)
        return result
    }

    var socketPath: String {
        socket ?? DefaultPaths.socketPath(environment: ProcessInfo.processInfo.environment)
    }

    var timeoutDuration: Duration { .milliseconds(Int64((timeout * 1000).rounded(.up))) }

    /// Connects, or ends the program with a one-line explanation.
    func connect() throws -> PinAdsClient {
        do {
            return try PinAdsClient(socketPath: socketPath, timeout: timeoutDuration, daemonUID: try daemonUID())
        } catch {
            Output.fail(error)
        }
    }

    /// Calls a typed method and returns its result, or prints the daemon's error and exits 1.
    func call<R: PinAdsRequest>(_ request: R) throws -> R.Result {
        let client = try connect()
        do {
            switch try client.call(request) {
            case .result(let result): return result
            case .error(let error): Output.fail(error, client: client)
            }
        } catch {
            Output.fail(error)
        }
    }

    /// Prints the result as JSON when --json was given; returns true when it did.
    func printJSONIfAsked(_ value: some Encodable) -> Bool {
        guard json else { return false }
        Output.printJSON(value)
        return true
    }
}

struct Health: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Is the daemon up, and is everything it looks after working.",
        discussion: """
            Prints the status (ok, degraded or unavailable) and each problem with its fix. \
            Exits 0 only when the status is ok, 1 when it is degraded or unavailable, \
            with --json as well.
            """)
    @OptionGroup var options: ClientOptions

    func run() throws {
        let health = try options.call(HealthRequest())
        if !options.printJSONIfAsked(health) {
            let state = health.status == "ok" ? "healthy" : health.status
            print("pinadsd \(health.version) is \(state) (protocol \(health.protocolVersion), up \(Output.duration(health.uptimeS)))")
            var store = "store \(health.store.status): \(health.store.path), schema \(health.store.schemaVersion)"
            if let size = health.store.sizeBytes { store += ", \(Output.bytes(size))" }
            if let error = health.store.error { store += " — \(error)" }
            print(store)
            if !health.problems.isEmpty {
                print("\(health.problems.count) problem\(health.problems.count == 1 ? "" : "s"):")
                for problem in health.problems {
                    print("- \(problem.code) (\(problem.object.kind.replacingOccurrences(of: "_", with: " ")) \(problem.object.id)): \(problem.message)")
                    print("  fix: \(problem.fix)")
                }
            }
        }
        if health.status != "ok" { throw ExitCode(1) }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "What the daemon is doing: jobs by state, clients, services.")
    @OptionGroup var options: ClientOptions

    func run() throws {
        let status = try options.call(StatusRequest())
        if options.printJSONIfAsked(status) { return }
        print("pinadsd \(status.version), pid \(status.pid), up \(Output.duration(status.uptimeS))")
        print("socket  \(status.socketPath)")
        print("state   \(status.stateDir)")
        print("api     \(status.pinterestAPIBaseURL)")
        let jobs = JobState.allCases.map { "\($0.rawValue) \(status.jobs[$0.rawValue] ?? 0)" }.joined(separator: ", ")
        print("jobs    \(jobs)")
        let c = status.connections
        for p in status.pinterestConnections {
            let state = p.needsReconnect ? "RECONNECT NEEDED" : p.status
            print("pinterest connection \(p.id)\(p.name.map { " (\($0))" } ?? ""): \(state)\(p.statusReason.map { " — \($0)" } ?? "")")
        }
        if status.pinterestConnections.isEmpty { print("pinterest no connection yet (pinads connect)") }
        print("clients \(c.open) open, \(c.requestsInFlight) requests in flight, \(c.acceptedTotal) accepted, \(c.refusedTotal) refused at connect, \(c.deniedTotal ?? 0) requests denied for their role")
        print("services")
        for service in status.services {
            print("  \(service.name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(service.state)\(service.detail.map { "  \($0)" } ?? "")")
        }
    }
}

struct SelfTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selftest",
        abstract: "Queue a self-test job (no Pinterest calls) and follow it to the end.",
        discussion: "Shows the job machinery at work: progress, retries with backoff (--fail-attempts), cancel (Ctrl-C leaves it running; `pinads jobs cancel ID` stops it).")
    @OptionGroup var options: ClientOptions
    @Option(help: "Progress steps (1–1000).") var steps = 5
    @Option(help: "Milliseconds per step (0–60000).") var stepMs = 200
    @Option(help: "Attempts that fail on purpose before one succeeds (0–10).") var failAttempts = 0
    @Flag(help: "Queue the job and return at once, without following it.") var noWait = false

    func run() throws {
        let queued = try options.call(SelfTestRequest(steps: steps, stepMs: stepMs, failAttempts: failAttempts))
        if noWait {
            if options.printJSONIfAsked(queued) { return }
            print("queued job \(queued.job.id) (\(queued.job.kind)); follow it with: pinads jobs watch \(queued.job.id)")
            return
        }
        try WatchJobs.follow(ids: [queued.job.id], options: options)
    }
}

struct Call: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Call any method with JSON params and print the JSON answer.",
        discussion: """
            Events of streaming methods are printed one JSON object per line before the result.
            `pinads call system.methods` lists the methods; protocol/methods.md documents them.
            Example: pinads call jobs.list '{"state": "failed", "limit": 10}'
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "Method name, e.g. system.health.") var method: String
    @Argument(help: "Params as a JSON object (default {}); - reads it from stdin.") var params: String?
    @Option(help: "Give up after this many milliseconds (the daemon stops the work).") var deadlineMs: Int64?

    func run() throws {
        var text = params
        if text == "-" {
            text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        }
        var value: JSONValue?
        if let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            do {
                value = try JSONDecoder().decode(JSONValue.self, from: JSONInput.padded(Data(text.utf8)))
            } catch {
                throw ValidationError("params must be a JSON object, e.g. '{\"limit\": 5}': \(error)")
            }
            guard case .object = value else {
                throw ValidationError("params must be a JSON object, e.g. '{\"limit\": 5}', got \(value?.typeName ?? "nothing")")
            }
        }
        if let deadlineMs, deadlineMs <= 0 { throw ValidationError("--deadline-ms must be positive") }
        let client = try options.connect()
        do {
            let outcome = try client.callRaw(method: method, params: value, deadlineMs: deadlineMs) { event in
                Output.printJSON(event, pretty: false)
            }
            switch outcome {
            case .result(let result): Output.printJSON(result)
            case .error(let error): Output.fail(error, client: client)
            }
        } catch {
            Output.fail(error)
        }
    }
}

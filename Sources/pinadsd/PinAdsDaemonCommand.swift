import ArgumentParser
import Foundation
import Logging
import PinAdsDaemon
import PinAdsProtocol
import PinterestAPI

@main
struct PinAdsDaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pinadsd",
        abstract: "The pinads daemon: runs a business's Pinterest Ads work and serves local clients on a Unix socket.",
        discussion: """
            pinadsd keeps its state in one SQLite database in the state directory and serves the
            length-prefixed JSON protocol (see protocol/README.md) on a Unix socket that only its own
            user may use, unless --allow-uid or --allow-group let other local programs in. Talk to it
            with `pinads` or any program that speaks the protocol (contrib/python for Python).

            Other programs as clients: a shop running as www-data sends conversions once the daemon
            is started with `--allow-group www-data`. The socket is then 0660 and owned by that group
            (its folder 0750), and each connection's peer is checked (SO_PEERCRED: its uid, its
            primary and supplementary groups). A peer allowed this way has role `client`: the
            data-plane methods (conversions.send, audiences.add_members and remove_members, reads of
            audiences, campaigns, metrics and jobs, system.health/status/methods/whoami); every
            other method answers PERMISSION_DENIED naming the role it needs. `GROUP:admin` or
            `UID:admin` allows every method. The daemon's own user is `owner` (everything).
            `system.methods` lists each method's role; `pinads call system.whoami` tells a peer
            its own.

            It runs in the foreground and logs to stderr. SIGTERM or SIGINT stops it gracefully: it stops
            accepting, answers requests in flight, puts running jobs back on the queue, and exits 0.
            Under systemd (Type=notify) it reports readiness, and it accepts a socket passed by socket
            activation. See contrib/systemd/.

            Environment: PINADS_SOCKET, PINADS_STATE_DIR, PINADS_LOG_LEVEL, PINADS_API_BASE_URL,
            PINADS_OAUTH_AUTHORIZE_URL, PINADS_CLIENT_ID and PINADS_CLIENT_SECRET stand in for the
            flags of the same names; PINADS_ALLOW_UIDS and PINADS_ALLOW_GROUPS (entries separated by
            commas) add to --allow-uid and --allow-group; XDG_RUNTIME_DIR and XDG_STATE_HOME place
            the defaults.

            Without a Pinterest account: `pinadsd --sandbox` starts a local Pinterest sandbox inside \
            the daemon (on 127.0.0.1, a free port) and connects a sandbox user with two ad accounts \
            before it serves, so every `pinads` command works at once with no token to type. It says \
            so first ("sandbox mode: talking to a local Pinterest sandbox at http://127.0.0.1:PORT, \
            not Pinterest"; `pinads status` shows that URL too) and keeps away from a real daemon:
              socket  $XDG_RUNTIME_DIR/pinads/pinadsd-sandbox.sock (else
                      /tmp/pinads-$UID/pinadsd-sandbox.sock), never the real one;
                      it prints the `export PINADS_SOCKET=...` that points pinads at it;
                      under socket activation, the socket it is given (never the
                      real daemon's: that one is refused and closed)
              state   a new temporary folder, $TMPDIR/pinadsd-sandbox-XXXXXX, removed
                      at exit: the sandbox keeps its "Pinterest" in memory, so what
                      the daemon recorded about it is worthless after a restart
            PINADS_SOCKET, PINADS_STATE_DIR, PINADS_API_BASE_URL, PINADS_CLIENT_ID and \
            PINADS_CLIENT_SECRET are not read in sandbox mode (they describe the real daemon); \
            --api-base-url, --client-id and --client-secret-file are refused.

            --state-dir with --sandbox keeps a folder between runs. It is marked as a sandbox's (a \
            file named SANDBOX): pinadsd without --sandbox refuses it, and --sandbox refuses a folder \
            holding a real daemon's state. Each start connects the sandbox user again with fresh \
            tokens (the sandbox numbers its users the same way every run, so the same connection is \
            updated, never a second one made), but the lists, audiences and campaigns of earlier runs \
            are gone from the new sandbox: start from a new folder for a clean demo.

            The sandbox has Pinterest's limits (100 requests/s per user; per minute ads_read 1000, \
            ads_write 400, ads_analytics 300), 30-day access tokens and rotating 60-day refresh \
            tokens. contrib/scripts/demo.sh walks through a whole job against it.
            """,
        version: PinAdsVersion.current
    )

    @Flag(help: ArgumentHelp(
        "Run against a local Pinterest sandbox started inside the daemon, already connected: a demo, no Pinterest account needed.",
        discussion: "Its own socket (pinadsd-sandbox.sock) and a temporary state folder unless --socket/--state-dir; see below."))
    var sandbox = false

    @Option(
        name: .customLong("allow-group"), parsing: .singleValue,
        help: ArgumentHelp(
            "A group whose members may connect, as NAME or GID, with :admin for every method (default role: client).",
            discussion: "Repeatable. The socket becomes 0660 and owned by the first group given.", valueName: "group[:role]"))
    var allowGroups: [String] = []

    @Option(
        name: .customLong("allow-uid"), parsing: .singleValue,
        help: ArgumentHelp(
            "A user who may connect, as NAME or UID, with :admin for every method (default role: client).",
            discussion: "Repeatable. The socket's mode does not change: give the user a way to it (a group, or socket activation's SocketUser=/SocketMode=).",
            valueName: "user[:role]"))
    var allowUIDs: [String] = []

    @Option(help: ArgumentHelp(
        "Unix socket to serve.",
        discussion: "Default: $PINADS_SOCKET, else $XDG_RUNTIME_DIR/pinads/pinadsd.sock, else /tmp/pinads-$UID/pinadsd.sock.",
        valueName: "path"))
    var socket: String?

    @Option(help: ArgumentHelp(
        "Folder of the database and the lock file.",
        discussion: "Default: $PINADS_STATE_DIR, else $XDG_STATE_HOME/pinads, else ~/.local/state/pinads.",
        valueName: "path"))
    var stateDir: String?

    @Option(help: ArgumentHelp(
        "Least severe log level written: trace, debug, info, notice, warning, error or critical (default: $PINADS_LOG_LEVEL or info).",
        valueName: "level"))
    var logLevel: Logger.Level?

    @Option(help: ArgumentHelp(
        "Base URL of the Pinterest API (default: $PINADS_API_BASE_URL, else https://api.pinterest.com/v5); point it at a pinads-sandbox to run without Pinterest.",
        valueName: "url"))
    var apiBaseUrl: String?

    @Option(help: ArgumentHelp(
        "Pinterest's authorize page, where `pinads connect --oauth` sends a person (default: $PINADS_OAUTH_AUTHORIZE_URL, else https://www.pinterest.com/oauth/ for Pinterest's API, else the API base's origin + /oauth/, as a pinads-sandbox serves it).",
        valueName: "url"))
    var oauthAuthorizeUrl: String?

    @Option(help: ArgumentHelp(
        "Your Pinterest app's id, to refresh tokens of connections that did not bring one (default: $PINADS_CLIENT_ID).",
        valueName: "id"))
    var clientId: String?

    @Option(help: ArgumentHelp(
        "File holding the app secret (default: $CREDENTIALS_DIRECTORY/pinads-client-secret under systemd, else $PINADS_CLIENT_SECRET). Never pass the secret itself on the command line.",
        valueName: "path"))
    var clientSecretFile: String?

    @Option(help: ArgumentHelp("Pinterest requests per second per user (Pinterest allows 100).", valueName: "n"))
    var rateLimit: Int = 100

    @Option(
        name: .customLong("schedule"),
        help: ArgumentHelp(
            "Change a recurring task's time, UTC: TASK=SPEC, e.g. token_check=\"daily 04:30\", campaign_metrics=\"every 6h at 00:00\", audience_sync=\"0 7 * * *\", or TASK=off. Repeatable.",
            valueName: "task=spec"))
    var schedules: [String] = []

    @Option(help: ArgumentHelp(
        "Audience members per customer-list request to Pinterest (create, ADD, REMOVE).", valueName: "n"))
    var audienceRecordsPerRequest: Int = 10_000

    @Option(help: ArgumentHelp(
        "Seconds after a member change before its sync starts; changes within this window go to Pinterest as one delta.",
        valueName: "seconds"))
    var audienceSyncDelay: Double = 2

    @Option(help: ArgumentHelp("Days of campaign metrics each scheduled pull fetches, ending today (1–90).", valueName: "days"))
    var metricsDays: Int = 7

    @Option(help: ArgumentHelp("Largest frame accepted from a client, in bytes.", valueName: "bytes"))
    var maxFrameBytes: Int = Frame.defaultMaximumLength

    @Option(help: ArgumentHelp("Requests one connection may have in flight; more get RESOURCE_EXHAUSTED.", valueName: "n"))
    var maxRequestsPerConnection: Int = 128

    @Option(help: ArgumentHelp(
        "Bytes all clients together may make the daemon hold (frames not yet answered, answers not yet written; at least 4 × --max-frame-bytes). A frame that does not fit waits unread (its sender blocks) until answers free room; small frames, such as health checks, always pass.",
        valueName: "bytes"))
    var maxBufferedBytes: Int = 256 * 1024 * 1024

    @Option(help: ArgumentHelp(
        "Seconds one frame may take to arrive, from when it is taken (its length read and room for it in the buffer budget) to its last byte; a connection that stops inside a frame is closed with DEADLINE_EXCEEDED.",
        valueName: "seconds"))
    var frameTimeout: Double = 30

    @Option(help: ArgumentHelp("Background jobs run at once.", valueName: "n"))
    var jobConcurrency: Int = 4

    @Option(help: ArgumentHelp("Seconds a graceful shutdown may take before in-flight work is cut off.", valueName: "seconds"))
    var shutdownTimeout: Double = 10

    @Option(help: ArgumentHelp(
        "Seconds one Pinterest request may take in all; a request without an answer by then is retried like a 5xx.", valueName: "seconds"))
    var pinterestTimeout: Double = 60

    func validate() throws {
        if sandbox {
            if apiBaseUrl != nil {
                throw ValidationError(
                    "--sandbox and --api-base-url do not go together: --sandbox starts its own Pinterest sandbox and talks only to it. "
                        + "To use Pinterest, drop --sandbox; to use a pinads-sandbox you started, drop --sandbox and connect with its tokens")
            }
            if oauthAuthorizeUrl != nil {
                throw ValidationError("--sandbox and --oauth-authorize-url do not go together: the sandbox serves its own authorize page")
            }
            if clientId != nil || clientSecretFile != nil {
                throw ValidationError(
                    "--sandbox and --\(clientId != nil ? "client-id" : "client-secret-file") do not go together: the sandbox connection brings the sandbox's own app id and secret")
            }
        }
        guard (1024...(256 * 1024 * 1024)).contains(maxFrameBytes) else {
            throw ValidationError("--max-frame-bytes must be between 1024 and 268435456, got \(maxFrameBytes)")
        }
        guard maxBufferedBytes >= 4 * maxFrameBytes, maxBufferedBytes <= 64 * 1024 * 1024 * 1024 else {
            throw ValidationError(
                "--max-buffered-bytes must be at least 4 × --max-frame-bytes (\(4 * maxFrameBytes)) and at most 68719476736, got \(maxBufferedBytes)")
        }
        guard frameTimeout >= 0.1, frameTimeout <= 3600 else {
            throw ValidationError("--frame-timeout must be between 0.1 and 3600 seconds, got \(frameTimeout)")
        }
        guard (1...10_000).contains(maxRequestsPerConnection) else {
            throw ValidationError("--max-requests-per-connection must be between 1 and 10000, got \(maxRequestsPerConnection)")
        }
        guard (1...256).contains(jobConcurrency) else {
            throw ValidationError("--job-concurrency must be between 1 and 256, got \(jobConcurrency)")
        }
        guard (1...1000).contains(rateLimit) else {
            throw ValidationError("--rate-limit must be between 1 and 1000 requests per second, got \(rateLimit)")
        }
        guard (1...100_000).contains(audienceRecordsPerRequest) else {
            throw ValidationError("--audience-records-per-request must be between 1 and 100000, got \(audienceRecordsPerRequest)")
        }
        guard audienceSyncDelay >= 0, audienceSyncDelay <= 3600 else {
            throw ValidationError("--audience-sync-delay must be between 0 and 3600 seconds, got \(audienceSyncDelay)")
        }
        guard (1...90).contains(metricsDays) else {
            throw ValidationError("--metrics-days must be between 1 and 90 (Pinterest keeps 90 days), got \(metricsDays)")
        }
        guard pinterestTimeout >= 1, pinterestTimeout <= 600 else {
            throw ValidationError("--pinterest-timeout must be between 1 and 600 seconds, got \(pinterestTimeout)")
        }
        guard shutdownTimeout > 0, shutdownTimeout <= 3600 else {
            throw ValidationError("--shutdown-timeout must be above 0 and at most 3600 seconds, got \(shutdownTimeout)")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let level = try resolvedLogLevel(environment: environment)
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "pinadsd")

        var configuration = DaemonConfiguration(
            socketPath: socket ?? DefaultPaths.socketPath(environment: environment),
            stateDirectory: stateDir ?? DefaultPaths.stateDirectory(environment: environment))
        configuration.maximumFrameLength = maxFrameBytes
        configuration.maximumRequestsPerConnection = maxRequestsPerConnection
        configuration.maximumBufferedBytes = maxBufferedBytes
        configuration.frameTimeout = .milliseconds(Int64(frameTimeout * 1000))
        configuration.jobConcurrency = jobConcurrency
        configuration.shutdownTimeout = .milliseconds(Int64(shutdownTimeout * 1000))
        configuration.pinterestTimeout = .milliseconds(Int64(pinterestTimeout * 1000))
        if !sandbox {
            configuration.pinterestAPIBaseURL = try resolvedAPIBaseURL(environment: environment)
            configuration.appCredentials = try resolvedAppCredentials(environment: environment)
            configuration.oauthAuthorizeURL = try resolvedAuthorizeURL(environment: environment)
        }
        configuration.rateLimits.requestsPerSecond = rateLimit
        configuration.audienceSync.recordsPerRequest = audienceRecordsPerRequest
        configuration.audienceSync.realtimeDelay = audienceSyncDelay
        configuration.metricsDays = metricsDays
        do {
            configuration.access = try AccessPolicy.parse(
                uids: allowUIDs + AccessPolicy.entries(environment["PINADS_ALLOW_UIDS"]),
                groups: allowGroups + AccessPolicy.entries(environment["PINADS_ALLOW_GROUPS"]))
        } catch {
            throw ValidationError(error.description)
        }
        for entry in schedules {
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else {
                throw ValidationError("--schedule takes TASK=SPEC (e.g. token_check=\"daily 04:30\"), got '\(entry)'")
            }
            configuration.scheduleOverrides[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
        }

        // Sandbox mode: its own socket and state (the real daemon's PINADS_SOCKET and
        // PINADS_STATE_DIR are not read), the sandbox started and its user connected at start.
        var sandboxMode: SandboxMode?
        do {
            if sandbox {
                let mode = try await SandboxMode.start(stateDirectory: stateDir, logger: logger)
                sandboxMode = mode
                if let passed = Systemd.passedSocketPath(environment: environment) {
                    configuration.socketPath = try SandboxMode.socketPath(passed: passed, environment: environment)
                } else {
                    configuration.socketPath = socket ?? SandboxMode.defaultSocketPath(environment: environment)
                }
                configuration.stateDirectory = mode.stateDirectory
                configuration.pinterestAPIBaseURL = mode.sandbox.baseURL
                configuration.connectAtStart = mode.connect
                // The sandbox's own app, so that `pinads connect --oauth --port 0` needs no
                // credentials against it (real ones are refused with --sandbox).
                configuration.appCredentials = AppCredentials(
                    clientID: mode.sandbox.configuration.appID, clientSecret: mode.sandbox.configuration.appSecret)
                FileHandle.standardError.write(Data(mode.banner(socketPath: configuration.socketPath).utf8))
                logger.notice(
                    "sandbox mode: talking to a local Pinterest sandbox at \(mode.sandbox.rootURL), not Pinterest",
                    metadata: ["state_dir": "\(configuration.stateDirectory)", "socket": "\(configuration.socketPath)"])
            } else {
                try SandboxMode.refuseSandboxState(configuration.stateDirectory)
            }
            try await Daemon.run(
                configuration: configuration,
                environment: sandboxMode == nil ? environment : SandboxMode.daemonEnvironment(environment), logger: logger)
        } catch {
            await sandboxMode?.finish()
            // Start-up errors explain themselves; say them once, plainly, and exit 1.
            FileHandle.standardError.write(Data("pinadsd: \(error)\n".utf8))
            throw ExitCode(1)
        }
        await sandboxMode?.finish()
    }

    private func resolvedAPIBaseURL(environment: [String: String]) throws -> String {
        let (text, source) =
            if let apiBaseUrl { (apiBaseUrl, "--api-base-url") } else if let value = environment["PINADS_API_BASE_URL"], !value.isEmpty {
                (value, "PINADS_API_BASE_URL")
            } else { ("https://api.pinterest.com/v5", "default") }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
            url.host?.isEmpty == false
        else {
            throw ValidationError("\(source) must be an http(s) URL such as https://api.pinterest.com/v5, got '\(text)'")
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    /// `--oauth-authorize-url`, else `PINADS_OAUTH_AUTHORIZE_URL`, else nil (derived from the API base).
    private func resolvedAuthorizeURL(environment: [String: String]) throws -> String? {
        let text: String, source: String
        if let oauthAuthorizeUrl {
            (text, source) = (oauthAuthorizeUrl, "--oauth-authorize-url")
        } else if let value = environment["PINADS_OAUTH_AUTHORIZE_URL"], !value.isEmpty {
            (text, source) = (value, "PINADS_OAUTH_AUTHORIZE_URL")
        } else {
            return nil
        }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
            url.host?.isEmpty == false
        else {
            throw ValidationError("\(source) must be an http(s) URL such as https://www.pinterest.com/oauth/, got '\(text)'")
        }
        return text
    }

    /// The app id from the flag or environment, its secret from a file or the environment.
    private func resolvedAppCredentials(environment: [String: String]) throws -> AppCredentials? {
        guard let id = clientId ?? environment["PINADS_CLIENT_ID"].flatMap({ $0.isEmpty ? nil : $0 }) else { return nil }
        var secret: String?
        let file = clientSecretFile ?? environment["CREDENTIALS_DIRECTORY"].map { $0 + "/pinads-client-secret" }
        if let file, FileManager.default.fileExists(atPath: file) {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read the app secret file \(file)")
            }
            secret = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        } else if let file = clientSecretFile {
            throw ValidationError("--client-secret-file \(file) does not exist")
        } else {
            secret = environment["PINADS_CLIENT_SECRET"]
        }
        guard let secret, !secret.isEmpty else {
            throw ValidationError("an app id is set (\(id)) but no secret: use --client-secret-file or PINADS_CLIENT_SECRET")
        }
        return AppCredentials(clientID: id, clientSecret: secret)
    }

    private func resolvedLogLevel(environment: [String: String]) throws -> Logger.Level {
        if let logLevel { return logLevel }
        guard let text = environment["PINADS_LOG_LEVEL"], !text.isEmpty else { return .info }
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw ValidationError("PINADS_LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical; got '\(text)'")
        }
        return level
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

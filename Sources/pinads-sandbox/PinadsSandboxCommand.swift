#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import Dispatch
import Logging
import PinterestSandbox

@main
struct PinadsSandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pinads-sandbox",
        abstract: "A local, stateful simulator of the Pinterest API v5 endpoints pinads uses.",
        discussion: """
            Serves Pinterest's API under http://HOST:PORT/v5 (OAuth with rotating refresh tokens, conversion tokens, ad accounts, customer lists, audiences, campaigns, ad groups and ads with their PATCH updates, keywords, conversion tags, conversion events, campaign, ad group and ad analytics) with Pinterest's error shapes and rate limits, so pinads can be developed, tested and demonstrated without a Pinterest account. State lives in memory until exit.

            On start it prints to stdout
              pinads-sandbox listening on http://127.0.0.1:PORT/v5
            and, with --seed-token, two more lines:
              access_token=... refresh_token=... ad_account_ids=ID,ID
              app_id=... app_secret=...
            Logs go to stderr. SIGTERM or SIGINT stops it; it exits 0.

            The browser step of OAuth (the stand-in for www.pinterest.com/oauth/), outside /v5:
              GET    /oauth/?client_id=APP_ID&redirect_uri=URI&response_type=code
                            &scope=ads:read,ads:write,user_accounts:read&state=X
                     -> 302 Location: URI?code=CODE&state=X, approved at once by the
                        authorizer (below); the code is single use, bound to URI and
                        the app, and expires after 10 sandbox minutes. A bad parameter
                        is a 400 {"code","message","error","parameter"}.

            Control endpoints (JSON in and out, no authentication), outside /v5:
              POST   /_sandbox/tokens        {"ad_accounts":2,"currency":"USD",
                                              "user_id":"...","share_ad_accounts":["ID"],
                                              "permissions":["ADMIN"],
                                              "access_expires_in":S,"refresh_expires_in":S}
                     (all optional) -> access_token, refresh_token, expires_in,
                     refresh_token_expires_in, user_id, ad_account_ids,
                     shared_ad_account_ids; user_id mints for that existing user
                     (its ad accounts unchanged); share_ad_accounts gives Business
                     Access with permissions to other owners' ad accounts
              POST   /_sandbox/authorizer    {"user_id":"..."} or {"ad_accounts":N,
                                             "currency":"EUR"} or {} (new users with 2
                                             USD accounts): who approves GET /oauth/
                                             (GET shows it)
              POST   /_sandbox/tokens/revoke {"token":"..."} (access, refresh or
                                             conversion token)
              POST   /_sandbox/codes         {"ad_accounts":2,"redirect_uri":"..."}
                     -> {"code"} for grant_type=authorization_code; any code
                     starting with "sandbox-code" also works, once
              POST   /_sandbox/faults        {"kind":"500|503|429|hang|reset|latency|
                                              apply_then_reset",
                                              "count":N,"path_contains":"/events",
                                              "latency_ms":MS,"probability":P}
                     probability (default 1): the chance a matching request gets
                     the fault; below 1, faults mix with normal answers (a storm)
                     apply_then_reset processes the request, then resets the
                     connection without answering (did the write land?)
              DELETE /_sandbox/faults        drop queued faults (GET lists them)
              GET    /_sandbox/stats         requests per operation and status, most
                                             requests in any second, TCP connections,
                                             events, customer-list records
              GET    /_sandbox/customer_lists[?ad_account_id=ID][&records=true]
                     -> {"items":[{id, ad_account_id, name, list_type,
                        record_count, matched, num_batches,
                        num_uploaded_user_records, num_removed_user_records,
                        status, records_digest, records?}]} sorted by id;
                        records_digest = hex SHA-256 of the distinct records
                        sorted by bytes and joined with "\\n"
              POST   /_sandbox/events/seen   {"ad_account_id":"...","event_name":"...",
                                             "event_ids":[...]} -> {"seen":N,
                                             "missing_count":M,"missing":[first 100]}
                                             (recorded events: not test, not offline)
              POST   /_sandbox/events/refuse {"count":N,"message":"..."}: the next N
                                             real events that pass every check are
                                             answered failed with that error_message,
                                             as Pinterest refuses events for reasons
                                             a client cannot check ({"count":0} ends it)
              POST   /_sandbox/ads/review    {"ad_id":"...","review_status":"REJECTED",
                                             "rejected_reasons":["LANDING_PAGE_BROKEN"],
                                             "rejection_labels":["..."]}: Pinterest's
                                             review decides (OTHER, PENDING, REJECTED
                                             or APPROVED; reasons and labels only with
                                             REJECTED) -> the ad as GET answers it
              POST   /_sandbox/conversion_tags {"ad_account_id":"...","name":"..."}
                                             -> {"id"}: an ACTIVE tag, no AEM
              POST   /_sandbox/clock         {"advance_s":S} moves sandbox time forward
              POST   /_sandbox/reset         forgets all state; the configuration stays

            Example:
              pinads-sandbox --port 8787 --seed-token
              curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8787/v5/ad_accounts
            """
    )

    @Option(help: ArgumentHelp("TCP port to listen on; 0 picks a free one (read it from the first line).", valueName: "port"))
    var port: Int = 0

    @Option(help: ArgumentHelp("Address to bind; keep it on loopback.", valueName: "address"))
    var host: String = "127.0.0.1"

    @Flag(help: "Mint a user, its ad accounts and a token pair at start, and print them.")
    var seedToken = false

    @Option(help: ArgumentHelp("Ad accounts of the seeded user (0 allowed).", valueName: "n"))
    var adAccounts: Int = 2

    @Option(help: ArgumentHelp("Fraction 0...1 of customer-list records that match a Pinterest user.", valueName: "rate"))
    var matchRate: Double = 0.8

    @Option(help: ArgumentHelp("Requests per second allowed per user before 429s.", valueName: "n"))
    var rps: Int = 100

    @Option(
        name: .customLong("category-limit"),
        help: ArgumentHelp(
            "Requests per minute per user in one rate-limit category, e.g. ads_write=400 (repeatable; 0 lifts the limit). Defaults: ads_read=1000, ads_write=400, ads_analytics=300, ads_conversions=120000, org_read=1000, org_write=100.",
            valueName: "category=n"))
    var categoryLimits: [String] = []

    @Option(help: ArgumentHelp("Append every /v5 request and response to this file as JSON lines (tokens redacted).", valueName: "file"))
    var record: String?

    @Option(help: ArgumentHelp("App id expected in the HTTP Basic credentials of /v5/oauth/token.", valueName: "id"))
    var appID: String = "sandbox-app-id"

    @Option(help: ArgumentHelp("App secret expected in the HTTP Basic credentials of /v5/oauth/token.", valueName: "secret"))
    var appSecret: String = "sandbox-app-secret"

    @Option(
        name: .customLong("redirect-uri"),
        help: ArgumentHelp(
            "A redirect URI registered with the app (repeatable); GET /oauth/ then refuses any other. Without it, any absolute http or https URL is accepted.",
            valueName: "uri"))
    var redirectURIs: [String] = []

    @Option(help: ArgumentHelp("Sandbox seconds a new ad stays review_status PENDING before it is approved; 0 approves at once.", valueName: "s"))
    var adReviewSeconds: Int = 0

    @Flag(help: "Keep new ads PENDING until POST /_sandbox/ads/review decides (overrides --ad-review-seconds).")
    var manualAdReview = false

    @Option(help: ArgumentHelp("Least severe log level on stderr: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel: String = "info"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535, got \(port)") }
        guard adAccounts >= 0, adAccounts <= 10_000 else { throw ValidationError("--ad-accounts must be 0...10000") }
        guard (0...1).contains(matchRate) else { throw ValidationError("--match-rate must be between 0 and 1") }
        guard rps >= 1 else { throw ValidationError("--rps must be at least 1") }
        guard adReviewSeconds >= 0 else { throw ValidationError("--ad-review-seconds must be 0 or more") }
        for entry in categoryLimits {
            let parts = entry.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty, let limit = Int(parts[1]), limit >= 0 else {
                throw ValidationError("--category-limit takes CATEGORY=N with N >= 0, got \(entry)")
            }
        }
        guard Logger.Level(rawValue: logLevel.lowercased()) != nil else {
            throw ValidationError("--log-level must be trace, debug, info, notice, warning, error or critical")
        }
    }

    func run() async throws {
        // Undo a blocked SIGTERM inherited from the parent (swift-corelibs-foundation #4772).
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGTERM)
        sigaddset(&unblock, SIGINT)
        sigprocmask(SIG_UNBLOCK, &unblock, nil)

        let level = Logger.Level(rawValue: logLevel.lowercased()) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "pinads-sandbox")

        var configuration = SandboxConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.matchRate = matchRate
        configuration.requestsPerSecondPerToken = rps
        configuration.recordPath = record
        configuration.appID = appID
        configuration.appSecret = appSecret
        configuration.adReviewSeconds = manualAdReview ? nil : adReviewSeconds
        if !redirectURIs.isEmpty { configuration.registeredRedirectURIs = Set(redirectURIs) }
        for entry in categoryLimits {
            let parts = entry.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let limit = Int(parts[1]) else { continue }
            configuration.categoryLimitsPerMinute[String(parts[0])] = limit > 0 ? limit : nil
        }

        let stop = SignalWaiter(signals: [SIGTERM, SIGINT])
        let sandbox = try await PinterestSandbox.start(configuration, logger: logger)
        emit("pinads-sandbox listening on \(sandbox.baseURL)")
        if seedToken {
            let token = sandbox.seedToken(adAccounts: adAccounts)
            emit(
                "access_token=\(token.accessToken) refresh_token=\(token.refreshToken) ad_account_ids=\(token.adAccountIDs.joined(separator: ","))"
            )
            emit("app_id=\(configuration.appID) app_secret=\(configuration.appSecret)")
        }

        let signal = await stop.wait()
        logger.info("stopping", metadata: ["signal": "\(signal)"])
        try await sandbox.shutdown()
    }
}

/// Writes one line to stdout with a single unbuffered `write(2)`, so a parent process reading
/// the pipe sees it at once.
func emit(_ line: String) {
    var bytes = Array((line + "\n").utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
        if written < 0 {
            if errno == EINTR { continue }
            return
        }
        bytes = bytes.dropFirst(written)
    }
}

/// Turns SIGTERM/SIGINT into an awaitable event (the default actions are disabled first).
final class SignalWaiter {
    private let stream: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    init(signals: [Int32]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        self.stream = stream
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    func wait() async -> Int32 {
        for await number in stream { return number }
        return 0
    }
}

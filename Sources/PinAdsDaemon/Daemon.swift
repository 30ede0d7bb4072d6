#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import PinAdsStore
import PinterestAPI
import ServiceLifecycle

/// Everything `pinadsd` can be told.
public struct DaemonConfiguration: Sendable {
    public var socketPath: String
    public var stateDirectory: String
    public var maximumFrameLength: Int = ControlServer.defaultMaximumFrameLength
    public var maximumRequestsPerConnection: Int = 128
    /// What all clients together may make the daemon hold: frames not yet answered and answers
    /// not yet written. Past it, the connections holding the most are not read from.
    public var maximumBufferedBytes: Int = 256 * 1024 * 1024
    /// How long one frame may take to arrive, from its header to its last byte.
    public var frameTimeout: Duration = .seconds(30)
    public var jobConcurrency: Int = 4
    /// How long a graceful shutdown may take before in-flight work is cut off.
    public var shutdownTimeout: Duration = .seconds(10)
    /// How long one Pinterest request may take in all before it is given up (and retried as a
    /// transient failure).
    public var pinterestTimeout: Duration = .seconds(60)
    /// Where Pinterest calls go; a sandbox's URL in tests and demos.
    public var pinterestAPIBaseURL = "https://api.pinterest.com/v5"
    /// Where a person approves the app (`connections.authorize_url`); nil: Pinterest's page for
    /// Pinterest's API, else the API base's origin + `/oauth/` (a sandbox).
    public var oauthAuthorizeURL: String?
    /// The app's credentials, for refreshing connections that did not bring their own.
    public var appCredentials: AppCredentials?
    /// Per (app, Pinterest user): 100 requests/s and the per-minute category limits.
    public var rateLimits: RateLimitState.Limits = .pinterestStandard
    /// Task name → schedule spec (or `off`), over the defaults: token_check daily 05:00,
    /// audience_sync daily 06:00, campaign_metrics every 6 h.
    public var scheduleOverrides: [String: String] = [:]
    /// Records per customer-list request, real-time delay, minimum members.
    public var audienceSync = AudienceSyncer.Configuration()
    /// Conversion batching: size, linger, batches in flight.
    public var conversions = ConversionDispatcher.Configuration()
    /// Days of campaign metrics each pull fetches, ending today (at most 90).
    public var metricsDays = 7
    /// A connection made (or updated, for the same Pinterest user) before the socket serves, so
    /// every method works at once: `pinadsd --sandbox` connects its sandbox's user this way.
    /// Start-up fails when Pinterest refuses it.
    public var connectAtStart: ConnectionGrant?
    /// Who besides the daemon's own user may connect (`--allow-uid`, `--allow-group`), and
    /// with what role.
    public var access = AccessPolicy()

    public init(socketPath: String, stateDirectory: String) {
        self.socketPath = socketPath
        self.stateDirectory = stateDirectory
    }

    public var databasePath: String { stateDirectory + "/pinads.db" }
}

/// Builds the daemon's parts, runs them in one ServiceGroup until SIGTERM/SIGINT, and drains.
public enum Daemon {
    public static func run(
        configuration: DaemonConfiguration, environment: [String: String], logger: Logger,
        clock: any WallClock = SystemWallClock()
    ) async throws {
        let inherited = try prepareProcess(environment: environment, logger: logger)
        // The folder and every file in it: ours, no symlink, closed to others (see StateDirectory).
        let stateDirectory = try StateDirectory.prepare(configuration.stateDirectory, logger: logger)
        let lock = try InstanceGuard.lockStateDirectory(stateDirectory, logger: logger)
        defer { close(lock) }
        let target = try listenTarget(configuration, inherited: inherited, environment: environment)

        let (store, requeueInterrupted) = try await openStore(configuration, clock: clock, logger: logger)

        let vault = try TokenVault.open(stateDirectory: configuration.stateDirectory, environment: environment)
        if !vault.hasKey {
            logger.warning(
                "the state directory is full: the secrets key is made when a secret is first sealed",
                metadata: ["path": "\(stateDirectory.path(of: .key))"])
        }
        let limiter = RateLimiter(limits: configuration.rateLimits, clock: clock, logger: logger)
        let pinterest = pinterestClient(configuration, gate: limiter, logger: logger)
        let tokens = TokenManager(
            store: store, vault: vault, client: pinterest, clock: clock, logger: logger, defaultApp: configuration.appCredentials,
            limiter: limiter, authorizeBase: configuration.oauthAuthorizeURL)

        if let request = configuration.connectAtStart {
            _ = try await tokens.connect(request)  // logs "connected to Pinterest"
        }

        let services = ServiceStates()
        services.set("control_server", state: .starting)
        services.set("job_workers", state: .starting)
        let syncer = AudienceSyncer(store: store, tokens: tokens, clock: clock, logger: logger, configuration: configuration.audienceSync)
        let conversions = ConversionDispatcher(
            store: store, tokens: tokens, clock: clock, logger: logger, configuration: configuration.conversions)
        let builder = CampaignBuilder(store: store, tokens: tokens, clock: clock, logger: logger)
        let metrics = MetricsPuller(store: store, tokens: tokens, clock: clock, logger: logger, days: configuration.metricsDays)
        let queue = JobQueue(
            store: store, clock: clock,
            registry: JobRegistry(
                [SelfTestJob(), TokenCheckJob(tokens: tokens), PullMetricsJob(puller: metrics)] + syncer.jobHandlers + builder.jobHandlers),
            logger: logger)
        await syncer.attach(queue: queue)
        await tokens.attach(connectionUsable: { await queue.wake() })
        await builder.attach(queue: queue)
        do {
            try await builder.resumeQueuedUpdates()
        } catch {
            logger.warning("queued campaign updates could not be requeued yet; the next update of each campaign takes them", metadata: ["error": "\(error)"])
        }
        let scheduler = try Scheduler(
            store: store, queue: queue, clock: clock, logger: logger,
            tasks: try ScheduledTask.applying(configuration.scheduleOverrides, to: Scheduler.defaultTasks()), services: services)
        let workers = JobWorkerPool(
            queue: queue, concurrency: configuration.jobConcurrency, logger: logger, services: services,
            beforeFirstClaim: requeueInterrupted)
        let connections = ClientConnections(budget: BufferBudget(capacity: configuration.maximumBufferedBytes))
        let health = HealthMonitor(store: store, tokens: tokens, conversions: conversions, clock: clock, storeTrouble: StoreTroubleLog())
        let healthStatus = HealthStatusNotifier(
            clock: clock, logger: logger, report: { await health.report() },
            send: { Systemd.notify($0, environment: environment) })
        let server = ControlServer.assemble(
            ControlServer.Parts(
                store: store, clock: clock, queue: queue, scheduler: scheduler, tokens: tokens, syncer: syncer, conversions: conversions,
                builder: builder, metrics: metrics, connections: connections, services: services, health: health),
            configuration: configuration, target: target, startedAt: clock.now(), logger: logger,
            onListening: {
                Systemd.notify("READY=1", environment: environment)
                logger.notice("pinadsd ready", metadata: ["version": "\(ControlServer.version)", "pid": "\(getpid())"])
                // STATUS= follows health from here on.
                healthStatus.serving()
            })
        let shutdownNotice = ShutdownNotice(environment: environment, logger: logger)

        try await runServices(
            [workers, scheduler, conversions, healthStatus, ConnectionReview(tokens: tokens), server, shutdownNotice],
            configuration: configuration, logger: logger)
        logger.notice("pinadsd stopped")
    }

    /// Where to listen: the socket systemd passed, else a new one at `--socket`.
    private static func listenTarget(
        _ configuration: DaemonConfiguration, inherited: PassedSocket?, environment: [String: String]
    ) throws -> ListenTarget {
        if let inherited {
            // Reported as the path it is really bound to, whatever --socket said.
            return .inherited(fd: inherited.fd, path: inherited.path.isEmpty ? configuration.socketPath : inherited.path)
        }
        try InstanceGuard.prepareSocketPath(
            configuration.socketPath,
            ownsDirectory: ControlServer.isDefaultSocketDirectory(
                (configuration.socketPath as NSString).deletingLastPathComponent, environment: environment),
            group: configuration.access.socketGroup)
        return .path(configuration.socketPath)
    }

    /// Opens the store and requeues the jobs the last stop interrupted. On a full state
    /// directory the daemon starts all the same (reads and health work, writes answer
    /// UNAVAILABLE): the requeue is returned, to run before any job is claimed.
    private static func openStore(
        _ configuration: DaemonConfiguration, clock: any WallClock, logger: Logger
    ) async throws -> (Store, requeueLater: (@Sendable () async throws -> Void)?) {
        let store = try Store(path: configuration.databasePath)
        let requeueInterrupted: @Sendable () async throws -> Void = {
            let recovered = try await store.recoverInterruptedJobs(now: clock.now())
            if recovered > 0 {
                logger.notice("requeued jobs interrupted by the last stop", metadata: ["count": "\(recovered)"])
            }
        }
        do {
            try await requeueInterrupted()
            return (store, nil)
        } catch let error where store.unavailability(error)?.problem == .full {
            logger.warning(
                "the state directory is full: the jobs interrupted by the last stop are requeued once there is room, before any job runs",
                metadata: ["path": "\(configuration.stateDirectory)", "error": "\(error)"])
            return (store, requeueInterrupted)
        }
    }

    /// The one Pinterest client, over libcurl, every call through the rate limiter.
    private static func pinterestClient(_ configuration: DaemonConfiguration, gate: RateLimiter, logger: Logger) -> PinterestClient {
        var transportConfiguration = CurlTransport.Configuration()
        transportConfiguration.requestTimeout = configuration.pinterestTimeout
        return PinterestClient(
            baseURL: configuration.pinterestAPIBaseURL, transport: CurlTransport(configuration: transportConfiguration), gate: gate,
            logger: logger)
    }

    /// Runs the services until SIGTERM/SIGINT. Listed in dependency order; shut down in reverse:
    /// first the server stops taking work and answers what it has, then the workers put
    /// unfinished jobs back on the queue.
    private static func runServices(_ services: [any Service], configuration: DaemonConfiguration, logger: Logger) async throws {
        var groupConfiguration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            cancellationSignals: [],
            logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = configuration.shutdownTimeout
        // Past the graceful bound, work is cancelled; whatever ignores that too is left behind
        // (jobs still `running` are requeued at the next start).
        groupConfiguration.maximumCancellationDuration = .seconds(5)
        try await ServiceGroup(configuration: groupConfiguration).run()
    }

    /// What the process sets up before touching any file: its umask, its allocator, its
    /// signals; and the socket systemd may have passed.
    private static func prepareProcess(environment: [String: String], logger: Logger) throws -> PassedSocket? {
        // Files and the socket we create are ours alone.
        umask(0o077)
        // Large frames and answers get pages of their own, given back when freed.
        MemoryReleaser.configureAllocator()
        // A parent may have blocked these (Foundation.Process does); we handle them ourselves.
        unblockTerminationSignals()
        let inherited = try Systemd.takeListeningSocket(environment: environment)
        if let inherited, inherited.extraDescriptorsClosed > 0 {
            logger.warning(
                "systemd passed more than one socket; serving the first and closing the rest",
                metadata: ["socket": "\(inherited.path)", "closed": "\(inherited.extraDescriptorsClosed)"])
        }
        return inherited
    }

    private static func unblockTerminationSignals() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}

/// Tells systemd and the log that a shutdown began, as soon as it begins. Its description is
/// its name alone: ServiceLifecycle logs services at debug level, and the environment holds
/// secrets (PINADS_CLIENT_SECRET).
private struct ShutdownNotice: Service, CustomStringConvertible {
    var description: String { "ShutdownNotice" }

    let environment: [String: String]
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        Systemd.notify("STOPPING=1", environment: environment)
        logger.notice("shutting down: finishing in-flight requests")
    }
}

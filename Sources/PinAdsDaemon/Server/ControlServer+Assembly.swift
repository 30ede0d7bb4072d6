#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import PinAdsProtocol
import PinAdsStore

// The daemon's edge, assembled: the methods over the actors, and the server that answers them.
// The only place the daemon's start-up meets the wire's vocabulary.

extension ControlServer {
    /// The longest frame taken unless `--max-frame-bytes` says otherwise.
    public static let defaultMaximumFrameLength = Frame.defaultMaximumLength
    /// This build's version, as `system.health` reports it.
    public static let version = PinAdsVersion.current

    /// Whether `directory` is the socket's default directory (`$XDG_RUNTIME_DIR/pinads`), which
    /// the daemon creates and owns.
    public static func isDefaultSocketDirectory(_ directory: String, environment: [String: String]) -> Bool {
        directory == DefaultPaths.runtimeDirectory(environment: environment)
    }

    /// The actors and shared parts the methods work with.
    struct Parts {
        var store: Store
        var clock: any WallClock
        var queue: JobQueue
        var scheduler: Scheduler
        var tokens: TokenManager
        var syncer: AudienceSyncer
        var conversions: ConversionDispatcher
        var builder: CampaignBuilder
        var metrics: MetricsPuller
        var connections: ClientConnections
        var services: ServiceStates
        var health: HealthMonitor
    }

    static func assemble(
        _ parts: Parts, configuration: DaemonConfiguration, target: ListenTarget, startedAt: Date, logger: Logger,
        onListening: @escaping @Sendable () -> Void
    ) -> ControlServer {
        let info = DaemonInfo(
            version: version, pid: getpid(), startedAt: startedAt, started: .now,
            socketPath: target.path, stateDirectory: configuration.stateDirectory,
            pinterestAPIBaseURL: configuration.pinterestAPIBaseURL)
        let conversions = parts.conversions
        let dispatcher = MethodDispatcher(
            system: SystemMethods(
                info: info, store: parts.store, queue: parts.queue, connections: parts.connections, services: parts.services,
                tokens: parts.tokens, monitor: parts.health),
            jobs: JobMethods(store: parts.store, queue: parts.queue),
            connections: ConnectionMethods(tokens: parts.tokens) { await conversions.connectionRestored(adAccountIDs: $0.adAccountIDs) },
            scheduler: parts.scheduler,
            audiences: AudienceMethods(store: parts.store, clock: parts.clock, syncer: parts.syncer),
            campaigns: CampaignMethods(builder: parts.builder, metrics: parts.metrics),
            conversions: ConversionMethods(dispatcher: parts.conversions),
            logger: logger)
        return ControlServer(
            target: target,
            limits: .init(
                maximumFrameLength: configuration.maximumFrameLength,
                maximumRequestsPerConnection: configuration.maximumRequestsPerConnection,
                frameTimeout: configuration.frameTimeout),
            dispatcher: dispatcher, connections: parts.connections, services: parts.services, queue: parts.queue, logger: logger,
            access: configuration.access, onListening: onListening)
    }
}

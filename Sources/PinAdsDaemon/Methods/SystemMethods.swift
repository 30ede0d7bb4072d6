import Foundation
import PinAdsProtocol
import PinAdsStore

/// Facts about this daemon process, fixed at start.
struct DaemonInfo: Sendable {
    var version: String
    var pid: Int32
    var startedAt: Date
    var started: ContinuousClock.Instant
    var socketPath: String
    var stateDirectory: String
    var pinterestAPIBaseURL: String

    var uptime: Double {
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

/// `system.*` methods.
struct SystemMethods: Sendable {
    let info: DaemonInfo
    let store: Store
    let queue: JobQueue
    let connections: ClientConnections
    let services: ServiceStates
    let tokens: TokenManager
    let monitor: HealthMonitor

    func health() async -> HealthResult {
        let store = await store.health()
        let report = await monitor.report(storeHealth: store)
        return HealthResult(
            status: report.status.rawValue,
            version: info.version,
            protocolVersion: ProtocolVersion.current,
            uptimeS: (info.uptime * 1000).rounded() / 1000,
            store: StoreHealth(
                status: store.status, path: store.path, schemaVersion: store.schemaVersion, sizeBytes: store.sizeBytes, error: store.error),
            problems: report.problems.map {
                HealthProblemInfo(
                    code: $0.code.rawValue, object: HealthObject(kind: $0.subject.kind.rawValue, id: $0.subject.id), message: $0.message, fix: $0.fix)
            }
        )
    }

    /// A request met a store that cannot write: health reports it for a while (a full or
    /// read-only directory is also seen directly).
    func storeFailed(_ trouble: StoreUnavailable) {
        monitor.storeTrouble.record(trouble, at: monitor.clock.now())
    }

    func status() async throws -> StatusResult {
        let counts = try await store.jobCounts()
        return StatusResult(
            version: info.version,
            pid: info.pid,
            startedAt: info.startedAt,
            uptimeS: (info.uptime * 1000).rounded() / 1000,
            socketPath: info.socketPath,
            stateDir: info.stateDirectory,
            pinterestAPIBaseURL: info.pinterestAPIBaseURL,
            jobs: Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }),
            connections: connections.summary(),
            pinterestConnections: try await tokens.list().map {
                PinterestConnectionStatus(
                    id: $0.record.id, name: $0.record.name, status: $0.record.state.rawValue, statusReason: $0.record.stateReason,
                    needsReconnect: $0.record.state == .unauthorized)
            },
            services: services.snapshot().map { ServiceStatus(name: $0.name, state: $0.state.rawValue, detail: $0.detail) }
        )
    }

    func methods() -> ListMethodsResult {
        ListMethodsResult(
            protocolVersion: ProtocolVersion.current,
            methods: MethodRegistry.all.map { MethodInfo(name: $0.method, streaming: MethodRegistry.isStreaming($0), role: $0.role) }
        )
    }

    func selfTest(_ request: SelfTestRequest) async throws -> JobResult {
        let steps = try Validate.range(request.steps ?? 5, 1...1000, field: "steps")
        let stepMs = try Validate.range(request.stepMs ?? 200, 0...60_000, field: "step_ms")
        let failAttempts = try Validate.range(request.failAttempts ?? 0, 0...10, field: "fail_attempts")
        let job = try await queue.enqueue(SelfTestJob.self, SelfTestJob.Payload(steps: steps, stepMs: stepMs, failAttempts: failAttempts))
        return JobResult(job: Job(job))
    }
}

/// Checks of request fields that the type system cannot express.
enum Validate {
    static func range<T: Comparable>(_ value: T, _ range: ClosedRange<T>, field: String) throws(ResponseError) -> T {
        guard range.contains(value) else {
            throw .invalidArgument(field: field, reason: "must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
        return value
    }
}

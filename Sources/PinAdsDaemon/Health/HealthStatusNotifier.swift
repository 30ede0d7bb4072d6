import Foundation
import Logging
import ServiceLifecycle

/// Keeps systemd's STATUS= in step with health: once when the daemon is ready, then every
/// `interval`, it works out the health and sends `STATUS=ok` or `STATUS=degraded: <first
/// problem>…` when the line changed. Changes of status are logged too.
public actor HealthStatusNotifier: Service {
    private let report: @Sendable () async -> HealthReport
    private let send: @Sendable (String) -> Void
    private let clock: any WallClock
    private let interval: TimeInterval
    private let logger: Logger
    private let signals: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private var lastLine: String?
    private var lastStatus: HealthStatus?
    private var timer: Task<Void, Never>?

    /// - Parameters:
    ///   - report: works out the health now.
    ///   - send: sends one notify line (`STATUS=…`) to systemd.
    public init(
        interval: TimeInterval = 20, clock: any WallClock, logger: Logger, report: @escaping @Sendable () async -> HealthReport,
        send: @escaping @Sendable (String) -> Void
    ) {
        self.interval = interval
        self.clock = clock
        self.logger = logger
        self.report = report
        self.send = send
        (signals, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// The daemon serves: the first status goes now.
    public nonisolated func serving() {
        wake.yield()
    }

    public func run() async throws {
        let signals = self.signals
        let wake = self.wake
        await withGracefulShutdownHandler {
            for await _ in signals { await self.pass() }
        } onGracefulShutdown: {
            wake.finish()
        }
        timer?.cancel()
        timer = nil
    }

    private func pass() async {
        let health = await report()
        let line = health.statusLine
        if line != lastLine {
            send("STATUS=\(line)")
            lastLine = line
        }
        if health.status != lastStatus {
            if health.status == .ok {
                if lastStatus != nil { logger.notice("health is ok again") }
            } else {
                logger.warning(
                    "health is \(health.status.rawValue)",
                    metadata: ["problems": "\(health.problems.count)", "first": "\(health.problems.first.map { "\($0.code.rawValue): \($0.message)" } ?? "")"])
            }
            lastStatus = health.status
        }
        arm()
    }

    private func arm() {
        timer?.cancel()
        let clock = self.clock
        let wake = self.wake
        let deadline = clock.now().addingTimeInterval(interval)
        timer = Task {
            do {
                try await clock.sleep(until: deadline)
                wake.yield()
            } catch {}
        }
    }
}

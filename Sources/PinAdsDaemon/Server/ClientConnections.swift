import NIOConcurrencyHelpers
import NIOCore
import PinAdsProtocol

/// One client connection's bookkeeping: requests in flight and whether the daemon is draining it.
final class ClientConnection: Sendable {
    enum Admission { case admitted, tooMany, draining }

    let channel: any Channel
    private let state = NIOLockedValueBox((inFlight: 0, draining: false))

    init(channel: any Channel) { self.channel = channel }

    /// Counts a new request in, unless the connection is at its limit or draining.
    func admit(limit: Int) -> Admission {
        state.withLockedValue { state in
            if state.draining { return .draining }
            if state.inFlight >= limit { return .tooMany }
            state.inFlight += 1
            return .admitted
        }
    }

    /// A request was answered. When draining and it was the last, stop reading: the read loop
    /// ends and the connection closes.
    func finishRequest() {
        let closeNow = state.withLockedValue { state in
            state.inFlight -= 1
            return state.draining && state.inFlight == 0
        }
        if closeNow { channel.close(mode: .input, promise: nil) }
    }

    /// Lets in-flight requests finish, answers new ones with UNAVAILABLE, then closes.
    func drain() {
        let closeNow = state.withLockedValue { state in
            state.draining = true
            return state.inFlight == 0
        }
        if closeNow { channel.close(mode: .input, promise: nil) }
    }

    var isDraining: Bool { state.withLockedValue { $0.draining } }
    var inFlight: Int { state.withLockedValue { $0.inFlight } }
}

/// Every open client connection, and totals for `system.status`.
final class ClientConnections: Sendable {
    private struct Registry {
        var open: [ObjectIdentifier: ClientConnection] = [:]
        var acceptedTotal = 0
        var refusedTotal = 0
        var draining = false
    }

    private let registry = NIOLockedValueBox(Registry())

    /// Adds an accepted connection; one accepted while the server drains is drained at once.
    func add(_ connection: ClientConnection) {
        let draining = registry.withLockedValue { registry in
            registry.acceptedTotal += 1
            registry.open[ObjectIdentifier(connection)] = connection
            return registry.draining
        }
        if draining { connection.drain() }
    }

    func remove(_ connection: ClientConnection) {
        _ = registry.withLockedValue { $0.open.removeValue(forKey: ObjectIdentifier(connection)) }
    }

    func countRefused() {
        registry.withLockedValue { $0.refusedTotal += 1 }
    }

    func drainAll() {
        let connections = registry.withLockedValue { registry in
            registry.draining = true
            return Array(registry.open.values)
        }
        for connection in connections { connection.drain() }
    }

    func summary() -> ConnectionsSummary {
        registry.withLockedValue { registry in
            ConnectionsSummary(
                open: registry.open.count,
                requestsInFlight: registry.open.values.reduce(0) { $0 + $1.inFlight },
                acceptedTotal: registry.acceptedTotal,
                refusedTotal: registry.refusedTotal
            )
        }
    }
}

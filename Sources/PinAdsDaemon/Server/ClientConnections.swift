#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers
import NIOCore
import PinAdsProtocol

/// One client connection's bookkeeping: requests in flight and whether the daemon is draining it.
final class ClientConnection: Sendable {
    enum Admission { case admitted, tooMany, draining }

    let channel: any Channel
    /// Who is at the other end, and what it may call.
    let peer: Peer
    private let state = NIOLockedValueBox((inFlight: 0, draining: false))

    init(channel: any Channel, peer: Peer = .owner) {
        self.channel = channel
        self.peer = peer
    }

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
/// A connection's peer as the daemon takes it: its uid and primary gid (SO_PEERCRED) and the
/// role its access grants.
struct Peer: Sendable, Equatable {
    var uid: UInt32
    var gid: UInt32
    var grant: AccessPolicy.Grant

    /// The daemon's own user (tests and in-process callers).
    static var owner: Peer { Peer(uid: getuid(), gid: getgid(), grant: .init(role: .owner, grantedBy: "owner")) }
}

final class ClientConnections: Sendable {
    private struct Registry {
        var open: [ObjectIdentifier: ClientConnection] = [:]
        var acceptedTotal = 0
        var refusedTotal = 0
        var deniedTotal = 0
        var draining = false
    }

    private let registry = NIOLockedValueBox(Registry())
    /// What all of them together may make the daemon hold.
    let budget: BufferBudget

    init(budget: BufferBudget) { self.budget = budget }

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

    /// A request refused for the peer's role.
    func countDenied() {
        registry.withLockedValue { $0.deniedTotal += 1 }
    }

    func drainAll() {
        let connections = registry.withLockedValue { registry in
            registry.draining = true
            return Array(registry.open.values)
        }
        for connection in connections { connection.drain() }
    }

    func summary() -> ConnectionsSummary {
        let held = budget.held
        return registry.withLockedValue { registry in
            ConnectionsSummary(
                open: registry.open.count,
                requestsInFlight: registry.open.values.reduce(0) { $0 + $1.inFlight },
                acceptedTotal: registry.acceptedTotal,
                refusedTotal: registry.refusedTotal,
                bufferedBytes: held.now,
                bufferedBytesPeak: held.peak,
                bufferedBytesLimit: budget.policy.capacity,
                deniedTotal: registry.deniedTotal
            )
        }
    }
}

/// A request read from a connection: its frame's size stays charged to the connection's
/// budget until it is answered.
struct AdmittedRequest: Sendable {
    var request: DecodedRequest
    var lane: RequestLane
    var frameBytes: Int
    var peer: Peer = .owner
}

/// The requests admitted on one connection, waiting for one of its workers. A connection runs
/// its requests on a few long-lived worker tasks, started as concurrency needs them (never
/// more than the requests it may have in flight) and reused, instead of one task per request:
/// what a connection holds depends on how many requests it has in flight, not on how many it
/// has carried.
final class RequestQueue: Sendable {
    private struct State {
        var pending: [AdmittedRequest] = []
        var head = 0
        var waiting: [CheckedContinuation<AdmittedRequest?, Never>] = []
        var finished = false
        var workers = 0
        var idle = 0
    }

    private let state = NIOLockedValueBox(State())

    /// Queues a request; true when no worker is free to take it and one more should start.
    func push(_ request: AdmittedRequest, maximumWorkers: Int) -> Bool {
        let (waiter, startWorker) = state.withLockedValue { state -> (CheckedContinuation<AdmittedRequest?, Never>?, Bool) in
            if !state.waiting.isEmpty {
                state.idle -= 1
                return (state.waiting.removeFirst(), false)
            }
            state.pending.append(request)
            let start = state.idle == 0 && state.workers < maximumWorkers
            if start { state.workers += 1 }
            return (nil, start)
        }
        waiter?.resume(returning: request)
        return startWorker
    }

    /// The next request for a worker; nil once the queue is finished and empty.
    func next() async -> AdmittedRequest? {
        await withCheckedContinuation { continuation in
            let ready: AdmittedRequest?? = state.withLockedValue { state in
                if state.head < state.pending.count {
                    let request = state.pending[state.head]
                    state.head += 1
                    if state.head == state.pending.count {
                        state.pending.removeAll(keepingCapacity: true)
                        state.head = 0
                    }
                    return .some(request)
                }
                if state.finished { return .some(nil) }
                state.waiting.append(continuation)
                state.idle += 1
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// No more requests come: workers finish what is queued, then stop.
    func finish() {
        let waiters = state.withLockedValue { state in
            state.finished = true
            state.idle = 0
            defer { state.waiting.removeAll() }
            return state.waiting
        }
        for waiter in waiters { waiter.resume(returning: nil) }
    }

    /// Drops what no worker has started (the client went away), and finishes.
    func discardPending() {
        state.withLockedValue { state in
            state.pending.removeAll()
            state.head = 0
        }
        finish()
    }
}

import NIOConcurrencyHelpers
import NIOCore
import PinAdsProtocol

/// Which lane a request runs in.
/// - `control`: `system.health`, `system.status`, `system.methods`: small answers that
///   monitoring waits on. They never wait for a connection's unsent answers or for a heavy
///   read's turn.
/// - `heavy`: reads whose answer grows with the data (`jobs.list` of more than 100,
///   `campaigns.metrics`, the unbounded lists): at most ``MethodDispatcher/heavyReadConcurrency``
///   run at once, daemon-wide, so the store's readers and the CPU stay free for the rest.
/// - `normal`: everything else.
enum RequestLane: Sendable, Equatable {
    case control, heavy, normal

    static let largeJobListing = 100

    static func of(_ request: DecodedRequest) -> RequestLane {
        switch request.header.method {
        case HealthRequest.method, StatusRequest.method, ListMethodsRequest.method:
            return .control
        case ListJobsRequest.method:
            if case .success(let list as ListJobsRequest)? = request.params, (list.limit ?? 50) <= largeJobListing {
                return .normal
            }
            return .heavy
        case CampaignMetricsRequest.method, ListCampaignsRequest.method, ListAdGroupsRequest.method, ListAdsRequest.method,
            ListAudiencesRequest.method, ListActivationsRequest.method:
            return .heavy
        default:
            return .normal
        }
    }
}

/// Whether a connection has room for more answers (its ``BudgetAccount``): a connection whose
/// answers pile up unread gets no new work done until it reads.
protocol AnswerRoom: Sendable {
    /// Returns once there is room (at once when there is), or when the task is cancelled.
    func waitForRoom() async
    var hasRoom: Bool { get }
}

/// At most `limit` holders at once; the others wait in order. Waiting is cancellable (a
/// request's deadline, a client gone): a cancelled waiter leaves the line without a turn, in
/// constant time (thousands leave at once when pipelining clients go away).
final class ConcurrencyGate: Sendable {
    private struct State {
        var available: Int
        var nextTicket: UInt64 = 0
        /// Tickets in arrival order; a cancelled one stays here until it comes up, and is skipped.
        var line = CircularBuffer<UInt64>()
        var waiting: [UInt64: CheckedContinuation<Bool, Never>] = [:]
    }

    private let state: NIOLockedValueBox<State>
    let limit: Int

    init(limit: Int) {
        self.limit = limit
        state = NIOLockedValueBox(State(available: limit))
    }

    /// Runs `body` once a turn is free; throws `CancellationError` when cancelled while waiting.
    func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        guard await acquire() else { throw CancellationError() }
        defer { releaseTurn() }
        return try await body()
    }

    var waitingCount: Int { state.withLockedValue { $0.waiting.count } }

    private func acquire() async -> Bool {
        let ticket = state.withLockedValue { state -> UInt64 in
            state.nextTicket += 1
            return state.nextTicket
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let answer = state.withLockedValue { state -> Bool? in
                    if Task.isCancelled { return false }
                    if state.available > 0, state.waiting.isEmpty {
                        state.available -= 1
                        return true
                    }
                    state.line.append(ticket)
                    state.waiting[ticket] = continuation
                    return nil
                }
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            state.withLockedValue { $0.waiting.removeValue(forKey: ticket) }?.resume(returning: false)
        }
    }

    private func releaseTurn() {
        let next = state.withLockedValue { state -> CheckedContinuation<Bool, Never>? in
            // The turn passes straight to the first in line still waiting.
            while let ticket = state.line.popFirst() {
                if let continuation = state.waiting.removeValue(forKey: ticket) { return continuation }
            }
            state.available += 1
            return nil
        }
        next?.resume(returning: true)
    }
}

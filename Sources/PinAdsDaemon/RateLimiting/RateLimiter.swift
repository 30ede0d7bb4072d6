import Foundation
import Logging
import PinterestAPI

/// How urgent a call is. Real-time work (conversions) goes before bulk work (audience uploads,
/// metrics) when both wait; bulk still gets one turn in `bulkShare` so it never starves.
public enum CallPriority: Int, Sendable, Comparable {
    case realtime = 0, bulk = 1

    public static func < (a: CallPriority, b: CallPriority) -> Bool { a.rawValue < b.rawValue }

    /// Conversions are real-time; everything else is bulk.
    public static func of(_ operation: PinterestOperation) -> CallPriority {
        operation.category == "ads_conversions" ? .realtime : .bulk
    }
}

/// The one gate every Pinterest call passes: one `RateLimitState` per (app, Pinterest user),
/// waiting callers served by priority, and pauses after a 429.
public actor RateLimiter: PinterestRequestGate {
    private struct Waiter {
        var id: UInt64
        var category: String
        var priority: CallPriority
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct Key {
        var state: RateLimitState
        var waiters: [Waiter] = []
        var realtimeStreak = 0
        var timer: Task<Void, Never>?
    }

    private let limits: RateLimitState.Limits
    private let clock: any WallClock
    private let logger: Logger
    /// Every `bulkShare`-th grant goes to bulk work when both kinds wait.
    private let bulkShare = 5
    private var keys: [String: Key] = [:]
    private var nextWaiterID: UInt64 = 0

    public init(limits: RateLimitState.Limits = .pinterestStandard, clock: any WallClock, logger: Logger) {
        self.limits = limits
        self.clock = clock
        self.logger = logger
    }

    /// The key of a token: its subject (the Pinterest user) when known, else the token itself
    /// through a fingerprint.
    static func key(for token: AccessToken?) -> String {
        guard let token else { return "app" }
        return token.subject ?? TokenVault.fingerprint(token.value)
    }

    public func admit(_ operation: PinterestOperation, token: AccessToken?) async throws {
        try await admit(category: operation.category, priority: .of(operation), key: Self.key(for: token))
    }

    public func observe(_ operation: PinterestOperation, token: AccessToken?, status: Int, headers: [String: String]) {
        let key = Self.key(for: token)
        var entry = keys[key] ?? Key(state: RateLimitState(limits: limits))
        entry.state.complete(category: operation.category, at: now())
        if status == 429 {
            let reset = headers["x-ratelimit-reset"].flatMap(Double.init)
            entry.state.rateLimited(at: now(), resetAfter: reset)
            logger.notice("Pinterest answered 429; pausing calls", metadata: ["operation": "\(operation.id)", "reset_s": "\(reset.map { "\($0)" } ?? "backoff")"])
        } else if status != 0 {
            entry.state.succeeded()
        }
        keys[key] = entry
        schedule(key)
    }

    func admit(category: String, priority: CallPriority, key: String) async throws {
        try Task.checkCancellation()
        var entry = keys[key] ?? Key(state: RateLimitState(limits: limits))
        if entry.waiters.isEmpty, entry.state.tryAdmit(category: category, at: now()) {
            keys[key] = entry
            return
        }
        nextWaiterID += 1
        let id = nextWaiterID
        keys[key] = entry
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                keys[key]?.waiters.append(Waiter(id: id, category: category, priority: priority, continuation: continuation))
                schedule(key)
            }
        } onCancel: {
            Task { await self.cancelWaiter(id, key: key) }
        }
    }

    /// The calls made under `from` (a token not yet tied to a user) count from now on for the
    /// user `into`: Pinterest counts per user, whatever token the user used.
    public func merge(key from: String, into: String) {
        guard from != into, let source = keys.removeValue(forKey: from) else { return }
        source.timer?.cancel()
        var target = keys[into] ?? Key(state: RateLimitState(limits: limits))
        target.state.absorb(source.state, at: now())
        target.waiters += source.waiters
        keys[into] = target
        schedule(into)
    }

    private func cancelWaiter(_ id: UInt64, key: String) {
        guard let index = keys[key]?.waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = keys[key]?.waiters.remove(at: index)
        waiter?.continuation.resume(throwing: CancellationError())
    }

    /// Grants what can go now, in priority order, and sets a timer for the rest.
    private func schedule(_ key: String) {
        guard var entry = keys[key] else { return }
        let now = now()
        while let index = nextWaiterIndex(entry), entry.state.tryAdmit(category: entry.waiters[index].category, at: now) {
            let waiter = entry.waiters.remove(at: index)
            entry.realtimeStreak = waiter.priority == .realtime ? entry.realtimeStreak + 1 : 0
            waiter.continuation.resume()
        }
        entry.timer?.cancel()
        entry.timer = nil
        // When a slot frees by time, a timer; when only an answer can free one, `observe` will.
        if let index = nextWaiterIndex(entry), let at = entry.state.nextAdmission(category: entry.waiters[index].category, at: now) {
            let clock = self.clock
            entry.timer = Task {
                try? await clock.sleep(until: Date(timeIntervalSince1970: at))
                if Task.isCancelled { return }
                self.schedule(key)
            }
        }
        keys[key] = entry
    }

    /// The waiter to serve next: the oldest real-time one, except that bulk gets a turn after
    /// `bulkShare - 1` real-time grants in a row.
    private func nextWaiterIndex(_ entry: Key) -> Int? {
        guard !entry.waiters.isEmpty else { return nil }
        let realtime = entry.waiters.firstIndex { $0.priority == .realtime }
        let bulk = entry.waiters.firstIndex { $0.priority == .bulk }
        if let bulk, realtime == nil || entry.realtimeStreak >= bulkShare - 1 { return bulk }
        return realtime ?? bulk
    }

    private func now() -> TimeInterval { clock.now().timeIntervalSince1970 }

    /// For status and tests: calls waiting for `key`.
    public func waiting(key: String) -> Int { keys[key]?.waiters.count ?? 0 }

    /// For status and tests: calls that count in `key`'s current second (in flight included).
    public func requestsInLastSecond(key: String) -> Int {
        keys[key]?.state.requestsInLastSecond(at: now()) ?? 0
    }
}

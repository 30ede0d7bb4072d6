import NIOConcurrencyHelpers

/// When a connection may read more and start more work, given what every connection holds.
/// Pure: the numbers in, the decision out; ``BufferBudget`` keeps the numbers.
///
/// What a connection holds is the bytes it has sent that are not answered yet (a frame being
/// received, frames waiting for a worker or being worked on) plus its answers not yet written.
struct BufferBudgetPolicy: Sendable, Equatable {
    /// `--max-buffered-bytes`: all connections together.
    var capacity: Int
    /// A connection holding less than this may go on reading past the capacity, up to
    /// ``overdraft`` more: health probes and small requests get through while bulk senders wait.
    var smallHolding = 64 * 1024
    /// How far small holders may take the total past the capacity, before nobody reads.
    var overdraft: Int { max(capacity / 8, smallHolding) }

    /// The unsent answers one connection may hold before it is not read from, and its workers
    /// start nothing new: an equal part of half the capacity, never less than 256 KiB (one
    /// large answer's worth).
    func outputShare(connections: Int) -> Int {
        max(capacity / 2 / max(connections, 1), 256 * 1024)
    }

    /// Whether a connection that holds `input` + `output` may read more now.
    func mayRead(input: Int, output: Int, total: Int, connections: Int) -> Bool {
        if output > outputShare(connections: connections) { return false }
        if total < capacity { return true }
        return input + output < smallHolding && total < capacity + overdraft
    }

    /// Whether a worker of a connection holding `output` unsent bytes may start a request.
    func mayStart(output: Int, connections: Int) -> Bool {
        output < outputShare(connections: connections)
    }
}

/// The daemon-wide budget for buffered frames and unsent answers (`--max-buffered-bytes`):
/// when it is spent, the connections that hold the most are not read from (backpressure to
/// their senders) until others' answers free it. One lock: every change is a few additions.
final class BufferBudget: Sendable {
    let policy: BufferBudgetPolicy

    private struct Holding {
        var input = 0
        var output = 0
        /// Called (once) when a connection that was refused a read may read again.
        var resume: (@Sendable () -> Void)?
        var outputWaiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }

    private struct State {
        var holdings: [ObjectIdentifier: Holding] = [:]
        /// The connections with a `resume` waiting.
        var paused: Set<ObjectIdentifier> = []
        var total = 0
        var peak = 0
        var peakSinceTaken = 0
        var nextWaiter: UInt64 = 0
    }

    private let state = NIOLockedValueBox(State())

    init(capacity: Int) { policy = BufferBudgetPolicy(capacity: capacity) }
    init(policy: BufferBudgetPolicy) { self.policy = policy }

    /// Bytes held by all connections now, and the most held at once so far.
    var held: (now: Int, peak: Int) { state.withLockedValue { ($0.total, $0.peak) } }

    /// The most held at once since the last call (the counting starts again from now).
    func takePeak() -> Int {
        state.withLockedValue { state in
            defer { state.peakSinceTaken = state.total }
            return state.peakSinceTaken
        }
    }

    func open(_ account: BudgetAccount) {
        state.withLockedValue { $0.holdings[account.key] = Holding() }
    }

    /// Forgets a closed connection and gives back all it held; returns how much that was.
    @discardableResult
    func close(_ account: BudgetAccount) -> Int {
        let (released, waiters, resumes) = state.withLockedValue { state -> (Int, [CheckedContinuation<Void, Never>], [@Sendable () -> Void]) in
            guard let holding = state.holdings.removeValue(forKey: account.key) else { return (0, [], []) }
            state.paused.remove(account.key)
            let released = holding.input + holding.output
            state.total -= released
            return (released, Array(holding.outputWaiters.values), Self.takeResumable(&state, policy: policy))
        }
        for waiter in waiters { waiter.resume() }
        for resume in resumes { resume() }
        return released
    }

    /// Counts bytes in (read from the socket, or an answer about to be written).
    func charge(_ account: BudgetAccount, input: Int = 0, output: Int = 0) {
        state.withLockedValue { state in
            guard state.holdings[account.key] != nil else { return }
            state.holdings[account.key]?.input += input
            state.holdings[account.key]?.output += output
            state.total += input + output
            state.peak = max(state.peak, state.total)
            state.peakSinceTaken = max(state.peakSinceTaken, state.total)
        }
    }

    /// Gives bytes back (a request answered, an answer written); wakes whoever may go on now.
    func release(_ account: BudgetAccount, input: Int = 0, output: Int = 0) {
        let (waiters, resumes) = state.withLockedValue { state -> ([CheckedContinuation<Void, Never>], [@Sendable () -> Void]) in
            guard var holding = state.holdings[account.key] else { return ([], []) }
            holding.input -= input
            holding.output -= output
            state.total -= input + output
            var waiters: [CheckedContinuation<Void, Never>] = []
            if !holding.outputWaiters.isEmpty, policy.mayStart(output: holding.output, connections: state.holdings.count) {
                waiters = Array(holding.outputWaiters.values)
                holding.outputWaiters.removeAll()
            }
            state.holdings[account.key] = holding
            return (waiters, Self.takeResumable(&state, policy: policy))
        }
        for waiter in waiters { waiter.resume() }
        for resume in resumes { resume() }
    }

    /// Whether the connection may read now; when not, `resume` is called once it may.
    func mayRead(_ account: BudgetAccount, resume: @escaping @Sendable () -> Void) -> Bool {
        state.withLockedValue { state in
            guard let holding = state.holdings[account.key] else { return true }
            if policy.mayRead(input: holding.input, output: holding.output, total: state.total, connections: state.holdings.count) {
                return true
            }
            state.holdings[account.key]?.resume = resume
            state.paused.insert(account.key)
            return false
        }
    }

    /// Waits until the connection's unsent answers are within its share (at once when they
    /// are), until the connection closes, or until the task is cancelled.
    func waitForOutputRoom(_ account: BudgetAccount) async {
        let key = account.key
        let id = state.withLockedValue { state -> UInt64 in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLockedValue { state -> Bool in
                    guard let holding = state.holdings[key], !Task.isCancelled else { return true }
                    if policy.mayStart(output: holding.output, connections: state.holdings.count) { return true }
                    state.holdings[key]?.outputWaiters[id] = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            state.withLockedValue { $0.holdings[key]?.outputWaiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// The paused connections that may read again, their resume callbacks taken.
    private static func takeResumable(_ state: inout State, policy: BufferBudgetPolicy) -> [@Sendable () -> Void] {
        guard !state.paused.isEmpty else { return [] }
        var resumes: [@Sendable () -> Void] = []
        let connections = state.holdings.count
        for key in state.paused {
            guard let holding = state.holdings[key],
                policy.mayRead(input: holding.input, output: holding.output, total: state.total, connections: connections)
            else { continue }
            if let resume = holding.resume { resumes.append(resume) }
            state.holdings[key]?.resume = nil
            state.paused.remove(key)
        }
        return resumes
    }
}

/// One connection's part of the ``BufferBudget``.
final class BudgetAccount: Sendable {
    let budget: BufferBudget
    var key: ObjectIdentifier { ObjectIdentifier(self) }

    init(budget: BufferBudget) {
        self.budget = budget
        budget.open(self)
    }

    func chargeInput(_ bytes: Int) { budget.charge(self, input: bytes) }
    func releaseInput(_ bytes: Int) { budget.release(self, input: bytes) }
    func chargeOutput(_ bytes: Int) { budget.charge(self, output: bytes) }
    func releaseOutput(_ bytes: Int) { budget.release(self, output: bytes) }
    func waitForOutputRoom() async { await budget.waitForOutputRoom(self) }
    func mayRead(resume: @escaping @Sendable () -> Void) -> Bool { budget.mayRead(self, resume: resume) }
    @discardableResult func close() -> Int { budget.close(self) }
}

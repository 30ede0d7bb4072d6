import NIOConcurrencyHelpers

/// When a connection may read more and start more work, given what every connection holds.
/// Pure: the numbers in, the decision out; ``BufferBudget`` keeps the numbers.
///
/// What a connection holds is the frames it has sent that are not answered yet (each counted
/// whole from its header on: being received, waiting for a worker, being worked on) plus its
/// answers not yet written.
///
/// The total stays within the capacity plus, at the worst, one frame, and one small holding
/// and one answer per connection: a frame that keeps its connection under ``smallHolding`` is
/// always taken (a health probe gets through whatever bulk senders hold), and a connection with
/// no answer waiting may always start one (what it has been sent is answered in the end, so
/// nothing waits for ever).
struct BufferBudgetPolicy: Sendable, Equatable {
    /// `--max-buffered-bytes`: all connections together.
    var capacity: Int
    /// A connection holding less than this is read from whatever the others hold.
    var smallHolding = 64 * 1024

    /// The unsent answers one connection may hold before it is not read from, and its workers
    /// start nothing new: an equal part of half the capacity, never less than 256 KiB (one
    /// large answer's worth).
    func outputShare(connections: Int) -> Int {
        max(capacity / 2 / max(connections, 1), 256 * 1024)
    }

    /// What one connection's frames not yet answered may hold before its next frame waits, so
    /// that one client cannot take the whole budget: a quarter of it (the daemon refuses a
    /// `--max-buffered-bytes` below 4 × `--max-frame-bytes`: a connection holding nothing always
    /// fits its largest frame).
    var connectionInput: Int { capacity / 4 }

    /// Whether a connection holding `input` + `output` may take a frame of `bytes` now, when all
    /// hold `total`.
    func mayTake(_ bytes: Int, input: Int, output: Int, total: Int) -> Bool {
        if input + output + bytes <= smallHolding { return true }
        return total < capacity && input < connectionInput
    }

    /// Whether a connection with `output` unsent bytes is read from.
    func mayRead(output: Int, connections: Int) -> Bool {
        output <= outputShare(connections: connections)
    }

    /// Whether a worker of a connection holding `output` unsent bytes may start a request,
    /// when all hold `total`.
    func mayStart(output: Int, total: Int, connections: Int) -> Bool {
        if output == 0 { return true }
        return output < outputShare(connections: connections) && total < capacity
    }
}

/// The daemon-wide budget for buffered frames and unsent answers (`--max-buffered-bytes`):
/// when it is spent, the connections that hold the most are not read from (backpressure to
/// their senders), and work whose answers would add to it waits, until answers written and
/// requests answered free it. One lock: every change is a few additions.
final class BufferBudget: Sendable {
    let policy: BufferBudgetPolicy

    private struct Holding {
        var input = 0
        var output = 0
        /// Called (once) when a connection that was refused a read, or a frame, may try again.
        var resume: (@Sendable () -> Void)?
        /// The frame it waits to have taken (0: none).
        var waitingFrame = 0
        var roomWaiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }

    private struct State {
        var holdings: [ObjectIdentifier: Holding] = [:]
        /// The connections with a `resume` waiting, and those with workers waiting for room.
        var paused: Set<ObjectIdentifier> = []
        var waitingForRoom: Set<ObjectIdentifier> = []
        var total = 0
        var peak = 0
        var peakSinceTaken = 0
        var nextWaiter: UInt64 = 0
    }

    private typealias Wakeups = (resumes: [@Sendable () -> Void], waiters: [CheckedContinuation<Void, Never>])

    private let state = NIOLockedValueBox(State())

    init(capacity: Int) { policy = BufferBudgetPolicy(capacity: capacity) }
    init(policy: BufferBudgetPolicy) { self.policy = policy }

    /// Bytes held by all connections now, and the most held at once so far.
    var held: (now: Int, peak: Int) { state.withLockedValue { ($0.total, $0.peak) } }

    /// Workers waiting for room, over all connections.
    var waitingForRoomCount: Int { state.withLockedValue { $0.holdings.values.reduce(0) { $0 + $1.roomWaiters.count } } }

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
    /// Its workers waiting for room go on (and find their writes failing).
    @discardableResult
    func close(_ account: BudgetAccount) -> Int {
        let (released, own, wakeups) = state.withLockedValue { state -> (Int, [CheckedContinuation<Void, Never>], Wakeups) in
            guard let holding = state.holdings.removeValue(forKey: account.key) else { return (0, [], ([], [])) }
            state.paused.remove(account.key)
            state.waitingForRoom.remove(account.key)
            let released = holding.input + holding.output
            state.total -= released
            return (released, Array(holding.roomWaiters.values), Self.takeWakeups(&state, policy: policy))
        }
        for waiter in own + wakeups.waiters { waiter.resume() }
        for resume in wakeups.resumes { resume() }
        return released
    }

    /// Counts bytes in (read from the socket, or an answer about to be written).
    func charge(_ account: BudgetAccount, input: Int = 0, output: Int = 0) {
        state.withLockedValue { Self.add(&$0, account.key, input: input, output: output) }
    }

    /// Gives bytes back (a request answered, an answer written); wakes whoever may go on now.
    func release(_ account: BudgetAccount, input: Int = 0, output: Int = 0) {
        let wakeups = state.withLockedValue { state -> Wakeups in
            guard state.holdings[account.key] != nil else { return ([], []) }
            state.holdings[account.key]?.input -= input
            state.holdings[account.key]?.output -= output
            state.total -= input + output
            return Self.takeWakeups(&state, policy: policy)
        }
        for waiter in wakeups.waiters { waiter.resume() }
        for resume in wakeups.resumes { resume() }
    }

    /// Whether the connection may read now; when not, `resume` is called once it may.
    func mayRead(_ account: BudgetAccount, resume: @escaping @Sendable () -> Void) -> Bool {
        state.withLockedValue { state in
            guard let holding = state.holdings[account.key] else { return true }
            if policy.mayRead(output: holding.output, connections: state.holdings.count) { return true }
            state.holdings[account.key]?.resume = resume
            state.paused.insert(account.key)
            return false
        }
    }

    /// Charges a frame of `bytes` to the connection when the budget can take it; when not,
    /// `resume` is called once it may be tried again.
    func take(_ account: BudgetAccount, frame bytes: Int, resume: @escaping @Sendable () -> Void) -> Bool {
        state.withLockedValue { state in
            guard let holding = state.holdings[account.key] else { return true }
            if policy.mayTake(bytes, input: holding.input, output: holding.output, total: state.total) {
                state.holdings[account.key]?.waitingFrame = 0
                Self.add(&state, account.key, input: bytes, output: 0)
                return true
            }
            state.holdings[account.key]?.resume = resume
            state.holdings[account.key]?.waitingFrame = bytes
            state.paused.insert(account.key)
            return false
        }
    }

    /// Whether a worker of the connection may start a request now.
    func hasRoom(_ account: BudgetAccount) -> Bool {
        state.withLockedValue { state in
            guard let holding = state.holdings[account.key] else { return true }
            return policy.mayStart(output: holding.output, total: state.total, connections: state.holdings.count)
        }
    }

    /// Waits until a worker of the connection may start a request (at once when it may), the
    /// connection closes, or the task is cancelled.
    func waitForRoom(_ account: BudgetAccount) async {
        // The usual case, on every request: room at once, no continuation.
        if hasRoom(account) { return }
        let key = account.key
        let id = state.withLockedValue { state -> UInt64 in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLockedValue { state -> Bool in
                    guard let holding = state.holdings[key], !Task.isCancelled else { return true }
                    if policy.mayStart(output: holding.output, total: state.total, connections: state.holdings.count) { return true }
                    state.holdings[key]?.roomWaiters[id] = continuation
                    state.waitingForRoom.insert(key)
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            state.withLockedValue { $0.holdings[key]?.roomWaiters.removeValue(forKey: id) }?.resume()
        }
    }

    private static func add(_ state: inout State, _ key: ObjectIdentifier, input: Int, output: Int) {
        guard state.holdings[key] != nil else { return }
        state.holdings[key]?.input += input
        state.holdings[key]?.output += output
        state.total += input + output
        state.peak = max(state.peak, state.total)
        state.peakSinceTaken = max(state.peakSinceTaken, state.total)
    }

    /// The paused connections that may read again and the workers that may start, taken out
    /// of their waiting lists.
    private static func takeWakeups(_ state: inout State, policy: BufferBudgetPolicy) -> Wakeups {
        var wakeups: Wakeups = ([], [])
        let connections = state.holdings.count
        for key in state.paused {
            guard let holding = state.holdings[key] else { continue }
            let mayGoOn =
                holding.waitingFrame > 0
                ? policy.mayTake(holding.waitingFrame, input: holding.input, output: holding.output, total: state.total)
                : policy.mayRead(output: holding.output, connections: connections)
            guard mayGoOn else { continue }
            if let resume = holding.resume { wakeups.resumes.append(resume) }
            state.holdings[key]?.resume = nil
            state.paused.remove(key)
        }
        for key in state.waitingForRoom {
            guard let holding = state.holdings[key] else {
                state.waitingForRoom.remove(key)
                continue
            }
            if holding.roomWaiters.isEmpty {
                state.waitingForRoom.remove(key)
                continue
            }
            guard policy.mayStart(output: holding.output, total: state.total, connections: connections) else { continue }
            wakeups.waiters += holding.roomWaiters.values
            state.holdings[key]?.roomWaiters.removeAll()
            state.waitingForRoom.remove(key)
        }
        return wakeups
    }
}

/// One connection's part of the ``BufferBudget``.
final class BudgetAccount: AnswerRoom {
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
    func waitForRoom() async { await budget.waitForRoom(self) }
    var hasRoom: Bool { budget.hasRoom(self) }
    func mayRead(resume: @escaping @Sendable () -> Void) -> Bool { budget.mayRead(self, resume: resume) }
    func reserve(_ bytes: Int, resume: @escaping @Sendable () -> Void) -> Bool { budget.take(self, frame: bytes, resume: resume) }
    @discardableResult func close() -> Int { budget.close(self) }
}

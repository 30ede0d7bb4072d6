import NIOConcurrencyHelpers
import PinAdsProtocol
import Testing

@testable import PinAdsDaemon

@Suite("Buffer budget")
struct BufferBudgetTests {
    private let mib = 1024 * 1024

    @Test func underTheCapacityEveryFrameIsTaken() {
        let policy = BufferBudgetPolicy(capacity: 256 * mib)
        #expect(policy.mayTake(16 * mib, input: 0, output: 0, total: 200 * mib))
    }

    @Test func pastTheCapacityOnlySmallFramesAreTaken() {
        let policy = BufferBudgetPolicy(capacity: 256 * mib)
        // A large frame waits before its bytes are read…
        #expect(!policy.mayTake(4 * mib, input: 0, output: 0, total: 256 * mib))
        // …a health probe does not, however far past the capacity the others are.
        #expect(policy.mayTake(100, input: 0, output: 0, total: 256 * mib))
        #expect(policy.mayTake(100, input: 200, output: 0, total: 1024 * mib))
        #expect(!policy.mayTake(100, input: 64 * 1024, output: 0, total: 1024 * mib))
    }

    @Test func oneConnectionCannotTakeTheWholeBudget() {
        let policy = BufferBudgetPolicy(capacity: 64 * mib)
        // A connection holding nothing always fits the largest frame (a quarter of the smallest budget)…
        #expect(policy.mayTake(16 * mib + 4, input: 0, output: 0, total: 16 * mib))
        // …but with frames waiting for their answers past a quarter of the budget, the next waits.
        #expect(!policy.mayTake(1000, input: policy.connectionInput, output: 0, total: policy.connectionInput))
    }

    @Test func aConnectionWithUnreadAnswersPastItsShareIsNotRead() {
        let policy = BufferBudgetPolicy(capacity: 256 * mib)
        let share = policy.outputShare(connections: 100)
        #expect(share == 256 * mib / 2 / 100)
        #expect(!policy.mayRead(output: share + 1, connections: 100))
        #expect(policy.mayRead(output: share, connections: 100))
        #expect(!policy.mayStart(output: share, total: 10 * mib, connections: 100))
        #expect(policy.mayStart(output: share - 1, total: 10 * mib, connections: 100))
        // Never less than one large answer's worth, however many connections.
        #expect(policy.outputShare(connections: 100_000) == 256 * 1024)
    }

    @Test func pastTheCapacityOnlyAConnectionWithNothingUnsentStartsWork() {
        let policy = BufferBudgetPolicy(capacity: 256 * mib)
        #expect(!policy.mayStart(output: 1, total: 256 * mib, connections: 10))
        // What it has been sent is answered in the end: nothing waits for ever.
        #expect(policy.mayStart(output: 0, total: 1024 * mib, connections: 10))
    }

    @Test func aWaitingFrameIsTriedAgainWhenOthersGiveBack() {
        let budget = BufferBudget(policy: BufferBudgetPolicy(capacity: 1000, smallHolding: 10))
        let big = BudgetAccount(budget: budget)
        let other = BudgetAccount(budget: budget)
        let taken1 = other.reserve(1000, resume: {})
        #expect(taken1)
        let resumed = NIOLockedValueBox(0)
        let taken = big.reserve(200, resume: { resumed.withLockedValue { $0 += 1 } })
        #expect(!taken)
        #expect(budget.held.now == 1000, "a frame that waits is not charged")
        other.releaseInput(100)
        #expect(resumed.withLockedValue { $0 } == 1)
        // Resumed once: a second release does not call it again.
        other.releaseInput(100)
        #expect(resumed.withLockedValue { $0 } == 1)
        let taken2 = big.reserve(200, resume: {})
        #expect(taken2)
        #expect(budget.held.now == 1000)
        #expect(budget.held.peak == 1000)
    }

    @Test func aConnectionNotReadingItsAnswersIsReadAgainOnceTheyAreWritten() {
        let budget = BufferBudget(policy: BufferBudgetPolicy(capacity: 1024 * 1024))
        let account = BudgetAccount(budget: budget)
        account.chargeOutput(600 * 1024)
        let resumed = NIOLockedValueBox(false)
        let mayRead = account.mayRead(resume: { resumed.withLockedValue { $0 = true } })
        #expect(!mayRead)
        account.releaseOutput(600 * 1024)
        #expect(resumed.withLockedValue { $0 })
    }

    @Test func closingGivesBackEverythingAndResumesOthers() {
        let budget = BufferBudget(policy: BufferBudgetPolicy(capacity: 1000, smallHolding: 10))
        let waiting = BudgetAccount(budget: budget)
        let gone = BudgetAccount(budget: budget)
        let taken3 = gone.reserve(600, resume: {})
        #expect(taken3)
        gone.chargeOutput(400)
        let resumed = NIOLockedValueBox(false)
        let taken = waiting.reserve(100, resume: { resumed.withLockedValue { $0 = true } })
        #expect(!taken)
        #expect(gone.close() == 1000)
        #expect(resumed.withLockedValue { $0 })
        #expect(budget.held.now == 0)
        // Closing twice gives nothing back twice.
        #expect(gone.close() == 0)
        #expect(budget.held.now == 0)
    }

    @Test func workWaitsForUnsentAnswersToBeWritten() async {
        let budget = BufferBudget(policy: BufferBudgetPolicy(capacity: 1024 * 1024))
        let account = BudgetAccount(budget: budget)
        account.chargeOutput(600 * 1024)  // past its share (256 KiB: 512 KiB / 2 connections, at least 256 KiB)
        let started = NIOLockedValueBox(false)
        let waiter = Task {
            await account.waitForRoom()
            started.withLockedValue { $0 = true }
        }
        // Waiting for room, not started (the release below is what lets it go).
        let deadline = ContinuousClock.now + .seconds(60)
        while budget.waitingForRoomCount == 0, ContinuousClock.now < deadline { await Task.yield() }
        #expect(budget.waitingForRoomCount == 1)
        #expect(!started.withLockedValue { $0 })
        account.releaseOutput(600 * 1024)
        await waiter.value
        #expect(started.withLockedValue { $0 })
    }

    @Test func workWaitsForOthersToGiveBackPastTheCapacity() async {
        let budget = BufferBudget(policy: BufferBudgetPolicy(capacity: 1024 * 1024))
        let holder = BudgetAccount(budget: budget)
        let account = BudgetAccount(budget: budget)
        holder.chargeInput(1024 * 1024)
        account.chargeOutput(1)
        let started = NIOLockedValueBox(false)
        let waiter = Task {
            await account.waitForRoom()
            started.withLockedValue { $0 = true }
        }
        // Waiting for room, not started (the release below is what lets it go).
        let deadline = ContinuousClock.now + .seconds(60)
        while budget.waitingForRoomCount == 0, ContinuousClock.now < deadline { await Task.yield() }
        #expect(budget.waitingForRoomCount == 1)
        #expect(!started.withLockedValue { $0 })
        // Another connection gives back: this one may go on.
        holder.releaseInput(512 * 1024)
        await waiter.value
        #expect(started.withLockedValue { $0 })
    }

    @Test func waitingForRoomEndsWhenCancelled() async {
        let budget = BufferBudget(policy: BufferBudgetPolicy(capacity: 1024 * 1024))
        let account = BudgetAccount(budget: budget)
        account.chargeOutput(900 * 1024)
        let waiter = Task { await account.waitForRoom() }
        waiter.cancel()
        await waiter.value  // would hang if cancellation were ignored
        account.close()
    }
}

@Suite("Concurrency gate")
struct ConcurrencyGateTests {
    @Test func atMostTheLimitRunAtOnceAndTheRestInOrder() async throws {
        let gate = ConcurrencyGate(limit: 2)
        let running = NIOLockedValueBox((now: 0, most: 0))
        let order = NIOLockedValueBox([Int]())
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<20 {
                group.addTask {
                    try await gate.run {
                        running.withLockedValue { $0.now += 1; $0.most = max($0.most, $0.now) }
                        order.withLockedValue { $0.append(index) }
                        try? await Task.sleep(for: .milliseconds(2))
                        running.withLockedValue { $0.now -= 1 }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(running.withLockedValue { $0.most } == 2)
        #expect(order.withLockedValue { $0.count } == 20)
    }

    @Test func aCancelledWaiterLeavesTheLine() async throws {
        let gate = ConcurrencyGate(limit: 1)
        let release = AsyncStream.makeStream(of: Void.self)
        let holding = AsyncStream.makeStream(of: Void.self)
        let holder = Task {
            try await gate.run {
                holding.continuation.yield()
                for await _ in release.stream { break }
            }
        }
        for await _ in holding.stream { break }
        let waiter = Task { try await gate.run {} }
        let deadline = ContinuousClock.now + .seconds(5)
        while gate.waitingCount == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(gate.waitingCount == 1)
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(gate.waitingCount == 0)
        release.continuation.yield()
        try await holder.value
        // The turn the cancelled waiter did not take is free.
        try await gate.run {}
    }
}

import NIOConcurrencyHelpers
import PinAdsProtocol
import Testing

@testable import PinAdsDaemon

@Suite("Buffer budget")
struct BufferBudgetTests {
    private let mib = 1024 * 1024

    @Test func underTheCapacityEveryoneReads() {
        let policy = BufferBudgetPolicy(capacity: 256 * mib)
        #expect(policy.mayRead(input: 16 * mib, output: 0, total: 200 * mib, connections: 60))
    }

    @Test func pastTheCapacityOnlySmallHoldersRead() {
        let policy = BufferBudgetPolicy(capacity: 256 * mib)
        // A connection holding a large partial frame waits…
        #expect(!policy.mayRead(input: 4 * mib, output: 0, total: 256 * mib, connections: 60))
        // …a health probe does not, however far past the capacity the others are.
        #expect(policy.mayRead(input: 100, output: 0, total: 256 * mib, connections: 60))
        #expect(policy.mayRead(input: 100, output: 0, total: 1024 * mib, connections: 60))
    }

    @Test func oneConnectionCannotTakeTheWholeBudget() {
        let policy = BufferBudgetPolicy(capacity: 64 * mib)
        // A whole frame of the largest size (a quarter of the smallest budget) always fits…
        #expect(policy.mayRead(input: 16 * mib + 4 - 1, output: 0, total: 16 * mib, connections: 1))
        // …but frames waiting for their answers past a quarter of the budget stop the reading.
        #expect(!policy.mayRead(input: policy.connectionInput, output: 0, total: policy.connectionInput, connections: 1))
    }

    @Test func aConnectionWithUnreadAnswersPastItsShareIsNotRead() {
        let policy = BufferBudgetPolicy(capacity: 256 * mib)
        let share = policy.outputShare(connections: 100)
        #expect(share == 256 * mib / 2 / 100)
        #expect(!policy.mayRead(input: 0, output: share + 1, total: 10 * mib, connections: 100))
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

    @Test func aPausedConnectionResumesWhenOthersGiveBack() {
        let budget = BufferBudget(policy: BufferBudgetPolicy(capacity: 1000, smallHolding: 10))
        let big = BudgetAccount(budget: budget)
        let other = BudgetAccount(budget: budget)
        big.chargeInput(200)
        other.chargeInput(800)
        let resumed = NIOLockedValueBox(0)
        let mayRead = big.mayRead(resume: { resumed.withLockedValue { $0 += 1 } })
        #expect(!mayRead)
        other.releaseInput(100)
        #expect(resumed.withLockedValue { $0 } == 1)
        // Resumed once: a second release does not call it again.
        other.releaseInput(100)
        #expect(resumed.withLockedValue { $0 } == 1)
        #expect(budget.held.now == 800)
        #expect(budget.held.peak == 1000)
    }

    @Test func closingGivesBackEverythingAndResumesOthers() {
        let budget = BufferBudget(policy: BufferBudgetPolicy(capacity: 1000, smallHolding: 10))
        let waiting = BudgetAccount(budget: budget)
        let gone = BudgetAccount(budget: budget)
        waiting.chargeInput(100)
        gone.chargeInput(500)
        gone.chargeOutput(400)
        let resumed = NIOLockedValueBox(false)
        let mayRead = waiting.mayRead(resume: { resumed.withLockedValue { $0 = true } })
        #expect(!mayRead)
        #expect(gone.close() == 900)
        #expect(resumed.withLockedValue { $0 })
        #expect(budget.held.now == 100)
        // Closing twice gives nothing back twice.
        #expect(gone.close() == 0)
        #expect(budget.held.now == 100)
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
        try? await Task.sleep(for: .milliseconds(50))
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
        try? await Task.sleep(for: .milliseconds(50))
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

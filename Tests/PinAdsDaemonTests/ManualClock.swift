import Foundation
import NIOConcurrencyHelpers
import PinAdsDaemon

/// A clock that moves only when the test says so. Sleepers wake when `advance` passes their deadline.
final class ManualClock: WallClock, Sendable {
    private struct Sleeper {
        var id: Int
        var deadline: Date
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Date
        var sleepers: [Sleeper] = []
        var nextID = 0
    }

    private let state: NIOLockedValueBox<State>

    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        state = NIOLockedValueBox(State(now: start))
    }

    func now() -> Date { state.withLockedValue { $0.now } }

    var sleeperCount: Int { state.withLockedValue { $0.sleepers.count } }

    func sleep(until deadline: Date) async throws {
        let id = state.withLockedValue { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: Result<Void, any Error>? = state.withLockedValue { state in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if deadline <= state.now { return .success(()) }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return nil
                }
                if let resumeNow { continuation.resume(with: resumeNow) }
            }
        } onCancel: {
            let sleeper = state.withLockedValue { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    func advance(by seconds: TimeInterval) {
        let due = state.withLockedValue { state -> [Sleeper] in
            state.now = state.now.addingTimeInterval(seconds)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }
}

/// Waits until `condition` holds, polling; fails the test after `timeout` seconds.
///
/// The tests that use it run on a manual clock: the wait is for the tasks under test to get a
/// thread, not a measure of their speed. The deadline is generous (60 s) because the whole
/// suite runs in parallel on two cores, where end-to-end tests' synchronous clients can hold
/// the cooperative threads for seconds (a 10 s deadline failed a CI run that way); a test that
/// works returns as soon as its condition holds.
func eventually(
    _ what: String, timeout: TimeInterval = 60, _ condition: () async throws -> Bool
) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(5))
    }
    struct TimedOut: Error, CustomStringConvertible { var description: String }
    throw TimedOut(description: "timed out after \(timeout) s waiting for: \(what)")
}

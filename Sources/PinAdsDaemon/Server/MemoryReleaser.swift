import CMalloc
import Dispatch
import NIOConcurrencyHelpers

/// Gives memory back to the system after clients that held a lot of it are gone.
///
/// glibc keeps freed heap pages for reuse; after a burst of large frames and answers that is
/// hundreds of MiB the daemon no longer needs. Large buffers get pages of their own (see
/// ``MemoryReleaser/configureAllocator()``) and are returned when freed; what remains is
/// trimmed here, at most once a second, off the event loops and the cooperative pool.
final class MemoryReleaser: Sendable {
    /// A connection closing after the connections together held at least this much (since
    /// the last trim) triggers a trim.
    static let trimAfter = 4 * 1024 * 1024
    /// Buffers of at least this size get pages of their own.
    static let ownPagesFrom: Int32 = 1024 * 1024

    private let scheduled = NIOLockedValueBox(false)

    /// Called once at start, before any large allocation.
    static func configureAllocator() {
        _ = pinads_malloc_large_allocations_own_pages(ownPagesFrom)
    }

    /// A connection closed.
    func connectionClosed(budget: BufferBudget) {
        guard budget.takePeak() >= Self.trimAfter else { return }
        let first = scheduled.withLockedValue { scheduled in
            defer { scheduled = true }
            return !scheduled
        }
        guard first else { return }
        DispatchQueue.global(qos: .utility).asyncAfter(deadline: .now() + .seconds(1)) { [scheduled] in
            scheduled.withLockedValue { $0 = false }
            _ = pinads_malloc_trim()
        }
    }
}

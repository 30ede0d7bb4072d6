import NIOConcurrencyHelpers

/// The state of each long-running part of the daemon, for `system.status`. Written by the
/// services themselves; read by status calls.
public final class ServiceStates: Sendable {
    public enum State: String, Sendable {
        case starting, running, stopping, stopped
    }

    private let entries = NIOLockedValueBox<[(name: String, state: State, detail: String?)]>([])

    public init() {}

    public func set(_ name: String, state: State, detail: String? = nil) {
        entries.withLockedValue { entries in
            if let index = entries.firstIndex(where: { $0.name == name }) {
                entries[index] = (name, state, detail)
            } else {
                entries.append((name, state, detail))
            }
        }
    }

    /// One service as it stands.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var state: State
        public var detail: String?
    }

    public func snapshot() -> [Entry] {
        entries.withLockedValue { $0.map { Entry(name: $0.name, state: $0.state, detail: $0.detail) } }
    }
}

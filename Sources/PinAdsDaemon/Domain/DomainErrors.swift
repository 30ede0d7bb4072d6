/// A value given to the daemon breaks a rule: names the field (as the caller spelled it) and
/// the rule, so the message says what to fix.
public struct InvalidInput: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field): \(reason)" }
}

/// Something the caller named is not known to this daemon.
public struct UnknownObject: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was named: `connection`, `audience`, `job`, …
    public var kind: String
    public var id: String

    public init(_ kind: String, id: String) {
        self.kind = kind
        self.id = id
    }

    public init(_ kind: String, id: Int64) { self.init(kind, id: String(id)) }

    public var description: String { "\(kind) \(id) not found" }
}

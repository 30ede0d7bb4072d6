import Foundation

/// `system.health`: is the daemon up, and is everything it looks after working. Cheap; for
/// probes, scripts and monitoring.
public struct HealthRequest: PinAdsRequest {
    public static let method = "system.health"
    public static let role = MethodRole.client
    public typealias Result = HealthResult
    public init() {}
}

public struct HealthResult: Codable, Sendable, Equatable {
    /// `ok` when every part works; `degraded` when there are `problems` but the store works;
    /// `unavailable` when the store cannot be read or written. Clients should treat any other
    /// value as not ok.
    public var status: String
    public var version: String
    public var protocolVersion: Int
    public var uptimeS: Double
    public var store: StoreHealth
    /// What is wrong, each with what to do; empty when `status` is `ok`. Absent in the answers
    /// of daemons older than this field (decoded as empty).
    public var problems: [HealthProblemInfo]

    public init(
        status: String, version: String, protocolVersion: Int, uptimeS: Double, store: StoreHealth, problems: [HealthProblemInfo] = []
    ) {
        self.status = status
        self.version = version
        self.protocolVersion = protocolVersion
        self.uptimeS = uptimeS
        self.store = store
        self.problems = problems
    }

    enum CodingKeys: String, CodingKey {
        case status, version, store, problems
        case protocolVersion = "protocol_version"
        case uptimeS = "uptime_s"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        status = try container.decode(String.self, forKey: .status)
        version = try container.decode(String.self, forKey: .version)
        protocolVersion = try container.decode(Int.self, forKey: .protocolVersion)
        uptimeS = try container.decode(Double.self, forKey: .uptimeS)
        store = try container.decode(StoreHealth.self, forKey: .store)
        problems = try container.decodeIfPresent([HealthProblemInfo].self, forKey: .problems) ?? []
    }
}

/// One problem `system.health` found.
public struct HealthProblemInfo: Codable, Sendable, Equatable {
    /// A stable snake_case code, e.g. `connection_needs_reconnect` (protocol/methods.md lists
    /// them); new codes may come, so clients should show unknown ones by their `message`.
    public var code: String
    /// What the problem concerns.
    public var object: HealthObject
    /// What is wrong, in words.
    public var message: String
    /// What a person can do about it, in words.
    public var fix: String

    public init(code: String, object: HealthObject, message: String, fix: String) {
        self.code = code
        self.object = object
        self.message = message
        self.fix = fix
    }
}

/// The object a health problem concerns.
public struct HealthObject: Codable, Sendable, Equatable {
    /// `connection`, `ad_account`, `activation` or `store`.
    public var kind: String
    /// Always a string: a connection's or activation's id in decimal (`"1"`), a Pinterest ad
    /// account id, or the store's database path.
    public var id: String

    public init(kind: String, id: String) {
        self.kind = kind
        self.id = id
    }
}

public struct StoreHealth: Codable, Sendable, Equatable {
    /// `ok` or `error`.
    public var status: String
    public var path: String
    public var schemaVersion: Int
    public var sizeBytes: Int64?
    public var error: String?

    public init(status: String, path: String, schemaVersion: Int, sizeBytes: Int64?, error: String? = nil) {
        self.status = status
        self.path = path
        self.schemaVersion = schemaVersion
        self.sizeBytes = sizeBytes
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case status, path, error
        case schemaVersion = "schema_version"
        case sizeBytes = "size_bytes"
    }
}

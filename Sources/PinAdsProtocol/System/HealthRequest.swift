import Foundation

/// `system.health`: is the daemon up and its store usable. Cheap; for probes and scripts.
public struct HealthRequest: PinAdsRequest {
    public static let method = "system.health"
    public typealias Result = HealthResult
    public init() {}
}

public struct HealthResult: Codable, Sendable, Equatable {
    /// `ok` when every part works, `degraded` when the store cannot be read.
    public var status: String
    public var version: String
    public var protocolVersion: Int
    public var uptimeS: Double
    public var store: StoreHealth

    public init(status: String, version: String, protocolVersion: Int, uptimeS: Double, store: StoreHealth) {
        self.status = status
        self.version = version
        self.protocolVersion = protocolVersion
        self.uptimeS = uptimeS
        self.store = store
    }

    enum CodingKeys: String, CodingKey {
        case status, version, store
        case protocolVersion = "protocol_version"
        case uptimeS = "uptime_s"
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

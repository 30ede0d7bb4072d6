import Foundation

/// `system.status`: what the daemon is doing: job queue depths by state, client connections,
/// and the state of each service.
public struct StatusRequest: PinAdsRequest {
    public static let method = "system.status"
    public static let role = MethodRole.client
    public typealias Result = StatusResult
    public init() {}
}

public struct StatusResult: Codable, Sendable, Equatable {
    public var version: String
    public var pid: Int32
    public var startedAt: Date
    public var uptimeS: Double
    public var socketPath: String
    public var stateDir: String
    /// Where Pinterest calls go: `https://api.pinterest.com/v5`, or a sandbox.
    public var pinterestAPIBaseURL: String
    /// Number of jobs in each state; every state is present, zero included.
    public var jobs: [String: Int]
    public var connections: ConnectionsSummary
    /// Pinterest connections and whether each needs a person (`needs_reconnect`).
    public var pinterestConnections: [PinterestConnectionStatus]
    public var services: [ServiceStatus]

    public init(
        version: String, pid: Int32, startedAt: Date, uptimeS: Double, socketPath: String, stateDir: String,
        pinterestAPIBaseURL: String, jobs: [String: Int], connections: ConnectionsSummary,
        pinterestConnections: [PinterestConnectionStatus], services: [ServiceStatus]
    ) {
        self.version = version
        self.pid = pid
        self.startedAt = startedAt
        self.uptimeS = uptimeS
        self.socketPath = socketPath
        self.stateDir = stateDir
        self.pinterestAPIBaseURL = pinterestAPIBaseURL
        self.jobs = jobs
        self.connections = connections
        self.pinterestConnections = pinterestConnections
        self.services = services
    }

    enum CodingKeys: String, CodingKey {
        case version, pid, jobs, connections, services
        case startedAt = "started_at"
        case uptimeS = "uptime_s"
        case socketPath = "socket_path"
        case stateDir = "state_dir"
        case pinterestAPIBaseURL = "pinterest_api_base_url"
        case pinterestConnections = "pinterest_connections"
    }
}

/// Local clients of the control socket.
public struct ConnectionsSummary: Codable, Sendable, Equatable {
    public var open: Int
    public var requestsInFlight: Int
    public var acceptedTotal: Int
    /// Peers refused at connect: another user, in no allowed group.
    public var refusedTotal: Int
    /// Requests refused because the peer's role does not allow the method (PERMISSION_DENIED).
    public var deniedTotal: Int?
    /// Bytes clients make the daemon hold now: frames not yet answered and answers not yet
    /// written (`--max-buffered-bytes` bounds it).
    public var bufferedBytes: Int?
    /// The most held at once since the daemon started.
    public var bufferedBytesPeak: Int?
    /// `--max-buffered-bytes`.
    public var bufferedBytesLimit: Int?

    public init(
        open: Int, requestsInFlight: Int, acceptedTotal: Int, refusedTotal: Int, bufferedBytes: Int? = nil,
        bufferedBytesPeak: Int? = nil, bufferedBytesLimit: Int? = nil, deniedTotal: Int? = nil
    ) {
        self.deniedTotal = deniedTotal
        self.open = open
        self.requestsInFlight = requestsInFlight
        self.acceptedTotal = acceptedTotal
        self.refusedTotal = refusedTotal
        self.bufferedBytes = bufferedBytes
        self.bufferedBytesPeak = bufferedBytesPeak
        self.bufferedBytesLimit = bufferedBytesLimit
    }

    enum CodingKeys: String, CodingKey {
        case open
        case requestsInFlight = "requests_in_flight"
        case acceptedTotal = "accepted_total"
        case refusedTotal = "refused_total"
        case deniedTotal = "denied_total"
        case bufferedBytes = "buffered_bytes"
        case bufferedBytesPeak = "buffered_bytes_peak"
        case bufferedBytesLimit = "buffered_bytes_limit"
    }
}

/// One Pinterest connection in `system.status`.
public struct PinterestConnectionStatus: Codable, Sendable, Equatable {
    public var id: Int64
    public var name: String?
    /// `active`, `unauthorized` or `disconnected`.
    public var status: String
    public var statusReason: String?
    public var needsReconnect: Bool

    public init(id: Int64, name: String?, status: String, statusReason: String?, needsReconnect: Bool) {
        self.id = id
        self.name = name
        self.status = status
        self.statusReason = statusReason
        self.needsReconnect = needsReconnect
    }

    enum CodingKeys: String, CodingKey {
        case id, name, status
        case statusReason = "status_reason"
        case needsReconnect = "needs_reconnect"
    }
}

public struct ServiceStatus: Codable, Sendable, Equatable {
    public var name: String
    /// `starting`, `running`, `stopping` or `stopped`.
    public var state: String
    public var detail: String?

    public init(name: String, state: String, detail: String? = nil) {
        self.name = name
        self.state = state
        self.detail = detail
    }
}

/// `system.methods`: the methods this daemon serves, for discovery and for clients to check
/// what a daemon of another version offers.
public struct ListMethodsRequest: PinAdsRequest {
    public static let method = "system.methods"
    public static let role = MethodRole.client
    public typealias Result = ListMethodsResult
    public init() {}
}

public struct ListMethodsResult: Codable, Sendable, Equatable {
    public var protocolVersion: Int
    public var methods: [MethodInfo]

    public init(protocolVersion: Int, methods: [MethodInfo]) {
        self.protocolVersion = protocolVersion
        self.methods = methods
    }

    enum CodingKeys: String, CodingKey {
        case methods
        case protocolVersion = "protocol_version"
    }
}

public struct MethodInfo: Codable, Sendable, Equatable {
    public var name: String
    public var streaming: Bool
    /// The least role a peer needs to call it (`client` or `admin`; the daemon's own user is
    /// `owner` and may call every method).
    public var role: MethodRole?

    public init(name: String, streaming: Bool, role: MethodRole? = nil) {
        self.name = name
        self.streaming = streaming
        self.role = role
    }
}

/// `system.whoami`: who the daemon takes this connection's peer to be, and its role.
public struct WhoAmIRequest: PinAdsRequest {
    public static let method = "system.whoami"
    public static let role = MethodRole.client
    public typealias Result = WhoAmIResult
    public init() {}
}

public struct WhoAmIResult: Codable, Sendable, Equatable {
    /// The peer's uid and primary gid, as the kernel reported them (SO_PEERCRED).
    public var uid: UInt32
    public var gid: UInt32
    /// `owner` (the daemon's own user), `admin` or `client` (allowed by `--allow-uid` or
    /// `--allow-group`).
    public var role: MethodRole
    /// Why it has that role: `owner`, `uid` (allowed by uid), or `group` with the group.
    public var grantedBy: String?

    public init(uid: UInt32, gid: UInt32, role: MethodRole, grantedBy: String? = nil) {
        self.uid = uid
        self.gid = gid
        self.role = role
        self.grantedBy = grantedBy
    }

    enum CodingKeys: String, CodingKey {
        case uid, gid, role
        case grantedBy = "granted_by"
    }
}

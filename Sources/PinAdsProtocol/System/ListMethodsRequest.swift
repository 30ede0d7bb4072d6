/// `system.methods`: the methods this daemon serves, for discovery and for clients to check
/// what a daemon of another version offers.
public struct ListMethodsRequest: PinAdsRequest {
    public static let method = "system.methods"
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

    public init(name: String, streaming: Bool) {
        self.name = name
        self.streaming = streaming
    }
}

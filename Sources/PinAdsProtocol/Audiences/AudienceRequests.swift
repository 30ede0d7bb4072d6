import Foundation

/// An audience (cohort) as the daemon reports it. Members are stored as SHA-256 hashes only.
public struct AudienceInfo: Codable, Sendable, Equatable {
    public var id: Int64
    public var name: String
    /// `EMAIL`, `MAID` or `IDFA`.
    public var listType: String
    public var description: String?
    public var memberCount: Int
    /// Rises with every call that changed the members; syncs send what changed since the
    /// version they last sent.
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date
    /// Where the audience is kept in sync: one entry per ad account, with its sync state.
    public var activations: [ActivationInfo]
    /// Lookalike (ACTALIKE) audiences created at Pinterest from it.
    public var actalikes: [ActalikeInfo]

    public init(
        id: Int64, name: String, listType: String, description: String?, memberCount: Int, version: Int64, createdAt: Date,
        updatedAt: Date, activations: [ActivationInfo] = [], actalikes: [ActalikeInfo] = []
    ) {
        self.activations = activations
        self.actalikes = actalikes
        self.id = id
        self.name = name
        self.listType = listType
        self.description = description
        self.memberCount = memberCount
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, description, version, activations, actalikes
        case listType = "list_type"
        case memberCount = "member_count"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

public struct AudienceResult: Codable, Sendable, Equatable {
    public var audience: AudienceInfo
    public init(audience: AudienceInfo) { self.audience = audience }
}

/// `audiences.create`: a new, empty audience.
public struct CreateAudienceRequest: PinAdsRequest {
    public static let method = "audiences.create"
    public typealias Result = AudienceResult
    public var name: String
    /// `EMAIL` (default), `MAID` or `IDFA`.
    public var listType: String?
    public var description: String?

    public init(name: String, listType: String? = nil, description: String? = nil) {
        self.name = name
        self.listType = listType
        self.description = description
    }

    enum CodingKeys: String, CodingKey {
        case name, description
        case listType = "list_type"
    }
}

/// `audiences.get`: one audience.
public struct GetAudienceRequest: PinAdsRequest {
    public static let method = "audiences.get"
    public static let role = MethodRole.client
    public typealias Result = AudienceResult
    public var audienceId: Int64
    public init(audienceId: Int64) { self.audienceId = audienceId }
    enum CodingKeys: String, CodingKey { case audienceId = "audience_id" }
}

/// `audiences.list`: every audience.
public struct ListAudiencesRequest: PinAdsRequest {
    public static let method = "audiences.list"
    public static let role = MethodRole.client
    public typealias Result = ListAudiencesResult
    public init() {}
}

public struct ListAudiencesResult: Codable, Sendable, Equatable {
    public var audiences: [AudienceInfo]
    public init(audiences: [AudienceInfo]) { self.audiences = audiences }
}

/// `audiences.delete`: forgets the audience and its members here; Pinterest objects are left.
public struct DeleteAudienceRequest: PinAdsRequest {
    public static let method = "audiences.delete"
    public typealias Result = DeleteAudienceResult
    public var audienceId: Int64
    public init(audienceId: Int64) { self.audienceId = audienceId }
    enum CodingKeys: String, CodingKey { case audienceId = "audience_id" }
}

public struct DeleteAudienceResult: Codable, Sendable, Equatable {
    public var audience: AudienceInfo
    /// What stays at Pinterest.
    public var note: String
    public init(audience: AudienceInfo, note: String) {
        self.audience = audience
        self.note = note
    }
}

/// `audiences.add_members`: up to 100,000 emails or device ids, plain or already SHA-256 hashed.
public struct AddMembersRequest: PinAdsRequest {
    public static let method = "audiences.add_members"
    public static let role = MethodRole.client
    public typealias Result = MembersChangeResult
    public var audienceId: Int64
    public var members: [String]
    public init(audienceId: Int64, members: [String]) {
        self.audienceId = audienceId
        self.members = members
    }
    enum CodingKeys: String, CodingKey {
        case members
        case audienceId = "audience_id"
    }
}

/// `audiences.remove_members`: the same shape as `audiences.add_members`.
public struct RemoveMembersRequest: PinAdsRequest {
    public static let method = "audiences.remove_members"
    public static let role = MethodRole.client
    public typealias Result = MembersChangeResult
    public var audienceId: Int64
    public var members: [String]
    public init(audienceId: Int64, members: [String]) {
        self.audienceId = audienceId
        self.members = members
    }
    enum CodingKeys: String, CodingKey {
        case members
        case audienceId = "audience_id"
    }
}

public struct MembersChangeResult: Codable, Sendable, Equatable {
    public var added: Int
    public var removed: Int
    public var unchanged: Int
    /// Members refused, by their index in the request; the others were applied.
    public var rejected: [RejectedMember]

    public init(added: Int, removed: Int, unchanged: Int, rejected: [RejectedMember]) {
        self.added = added
        self.removed = removed
        self.unchanged = unchanged
        self.rejected = rejected
    }
}

public struct RejectedMember: Codable, Sendable, Equatable {
    public var index: Int
    public var reason: String
    public init(index: Int, reason: String) {
        self.index = index
        self.reason = reason
    }
}

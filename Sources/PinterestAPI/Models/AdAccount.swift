/// An ad account (`ad_accounts/list`). IDs are strings: they exceed 2^53.
public struct AdAccount: Codable, Sendable, Equatable {
    public struct Owner: Codable, Sendable, Equatable {
        public var id: String?
        public var username: String?
    }

    public var id: String
    public var name: String?
    public var owner: Owner?
    public var country: String?
    public var currency: String?
    public var permissions: [String]?
    public var createdTime: Int?
    public var updatedTime: Int?

    enum CodingKeys: String, CodingKey {
        case id, name, owner, country, currency, permissions
        case createdTime = "created_time"
        case updatedTime = "updated_time"
    }
}

/// One page of a list endpoint: `{items, bookmark}`.
struct Page<Item: Decodable>: Decodable {
    var items: [Item]
    var bookmark: String?
}

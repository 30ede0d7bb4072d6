import PinAdsJSON

/// Body of `audiences/create` (a single object; the spec's "list of ads" wording is a copy error).
public struct AudienceCreate: Encodable, Sendable {
    public var name: String
    public var audienceType: String
    public var rule: JSONValue
    public var description: String?

    /// A CUSTOMER_LIST audience on a customer list.
    public static func customerList(name: String, customerListID: String, description: String? = nil) -> AudienceCreate {
        AudienceCreate(name: name, audienceType: "CUSTOMER_LIST", rule: ["customer_list_id": .string(customerListID)], description: description)
    }

    /// An ACTALIKE (lookalike) audience seeded by audiences (audience ids, not customer lists),
    /// reaching `percentage` (1–10) of the users of `country` (US, CA or GB).
    public static func actalike(
        name: String, seedAudienceIDs: [String], country: String, percentage: Int, description: String? = nil
    ) -> AudienceCreate {
        AudienceCreate(
            name: name, audienceType: "ACTALIKE",
            rule: ["seed_id": .array(seedAudienceIDs.map(JSONValue.string)), "country": .string(country), "percentage": .int(Int64(percentage))],
            description: description)
    }

    public init(name: String, audienceType: String, rule: JSONValue, description: String? = nil) {
        self.name = name
        self.audienceType = audienceType
        self.rule = rule
        self.description = description
    }

    enum CodingKeys: String, CodingKey {
        case name, rule, description
        case audienceType = "audience_type"
    }
}

public struct Audience: Decodable, Sendable, Equatable {
    public var id: String
    public var adAccountID: String?
    public var name: String?
    public var audienceType: String?
    public var rule: JSONValue?
    public var description: String?
    public var size: Int?
    /// READY, INITIALIZING or TOO_SMALL.
    public var status: String?
    public var createdTimestamp: Int?
    public var updatedTimestamp: Int?

    enum CodingKeys: String, CodingKey {
        case id, name, rule, description, size, status
        case adAccountID = "ad_account_id"
        case audienceType = "audience_type"
        case createdTimestamp = "created_timestamp"
        case updatedTimestamp = "updated_timestamp"
    }
}

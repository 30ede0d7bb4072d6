/// One keyword to create (schema `KeywordsCommon`, without the deprecated `bid`).
public struct KeywordSpec: Encodable, Sendable, Equatable {
    /// 120 characters at most.
    public var value: String
    /// BROAD, PHRASE, EXACT, EXACT_NEGATIVE, PHRASE_NEGATIVE. Ad accounts and campaigns take only
    /// the `_NEGATIVE` ones; ad groups take all five.
    public var matchType: String

    public init(value: String, matchType: String) {
        self.value = value
        self.matchType = matchType
    }

    enum CodingKeys: String, CodingKey {
        case value
        case matchType = "match_type"
    }
}

/// A keyword as Pinterest answers it (schema `Keyword`).
public struct Keyword: Decodable, Sendable, Equatable {
    public var id: String
    public var value: String?
    public var matchType: String?
    /// Archiving "effectively deletes" a keyword.
    public var archived: Bool?
    /// The ad account, campaign or ad group it belongs to.
    public var parentID: String?
    /// E.g. "campaign".
    public var parentType: String?

    public init(
        id: String, value: String? = nil, matchType: String? = nil, archived: Bool? = nil, parentID: String? = nil,
        parentType: String? = nil
    ) {
        self.id = id
        self.value = value
        self.matchType = matchType
        self.archived = archived
        self.parentID = parentID
        self.parentType = parentType
    }

    enum CodingKeys: String, CodingKey {
        case id, value, archived
        case matchType = "match_type"
        case parentID = "parent_id"
        case parentType = "parent_type"
    }
}

/// One refused keyword (schema `KeywordError`): read from `{data: Keyword with nulled fields,
/// error_messages: [String]}`. No request index comes back: match on `value` + `matchType`
/// (create) or `id` (update).
public struct KeywordError: Decodable, Sendable, Equatable {
    /// The keyword's id when Pinterest kept it (null in the spec's create example).
    public var id: String?
    public var value: String?
    public var matchType: String?
    public var messages: [String]

    public init(id: String? = nil, value: String? = nil, matchType: String? = nil, messages: [String]) {
        self.id = id
        self.value = value
        self.matchType = matchType
        self.messages = messages
    }

    private struct DataFields: Decodable {
        var id: String?
        var value: String?
        var matchType: String?

        enum CodingKeys: String, CodingKey {
            case id, value
            case matchType = "match_type"
        }
    }

    enum CodingKeys: String, CodingKey {
        case data
        case messages = "error_messages"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let data = try container.decodeIfPresent(DataFields.self, forKey: .data)
        id = data?.id
        value = data?.value
        matchType = data?.matchType
        messages = try container.decodeIfPresent([String].self, forKey: .messages) ?? []
    }
}

/// The answer of `keywords/create` and `keywords/update` (schema `KeywordsResponse`): HTTP 200
/// even when keywords fail, so always look at `errors`.
public struct KeywordsResult: Sendable, Equatable {
    public var keywords: [Keyword]
    public var errors: [KeywordError]

    public init(keywords: [Keyword], errors: [KeywordError]) {
        self.keywords = keywords
        self.errors = errors
    }
}

/// One keyword change of `keywords/update` (schema `KeywordUpdate`, without the deprecated
/// `bid`). Only `archived` can change; value and match type cannot (archive and re-create).
public struct KeywordUpdate: Encodable, Sendable, Equatable {
    public var id: String
    public var archived: Bool

    public init(id: String, archived: Bool) {
        self.id = id
        self.archived = archived
    }
}

/// Body of `keywords/create` (schema `KeywordsRequest`).
struct KeywordsRequest: Encodable {
    var parentID: String
    var keywords: [KeywordSpec]

    enum CodingKeys: String, CodingKey {
        case parentID = "parent_id"
        case keywords
    }
}

/// Body of `keywords/update` (schema `KeywordUpdateBody`).
struct KeywordUpdateBody: Encodable {
    var keywords: [KeywordUpdate]
}

/// `KeywordsResponse` on the wire: both arrays optional in the schema.
struct KeywordsResponse: Decodable {
    var keywords: [Keyword]?
    var errors: [KeywordError]?

    var result: KeywordsResult { KeywordsResult(keywords: keywords ?? [], errors: errors ?? []) }
}

/// Keywords (NOTES §6.4): `keywords/create`, `keywords/get` and `keywords/update` on
/// `/v5/ad_accounts/{id}/keywords`.
///
/// A body that breaks the schema (an unknown field, a wrong type, a match type outside the enum)
/// is a 400 for the whole request; a keyword that breaks a rule (its length, a match type its
/// parent does not take, a duplicate, an archived parent) goes to `errors` while the others are
/// created. An error's `data` is the keyword as sent, without the fields Pinterest nulls (`id`,
/// `archived`, `parent_id`, `parent_type`), since the spec's `Keyword` schema does not allow null
/// for them.
extension SandboxState {
    static let matchTypes = ["BROAD", "PHRASE", "EXACT", "EXACT_NEGATIVE", "PHRASE_NEGATIVE"]
    static let negativeMatchTypes: Set<String> = ["EXACT_NEGATIVE", "PHRASE_NEGATIVE"]
    static let onlyExcludedKeywords = "Advertisers and Campaigns only accept excluded targeting attributes."

    func keywordJSON(_ keyword: KeywordRecord) -> JSONValue {
        [
            "id": .string(keyword.id), "value": .string(keyword.value), "match_type": .string(keyword.matchType),
            "bid": .null, "archived": .bool(keyword.archived), "parent_id": .string(keyword.parentID),
            "parent_type": .string(keyword.parentType), "type": "keyword",
        ]
    }

    /// What a keyword can hang off: the ad account itself, one of its campaigns or ad groups.
    struct KeywordParent {
        var id: String
        /// `advertiser`, `campaign` or `ad_group`.
        var type: String
        var isArchived: Bool
    }

    /// The parent a `parent_id` (`^((AG)|C)?\d+$`) names in the ad account: `AG…` an ad group,
    /// `C…` a campaign, bare digits whichever of the three has that id.
    func keywordParent(_ text: String, account: AdAccountRecord) -> KeywordParent? {
        func adGroup(_ id: String) -> KeywordParent? {
            adGroups[id].flatMap { $0.adAccountID == account.id ? KeywordParent(id: id, type: "ad_group", isArchived: $0.status == "ARCHIVED") : nil }
        }
        func campaign(_ id: String) -> KeywordParent? {
            campaigns[id].flatMap { $0.adAccountID == account.id ? KeywordParent(id: id, type: "campaign", isArchived: $0.status == "ARCHIVED") : nil }
        }
        if text.hasPrefix("AG") { return adGroup(String(text.dropFirst(2))) }
        if text.hasPrefix("C") { return campaign(String(text.dropFirst())) }
        if text == account.id { return KeywordParent(id: text, type: "advertiser", isArchived: false) }
        return campaign(text) ?? adGroup(text)
    }

    static func isKeywordParentID(_ text: String) -> Bool {
        let digits = text.hasPrefix("AG") ? text.dropFirst(2) : text.hasPrefix("C") ? text.dropFirst() : Substring(text)
        return !digits.isEmpty && digits.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    /// `POST /v5/ad_accounts/{id}/keywords`: one `KeywordsRequest` `{parent_id, keywords: [{value,
    /// match_type, bid?}]}` → 200 `KeywordsResponse` `{keywords, errors}`. `bid` is deprecated
    /// ("Input will not be set"): checked for its type, then ignored.
    mutating func keywordsCreate(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        let body = try call.bodyObject()
        var check = ItemValidator(body)
        check.onlyKeys(["parent_id", "keywords"], schema: "KeywordsRequest")
        let parentText = check.string("parent_id", required: true)
        if let parentText, !SandboxState.isKeywordParentID(parentText) {
            check.problem("parent_id must match ^((AG)|C)?\\d+$ (an ad account, campaign or ad group id); got \"\(parentText)\".")
        }
        var entries: [(value: String, matchType: String?)] = []
        switch body["keywords"] {
        case .array(let array)?:
            for (index, element) in array.enumerated() {
                guard let object = element.objectValue else {
                    check.problem("keywords[\(index)] must be an object, not \(element.typeName).")
                    continue
                }
                var item = ItemValidator(object)
                item.onlyKeys(["value", "match_type", "bid"], schema: "KeywordsCommon")
                if item.item["value"] == nil { item.problem("value is required.") }
                let value = item.string("value")
                if item.item["match_type"] == nil { item.problem("match_type is required.") }
                let matchType = item.enumeration("match_type", SandboxState.matchTypes, nullable: true)
                _ = item.integer("bid", nullable: true)
                check.absorb(item, prefix: "keywords[\(index)]")
                if let value { entries.append((value, matchType)) }
            }
        case nil: check.problem("keywords is required (an array of {value, match_type}).")
        case let other?: check.problem("keywords must be an array, not \(other.typeName).")
        }
        guard check.problems.isEmpty, let parentText else { throw .invalidParameters(check.problems.joined(separator: " ")) }
        guard let parent = keywordParent(parentText, account: account) else {
            throw .invalidParameters(
                "parent_id \(parentText) is neither ad account \(account.id) nor one of its campaigns or ad groups.")
        }

        var created: [JSONValue] = []
        var errors: [JSONValue] = []
        for entry in entries {
            var messages: [String] = []
            if parent.isArchived {
                messages.append("parent_id: \(parent.type) \(parent.id) is ARCHIVED: archived objects cannot be changed.")
            }
            let length = entry.value.count
            if !(1...120).contains(length) { messages.append("value must be 1 to 120 characters; it has \(length).") }
            if let matchType = entry.matchType {
                if parent.type != "ad_group", !SandboxState.negativeMatchTypes.contains(matchType) {
                    messages.append(SandboxState.onlyExcludedKeywords)
                }
                if let twin = liveKeyword(parent: parent.id, value: entry.value, matchType: matchType, account: account.id) {
                    messages.append("value \"\(entry.value)\" with match_type \(matchType) already exists on \(parent.type) \(parent.id) (keyword \(twin)).")
                }
            } else {
                messages.append("match_type must be one of \(SandboxState.matchTypes.joined(separator: ", ")); got null.")
            }
            guard messages.isEmpty, let matchType = entry.matchType else {
                let data: JSONValue = [
                    "value": .string(entry.value), "match_type": JSONValue(entry.matchType), "bid": .null, "type": "keyword",
                ]
                errors.append(["data": data, "error_messages": JSONValue(strings: messages)])
                continue
            }
            let keyword = KeywordRecord(
                id: mintID(.keyword), adAccountID: account.id, parentID: parent.id, parentType: parent.type,
                value: entry.value, matchType: matchType)
            keywords[keyword.id] = keyword
            index(keyword.id, kind: .keyword, account: account.id)
            created.append(keywordJSON(keyword))
        }
        return .json(200, ["keywords": .array(created), "errors": .array(errors)])
    }

    /// A keyword of `parent` that is not archived and has the same match type and value (compared
    /// without regard to case, as Pinterest matches searches).
    private func liveKeyword(parent: String, value: String, matchType: String, account: String) -> String? {
        ids(.keyword, account: account).first { id in
            guard let keyword = keywords[id] else { return false }
            return !keyword.archived && keyword.parentID == parent && keyword.matchType == matchType
                && keyword.value.lowercased() == value.lowercased()
        }
    }

    /// `GET /v5/ad_accounts/{id}/keywords`: the keywords, not archived, of the parents named by
    /// `campaign_id`, `ad_group_id` and `ad_group_ids` (any of them; without one, those of the ad
    /// account itself), of the `match_types` when given; `page_size` 1–250, `bookmark`.
    func keywordsGet(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        let query = call.query
        var parents = Set<String>()
        var matchTypes: Set<String>? = nil
        let page: PageRequest
        do throws(ParameterError) {
            for name in ["campaign_id", "ad_group_id"] {
                guard let id = query.value(name) else { continue }
                guard Router.isPathID(id) else { throw ParameterError("\(name) must be a digit string of at most 18 characters.") }
                parents.insert(id)
            }
            if let list = query.list("ad_group_ids") {
                guard (1...250).contains(list.count) else { throw ParameterError("ad_group_ids takes 1 to 250 ids; got \(list.count).") }
                guard list.allSatisfy(Router.isPathID) else {
                    throw ParameterError("ad_group_ids must be digit strings of at most 18 characters.")
                }
                parents.formUnion(list)
            }
            if let list = query.list("match_types") {
                guard (1...5).contains(list.count), list.allSatisfy(SandboxState.matchTypes.contains) else {
                    throw ParameterError("match_types takes 1 to 5 of \(SandboxState.matchTypes.joined(separator: ", ")).")
                }
                matchTypes = Set(list)
            }
            page = try PageRequest(query, allowOrder: false)
        } catch {
            throw .invalidParameters(error.detail)
        }
        if parents.isEmpty { parents = [account.id] }
        let matching = ids(.keyword, account: account.id).filter { id in
            guard let keyword = keywords[id], !keyword.archived else { return false }
            return parents.contains(keyword.parentID) && (matchTypes?.contains(keyword.matchType) ?? true)
        }
        let (ids, bookmark) = page.page(of: matching)
        return listResponse(ids.compactMap { keywords[$0].map(keywordJSON) }, bookmark: bookmark)
    }

    /// `PATCH /v5/ad_accounts/{id}/keywords`: `KeywordUpdateBody` `{keywords: [{id, archived?,
    /// bid?}]}` → `KeywordsResponse`. Only `archived` changes (`bid` is deprecated and ignored);
    /// archiving deletes, so an archived keyword cannot be restored.
    mutating func keywordsUpdate(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        let body = try call.bodyObject()
        var check = ItemValidator(body)
        check.onlyKeys(["keywords"], schema: "KeywordUpdateBody")
        var changes: [(id: String, archived: Bool?)] = []
        switch body["keywords"] {
        case .array(let array)?:
            for (index, element) in array.enumerated() {
                guard let object = element.objectValue else {
                    check.problem("keywords[\(index)] must be an object, not \(element.typeName).")
                    continue
                }
                var item = ItemValidator(object)
                item.onlyKeys(["id", "archived", "bid"], schema: "KeywordUpdate")
                let id = item.identifier("id", required: true)
                let archived = item.boolean("archived")
                _ = item.integer("bid", nullable: true)
                check.absorb(item, prefix: "keywords[\(index)]")
                if let id { changes.append((id, archived)) }
            }
        case nil: check.problem("keywords is required (an array of {id, archived}).")
        case let other?: check.problem("keywords must be an array, not \(other.typeName).")
        }
        guard check.problems.isEmpty else { throw .invalidParameters(check.problems.joined(separator: " ")) }

        var updated: [JSONValue] = []
        var errors: [JSONValue] = []
        for change in changes {
            guard var keyword = keywords[change.id], keyword.adAccountID == account.id else {
                errors.append(["error_messages": [.string("id \(change.id) is not a keyword of ad account \(account.id).")]])
                continue
            }
            if keyword.archived, change.archived == false {
                errors.append([
                    "data": keywordJSON(keyword),
                    "error_messages": [
                        .string(
                            "archived: keyword \(keyword.id) is archived, and archiving a keyword deletes it: it cannot be restored (create it again).")
                    ],
                ])
                continue
            }
            if change.archived == true { keyword.archived = true }
            keywords[keyword.id] = keyword
            updated.append(keywordJSON(keyword))
        }
        return .json(200, ["keywords": .array(updated), "errors": .array(errors)])
    }
}

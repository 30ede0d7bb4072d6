extension SandboxState {
    static let audienceTypes: Set<String> = ["CUSTOMER_LIST", "VISITOR", "ENGAGEMENT", "ACTALIKE", "PERSONA"]
    static let audienceListDocumented = "Invalid ad account audience parameters."

    /// Size and status of an audience now: a CUSTOMER_LIST audience is as big as its list's
    /// matched users and READY from 100 on (TOO_SMALL below).
    func audienceSizeAndStatus(_ audience: AudienceRecord) -> (size: Int?, status: String) {
        if let listID = audience.customerListID {
            let matched = customerLists[listID]?.matched ?? 0
            return (matched, matched >= 100 ? "READY" : "TOO_SMALL")
        }
        if let size = audience.fixedSize { return (size, size >= 100 ? "READY" : "TOO_SMALL") }
        return (nil, "INITIALIZING")
    }

    func audienceJSON(_ audience: AudienceRecord) -> JSONValue {
        let (size, status) = audienceSizeAndStatus(audience)
        return [
            "id": .string(audience.id),
            "ad_account_id": .string(audience.adAccountID),
            "name": .string(audience.name),
            "audience_type": .string(audience.audienceType),
            "description": JSONValue(audience.description),
            "rule": audience.rule,
            "size": size.map { JSONValue($0) } ?? .null,
            "status": .string(status),
            "type": "audience",
            "created_timestamp": .int(audience.createdAt),
            "updated_timestamp": .int(audience.updatedAt),
            "created_by_company_name": .null,
        ]
    }

    /// `POST /v5/ad_accounts/{id}/audiences`: one `AudienceCreateRequest` object (not a list,
    /// whatever the spec's body description says).
    mutating func audiencesCreate(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        let body = try call.bodyObject()
        guard let name = body["name"]?.stringValue, !name.isEmpty else {
            throw .invalidParameters("name is required and must be a non-empty string.")
        }
        guard let type = body["audience_type"]?.stringValue, SandboxState.audienceTypes.contains(type) else {
            throw .invalidParameters(
                "audience_type is required and must be one of \(SandboxState.audienceTypes.sorted().joined(separator: ", ")).")
        }
        guard let rule = body["rule"]?.objectValue else {
            throw .invalidParameters("rule is required and must be an object.")
        }
        if let bodyAccount = body["ad_account_id"] {
            guard bodyAccount.stringValue == account.id else {
                throw .invalidParameters("ad_account_id in the body must match the ad account in the path.")
            }
        }
        var description: String? = nil
        if let value = body["description"], !value.isNull {
            guard let text = value.stringValue else { throw .invalidParameters("description must be a string.") }
            description = text
        }

        var listID: String? = nil
        var fixedSize: Int? = nil
        switch type {
        case "CUSTOMER_LIST":
            guard let id = rule["customer_list_id"]?.stringValue, Router.isPathID(id) else {
                throw .invalidParameters("rule.customer_list_id is required for CUSTOMER_LIST audiences (a digit string).")
            }
            guard let list = customerLists[id], list.adAccountID == account.id else {
                throw .invalidParameters("rule.customer_list_id \(id) is not a customer list of ad account \(account.id).")
            }
            listID = list.id
        case "ACTALIKE":
            guard let seeds = rule["seed_id"]?.arrayValue, !seeds.isEmpty else {
                throw .invalidParameters("rule.seed_id is required for ACTALIKE audiences (audience ids).")
            }
            for seed in seeds {
                guard let seedID = seed.stringValue, let seedAudience = audiences[seedID],
                    seedAudience.adAccountID == account.id
                else {
                    throw .invalidParameters("rule.seed_id must list audiences of this ad account (not customer lists).")
                }
            }
            guard let country = rule["country"]?.stringValue, ["US", "CA", "GB"].contains(country) else {
                throw .invalidParameters("rule.country must be US, CA or GB for ACTALIKE audiences.")
            }
            let percentage = rule["percentage"]?.intValue ?? rule["percentage"]?.stringValue.flatMap { Int64($0) }
            guard let percentage, (1...10).contains(percentage) else {
                throw .invalidParameters("rule.percentage must be an integer from 1 to 10 for ACTALIKE audiences.")
            }
            fixedSize = Int(percentage) * 100_000
        default:
            break
        }

        let created = now
        let audience = AudienceRecord(
            id: mintID(.audience), adAccountID: account.id, name: name, audienceType: type, description: description,
            rule: .object(rule), customerListID: listID, fixedSize: fixedSize, createdAt: created, updatedAt: created)
        audiences[audience.id] = audience
        index(audience.id, kind: .audience, account: account.id)
        return .json(200, audienceJSON(audience))
    }

    func audiencesGet(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        guard let id = call.route.resourceID, let audience = audiences[id], audience.adAccountID == account.id else {
            throw .notFound("Audience")
        }
        return .json(200, audienceJSON(audience))
    }

    func audiencesList(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        let pageRequest: PageRequest
        let ownership: String?
        do {
            pageRequest = try PageRequest(call.query)
            ownership = try call.query.enumeration("ownership_type", ["OWNED", "RECEIVED"])
        } catch {
            throw .invalid(SandboxState.audienceListDocumented, error.detail)
        }
        // Nothing is ever shared with a sandbox account, so RECEIVED is always empty.
        let candidates = ownership == "RECEIVED" ? [] : ids(.audience, account: account.id)
        let (page, bookmark) = pageRequest.page(of: candidates)
        return listResponse(page.compactMap { audiences[$0].map(audienceJSON) }, bookmark: bookmark)
    }
}

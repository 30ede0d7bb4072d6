extension SandboxState {
    static let entityStatuses = ["ACTIVE", "PAUSED", "ARCHIVED", "DRAFT", "DELETED_DRAFT"]
    static let objectiveTypes = ["AWARENESS", "CONSIDERATION", "WEB_CONVERSION", "CATALOG_SALES", "VIDEO_COMPLETION"]
    static let campaignListDocumented = "Invalid ad account campaign parameters."

    /// The items of a bulk create: a JSON array of 1–30 entries; anything else is a 400.
    func bulkItems(_ call: OperationRequest) throws(APIError) -> [JSONValue] {
        guard let items = call.json?.arrayValue else {
            throw .invalidParameters("the request body must be a JSON array of 1 to 30 objects.")
        }
        guard (1...30).contains(items.count) else {
            throw .invalidParameters("the request body must hold 1 to 30 items; it holds \(items.count).")
        }
        return items
    }

    /// `{items: [...]}` for campaigns and ad groups: `exceptions` is an array. A failed item has no
    /// `data` (the spec's `data` is a non-nullable object, so it is left out rather than null).
    func bulkResponse(_ results: [Result<JSONValue, BulkItemFailure>]) -> SandboxResponse {
        let items: [JSONValue] = results.map { result in
            switch result {
            case .success(let data):
                return ["data": data, "exceptions": []]
            case .failure(let failure):
                return [
                    "exceptions": .array(
                        failure.messages.map { ["code": .int(Int64(failure.code)), "message": .string($0)] })
                ]
            }
        }
        return .json(200, ["items": .array(items)])
    }

    /// Common checks of a bulk item: it must be an object.
    func bulkItemObject(_ value: JSONValue) -> Result<JSONObject, BulkItemFailure> {
        guard let object = value.objectValue else {
            return .failure(BulkItemFailure(["each item must be a JSON object, not \(value.typeName)."]))
        }
        return .success(object)
    }

    func summaryStatus(status: String, start: Int64?, end: Int64?) -> String {
        guard status == "ACTIVE" else { return status }
        let now = now
        if let start, start > now { return "NOT_STARTED" }
        if let end, end <= now { return "COMPLETED" }
        return "RUNNING"
    }

    func campaignJSON(_ campaign: CampaignRecord) -> JSONValue {
        var object = campaign.json
        object["summary_status"] = .string(
            summaryStatus(status: campaign.status, start: campaign.startTime, end: campaign.endTime))
        return .object(object)
    }

    /// `POST /v5/ad_accounts/{id}/campaigns`: 1–30 `CampaignCreateRequest`s, each validated alone.
    mutating func campaignsCreate(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        let items = try bulkItems(call)
        let results = items.map { value in
            bulkItemObject(value).flatMap { createCampaign($0, account: account) }
        }
        return bulkResponse(results)
    }

    mutating func createCampaign(_ item: JSONObject, account: AdAccountRecord) -> Result<JSONValue, BulkItemFailure> {
        var check = ItemValidator(item)
        let fields = readCampaign(&check, account: account)
        guard check.problems.isEmpty, let fields else { return .failure(BulkItemFailure(check.problems)) }
        let created = now
        let id = mintID(.campaign)
        let campaign = campaignRecord(fields, id: id, account: account, created: created, updated: created)
        campaigns[id] = campaign
        index(id, kind: .campaign, account: account.id)
        return .success(campaignJSON(campaign))
    }

    /// The fields of a `CampaignCreateRequest` (or of a campaign merged with an update), each
    /// checked against the spec, and the rules between them.
    struct CampaignFields {
        var name: String, objective: String, status: String
        var dailyCap: Int64?, lifetimeCap: Int64?, startTime: Int64?, endTime: Int64?
        var isCBO: Bool, defaultAdGroupBudget: Int64?, flexible: Bool, automated: Bool, performancePlus: Bool
        var orderLine: String?, tracking: JSONObject?, bidOptions: JSONObject?
    }

    func readCampaign(_ check: inout ItemValidator, account: AdAccountRecord) -> CampaignFields? {
        if let bodyAccount = check.identifier("ad_account_id", required: true), bodyAccount != account.id {
            check.problem("ad_account_id \(bodyAccount) does not match the ad account in the path (\(account.id)).")
        }
        let name = check.string("name", required: true)
        let objective = check.enumeration("objective_type", SandboxState.objectiveTypes, required: true)
        let status = check.enumeration("status", SandboxState.entityStatuses) ?? "ACTIVE"
        let dailyCap = check.integer("daily_spend_cap", nullable: true, range: 0...Int64.max)
        let lifetimeCap = check.integer("lifetime_spend_cap", nullable: true, range: 0...Int64.max)
        let startTime = check.integer("start_time", nullable: true, range: 0...Int64.max)
        let endTime = check.integer("end_time", nullable: true, range: 0...Int64.max)
        let isCBO = check.boolean("is_campaign_budget_optimization", nullable: true) ?? false
        let defaultAdGroupBudget = check.integer(
            "default_ad_group_budget_in_micro_currency", nullable: true, range: 0...Int64.max)
        let flexible = check.boolean("is_flexible_daily_budgets", nullable: false) ?? false
        let automated = check.boolean("is_automated_campaign", nullable: false) ?? false
        let performancePlus = check.boolean("is_performance_plus") ?? false
        let orderLine = check.identifier("order_line_id", nullable: true)
        let tracking = check.trackingURLs()
        let bidOptions = check.object("bid_options", nullable: true)
        if dailyCap != nil, lifetimeCap != nil {
            check.problem("daily_spend_cap and lifetime_spend_cap cannot be set at the same time.")
        }
        if isCBO, dailyCap == nil, lifetimeCap == nil {
            check.problem("a campaign budget optimization (CBO) campaign needs daily_spend_cap or lifetime_spend_cap.")
        }
        if let startTime, let endTime, endTime <= startTime {
            check.problem("end_time must be after start_time.")
        }
        guard let name, let objective else { return nil }
        return CampaignFields(
            name: name, objective: objective, status: status, dailyCap: dailyCap, lifetimeCap: lifetimeCap,
            startTime: startTime, endTime: endTime, isCBO: isCBO, defaultAdGroupBudget: defaultAdGroupBudget,
            flexible: flexible, automated: automated, performancePlus: performancePlus, orderLine: orderLine,
            tracking: tracking, bidOptions: bidOptions)
    }

    /// The campaign as Pinterest returns it (without `summary_status`), defaults filled: a
    /// campaign without `start_time` starts at `updated`.
    func campaignRecord(
        _ fields: CampaignFields, id: String, account: AdAccountRecord, created: Int64, updated: Int64
    ) -> CampaignRecord {
        let start = fields.startTime ?? updated
        var json = JSONObject()
        json["id"] = .string(id)
        json["ad_account_id"] = .string(account.id)
        json["name"] = .string(fields.name)
        json["status"] = .string(fields.status)
        json["objective_type"] = .string(fields.objective)
        json["daily_spend_cap"] = JSONValue(fields.dailyCap)
        json["lifetime_spend_cap"] = JSONValue(fields.lifetimeCap)
        json["start_time"] = .int(start)
        json["end_time"] = JSONValue(fields.endTime)
        json["order_line_id"] = JSONValue(fields.orderLine)
        json["tracking_urls"] = fields.tracking.map { .object($0) } ?? .null
        json["bid_options"] = fields.bidOptions.map { .object($0) } ?? .null
        json["is_campaign_budget_optimization"] = .bool(fields.isCBO)
        json["default_ad_group_budget_in_micro_currency"] = JSONValue(fields.defaultAdGroupBudget)
        json["is_flexible_daily_budgets"] = .bool(fields.flexible)
        json["is_automated_campaign"] = .bool(fields.automated)
        json["is_performance_plus"] = .bool(fields.performancePlus)
        json["created_time"] = .int(created)
        json["updated_time"] = .int(updated)
        json["type"] = "campaign"
        return CampaignRecord(
            id: id, adAccountID: account.id, name: fields.name, status: fields.status, objectiveType: fields.objective,
            isBudgetOptimized: fields.isCBO, startTime: start, endTime: fields.endTime, json: json)
    }

    /// Filters shared by the campaign, ad group and ad lists.
    struct EntityFilter {
        var campaignIDs: Set<String>?
        var adGroupIDs: Set<String>?
        var adIDs: Set<String>?
        var statuses: Set<String>
        var page: PageRequest

        init(_ query: QueryParameters, adGroups: Bool = false, ads: Bool = false) throws(ParameterError) {
            func ids(_ name: String) throws(ParameterError) -> Set<String>? {
                guard let list = query.list(name) else { return nil }
                guard (1...250).contains(list.count) else {
                    throw ParameterError("\(name) takes 1 to 250 ids; got \(list.count).")
                }
                guard list.allSatisfy(Router.isPathID) else {
                    throw ParameterError("\(name) must be digit strings of at most 18 characters.")
                }
                return Set(list)
            }
            campaignIDs = try ids("campaign_ids")
            if adGroups || ads { adGroupIDs = try ids("ad_group_ids") }
            if ads { adIDs = try ids("ad_ids") }
            let given = [("campaign_ids", campaignIDs), ("ad_group_ids", adGroupIDs), ("ad_ids", adIDs)]
                .filter { $0.1 != nil }.map(\.0)
            if given.count > 1 {
                throw ParameterError(
                    "provide only one of \(given.joined(separator: ", ")): the spec takes one kind of id filter at a time.")
            }
            if let list = query.list("entity_statuses") {
                guard list.allSatisfy(SandboxState.entityStatuses.contains) else {
                    throw ParameterError(
                        "entity_statuses must be among \(SandboxState.entityStatuses.joined(separator: ", ")).")
                }
                statuses = Set(list)
            } else {
                statuses = ["ACTIVE", "PAUSED"]
            }
            page = try PageRequest(query)
        }
    }

    func campaignsList(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        let filter: EntityFilter
        do { filter = try EntityFilter(call.query) } catch {
            throw .invalid(SandboxState.campaignListDocumented, error.detail)
        }
        let matching = ids(.campaign, account: account.id).filter { id in
            guard let campaign = campaigns[id] else { return false }
            return filter.statuses.contains(campaign.status) && (filter.campaignIDs?.contains(id) ?? true)
        }
        let (page, bookmark) = filter.page.page(of: matching)
        return listResponse(page.compactMap { campaigns[$0].map(campaignJSON) }, bookmark: bookmark)
    }

    func campaignsGet(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        guard let id = call.route.resourceID, let campaign = campaigns[id], campaign.adAccountID == account.id else {
            throw .notFound("Campaign")
        }
        return .json(200, campaignJSON(campaign))
    }
}

/// Why one item of a bulk create was not created: answered as that item's `exceptions`.
struct BulkItemFailure: Error, Sendable {
    var code = 1
    var messages: [String]

    init(_ messages: [String], code: Int = 1) {
        self.messages = messages.isEmpty ? ["invalid item."] : messages
        self.code = code
    }
}

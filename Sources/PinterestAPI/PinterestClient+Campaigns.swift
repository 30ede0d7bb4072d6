import PinAdsJSON

/// Campaigns, ad groups and ads: bulk creates and updates, lists, and their analytics.
extension PinterestClient {
    // MARK: - Campaigns

    /// Creates 1–30 campaigns; the answer says, per item, what was created or why not.
    public func createCampaigns(token: AccessToken, adAccountID: String, _ campaigns: [CampaignCreate]) async throws -> [BulkItem<Campaign>] {
        try await bulkCreate(.campaignsCreate, path: "/ad_accounts/\(try id(adAccountID))/campaigns", token: token, items: campaigns)
    }

    /// `campaigns/update` (PATCH) of 1–30 campaigns with distinct ids. One result per item, in
    /// request order: a result goes to the item of its `data.id`; one without data (exceptions
    /// only) by elimination or position (`matchUpdateResults` has the rules). An answer with
    /// another number of results is `malformedResponse`. Never replayed by the transport.
    public func updateCampaigns(token: AccessToken, adAccountID: String, _ items: [CampaignUpdate]) async throws -> [BulkItem<Campaign>] {
        try await bulkUpdate(
            .campaignsUpdate, path: "/ad_accounts/\(try id(adAccountID))/campaigns", token: token, items: items, ids: items.map(\.id),
            id: \Campaign.id)
    }

    /// All campaigns matching the filters, every page. Empty filters are not sent (Pinterest's
    /// default statuses are ACTIVE and PAUSED); more than 250 ids are asked in several calls.
    public func listCampaigns(
        token: AccessToken, adAccountID: String, campaignIDs: [String] = [], entityStatuses: [String] = []
    ) async throws -> [Campaign] {
        try await listFiltered(
            .campaignsList, path: "/ad_accounts/\(try id(adAccountID))/campaigns", token: token,
            filters: [("campaign_ids", campaignIDs)], entityStatuses: entityStatuses)
    }

    // MARK: - Ad groups

    public func createAdGroups(token: AccessToken, adAccountID: String, _ adGroups: [AdGroupCreate]) async throws -> [BulkItem<AdGroup>] {
        try await bulkCreate(.adGroupsCreate, path: "/ad_accounts/\(try id(adAccountID))/ad_groups", token: token, items: adGroups)
    }

    /// `ad_groups/update` (PATCH) of 1–30 ad groups, matched as `matchUpdateResults` says.
    public func updateAdGroups(token: AccessToken, adAccountID: String, _ items: [AdGroupUpdate]) async throws -> [BulkItem<AdGroup>] {
        try await bulkUpdate(
            .adGroupsUpdate, path: "/ad_accounts/\(try id(adAccountID))/ad_groups", token: token, items: items, ids: items.map(\.id),
            id: \AdGroup.id)
    }

    /// All ad groups matching the filters. Pinterest takes campaign ids or ad group ids, not
    /// both: giving both is refused before sending.
    public func listAdGroups(
        token: AccessToken, adAccountID: String, campaignIDs: [String] = [], adGroupIDs: [String] = [], entityStatuses: [String] = []
    ) async throws -> [AdGroup] {
        try await listFiltered(
            .adGroupsList, path: "/ad_accounts/\(try id(adAccountID))/ad_groups", token: token,
            filters: [("campaign_ids", campaignIDs), ("ad_group_ids", adGroupIDs)], entityStatuses: entityStatuses)
    }

    // MARK: - Ads

    public func createAds(token: AccessToken, adAccountID: String, _ ads: [AdCreate]) async throws -> [BulkItem<Ad>] {
        try await bulkCreate(.adsCreate, path: "/ad_accounts/\(try id(adAccountID))/ads", token: token, items: ads)
    }

    /// `ads/update` (PATCH) of 1–30 ads, matched as `matchUpdateResults` says.
    public func updateAds(token: AccessToken, adAccountID: String, _ items: [AdUpdate]) async throws -> [BulkItem<Ad>] {
        try await bulkUpdate(
            .adsUpdate, path: "/ad_accounts/\(try id(adAccountID))/ads", token: token, items: items, ids: items.map(\.id), id: \Ad.id)
    }

    /// All ads matching the filters (none: every ad of the account). One kind of id at a time.
    public func listAds(
        token: AccessToken, adAccountID: String, campaignIDs: [String] = [], adGroupIDs: [String] = [], adIDs: [String] = [],
        entityStatuses: [String] = []
    ) async throws -> [Ad] {
        try await listFiltered(
            .adsList, path: "/ad_accounts/\(try id(adAccountID))/ads", token: token,
            filters: [("campaign_ids", campaignIDs), ("ad_group_ids", adGroupIDs), ("ad_ids", adIDs)], entityStatuses: entityStatuses)
    }

    // MARK: - Analytics

    /// Campaign metrics: one row per campaign (and date, for DAY/WEEK/MONTH/HOUR), with a key per
    /// requested column. Dates are `YYYY-MM-DD` in UTC; Pinterest allows 90 days back and a
    /// 90-day range.
    public func campaignAnalytics(
        token: AccessToken, adAccountID: String, startDate: String, endDate: String, campaignIDs: [String],
        columns: [String], granularity: AnalyticsGranularity
    ) async throws -> [[String: JSONValue]] {
        try await analytics(
            .campaignsAnalytics, path: "/ad_accounts/\(try id(adAccountID))/campaigns/analytics", token: token, startDate: startDate,
            endDate: endDate, idName: "campaign_ids", ids: campaignIDs, columns: columns, granularity: granularity)
    }

    /// Ad group metrics (`ad_groups/analytics`), rows keyed by `AD_GROUP_ID`; as `campaignAnalytics`.
    public func adGroupAnalytics(
        token: AccessToken, adAccountID: String, startDate: String, endDate: String, adGroupIDs: [String],
        columns: [String], granularity: AnalyticsGranularity
    ) async throws -> [[String: JSONValue]] {
        try await analytics(
            .adGroupsAnalytics, path: "/ad_accounts/\(try id(adAccountID))/ad_groups/analytics", token: token, startDate: startDate,
            endDate: endDate, idName: "ad_group_ids", ids: adGroupIDs, columns: columns, granularity: granularity)
    }

    /// Ad metrics (`ads/analytics`) by ad id, rows keyed by `AD_ID`; as `campaignAnalytics`.
    public func adAnalytics(
        token: AccessToken, adAccountID: String, startDate: String, endDate: String, adIDs: [String],
        columns: [String], granularity: AnalyticsGranularity
    ) async throws -> [[String: JSONValue]] {
        try await analytics(
            .adsAnalytics, path: "/ad_accounts/\(try id(adAccountID))/ads/analytics", token: token, startDate: startDate,
            endDate: endDate, idName: "ad_ids", ids: adIDs, columns: columns, granularity: granularity)
    }

    // MARK: - Plumbing of these calls

    /// Every page of a list, with at most one id filter (the lists take one kind of id at a
    /// time), its ids deduplicated and asked 250 per call, and the results concatenated.
    func listFiltered<Item: Decodable>(
        _ operation: PinterestOperation, path: String, token: AccessToken, filters: [(name: String, ids: [String])],
        entityStatuses: [String]
    ) async throws -> [Item] {
        let given = filters.filter { !$0.ids.isEmpty }
        guard given.count <= 1 else {
            throw PinterestError.invalidRequest(
                "\(operation.id) takes one kind of id filter at a time, got \(given.map(\.name).joined(separator: " and "))")
        }
        let statuses = entityStatuses.map { ("entity_statuses", $0) }
        guard let filter = given.first else { return try await allPages(operation, path: path, token: token, query: statuses) }
        var seen: Set<String> = []
        let ids = filter.ids.filter { seen.insert($0).inserted }
        var items: [Item] = []
        for start in stride(from: 0, to: ids.count, by: Self.maximumFilterIDs) {
            let chunk = ids[start..<min(start + Self.maximumFilterIDs, ids.count)]
            items += try await allPages(operation, path: path, token: token, query: chunk.map { (filter.name, $0) } + statuses) as [Item]
        }
        return items
    }

    /// A PATCH of 1–30 items with distinct ids, its answer matched to the request.
    func bulkUpdate<Item: Encodable, Updated: Decodable & Sendable>(
        _ operation: PinterestOperation, path: String, token: AccessToken, items: [Item], ids: [String], id: (Updated) -> String
    ) async throws -> [BulkItem<Updated>] {
        guard (1...Self.maximumBulkItems).contains(items.count) else {
            throw PinterestError.invalidRequest("\(operation.id) takes 1 to \(Self.maximumBulkItems) items, got \(items.count)")
        }
        var seen: Set<String> = []
        for itemID in ids where !seen.insert(itemID).inserted {
            throw PinterestError.invalidRequest("\(operation.id): id \(itemID) is given twice; one item per id")
        }
        let response = try await perform(
            operation, method: "PATCH", path: path, token: token, headers: [("Content-Type", "application/json")],
            body: try Self.encode(items))
        let answer = try decode(BulkResponse<Updated>.self, response, operation)
        return try Self.matchUpdateResults(
            answer.items, requestIDs: ids, id: id, operation: operation, requestID: response.headers["x-pinterest-rid"])
    }

    /// Matches the results of a bulk update to its items (the spec does not promise that results
    /// keep request order). Returns one `BulkItem` per request item, in request order, `index`
    /// being the item's index:
    /// - The answer must hold exactly one result per item, else `malformedResponse`.
    /// - A result with `data` goes to the item of the same id (`data.id`); an id that was not
    ///   asked, or two results for one id, is `malformedResponse`.
    /// - Results without `data` (exceptions only) go to the items left: by elimination when one
    ///   is left; else by position, when every result with an id sat at its own item's position
    ///   (the answer kept request order). When results with ids came reordered and several
    ///   are left, which exception is whose is unknown: each item left gets all of those
    ///   exceptions (none of them was applied, as no data came back for it).
    static func matchUpdateResults<Updated>(
        _ results: [BulkResponse<Updated>.Item], requestIDs ids: [String], id: (Updated) -> String, operation: PinterestOperation,
        requestID: String?
    ) throws -> [BulkItem<Updated>] {
        func malformed(_ reason: String) -> PinterestError {
            .malformedResponse(operation: operation.id, reason: reason, requestID: requestID)
        }
        guard results.count == ids.count else { throw malformed("\(results.count) results for \(ids.count) items") }
        var indexByID: [String: Int] = [:]
        for (index, itemID) in ids.enumerated() { indexByID[itemID] = index }
        var matched: [Int: BulkResponse<Updated>.Item] = [:]
        var unidentified: [(position: Int, result: BulkResponse<Updated>.Item)] = []
        var inOrder = true
        for (position, result) in results.enumerated() {
            guard let data = result.data else {
                unidentified.append((position, result))
                continue
            }
            let dataID = id(data)
            guard let index = indexByID[dataID] else { throw malformed("a result for id \(dataID), which was not in the request") }
            guard matched.updateValue(result, forKey: index) == nil else { throw malformed("two results for id \(dataID)") }
            if index != position { inOrder = false }
        }
        // As many results as items, each id matched once: the items left are as many as the
        // results without data.
        let left = ids.indices.filter { matched[$0] == nil }
        var unattributed: [PinterestItemException] = []
        if unidentified.count == 1, let only = unidentified.first, let index = left.first {
            matched[index] = only.result
        } else if inOrder {
            // Every identified result sits at its own position, so the positions left are the items left.
            for entry in unidentified { matched[entry.position] = entry.result }
        } else {
            unattributed = unidentified.flatMap(\.result.exceptions)
        }
        return ids.indices.map { index in
            guard let result = matched[index] else { return BulkItem(index: index, created: nil, exceptions: unattributed) }
            return BulkItem(index: index, created: result.data, exceptions: result.exceptions)
        }
    }

    /// An analytics GET: 1–250 ids under a repeated key (the OpenAPI default, explode),
    /// `columns` comma-separated (`explode: false`).
    func analytics(
        _ operation: PinterestOperation, path: String, token: AccessToken, startDate: String, endDate: String, idName: String,
        ids: [String], columns: [String], granularity: AnalyticsGranularity
    ) async throws -> [[String: JSONValue]] {
        guard (1...Self.maximumFilterIDs).contains(ids.count) else {
            throw PinterestError.invalidRequest("\(operation.id) takes 1 to \(Self.maximumFilterIDs) \(idName), got \(ids.count)")
        }
        guard !columns.isEmpty else { throw PinterestError.invalidRequest("\(operation.id) needs at least one column") }
        var query = [("start_date", startDate), ("end_date", endDate)]
        query += ids.map { (idName, $0) }
        query += [("columns", columns.joined(separator: ",")), ("granularity", granularity.rawValue)]
        let response = try await perform(operation, method: "GET", path: path, token: token, query: query)
        return try decode([[String: JSONValue]].self, response, operation)
    }
}

/// Conversion tags (the Pinterest tag) and keywords.
extension PinterestClient {
    // MARK: - Conversion tags

    /// `conversion_tags/list`: every tag of the ad account (the endpoint has no pages).
    /// `filter_deleted` is always sent; Pinterest's own default is false (deleted tags included).
    public func listConversionTags(token: AccessToken, adAccountID: String, filterDeleted: Bool = true) async throws -> [ConversionTag] {
        let page: Page<ConversionTag> = try await getJSON(
            .conversionTagsList, path: "/ad_accounts/\(try id(adAccountID))/conversion_tags", token: token,
            query: [("filter_deleted", filterDeleted ? "true" : "false")])
        return page.items
    }

    /// `conversion_tags/create` (Pinterest answers 200 or 201). Not replayed by the transport.
    public func createConversionTag(token: AccessToken, adAccountID: String, _ tag: ConversionTagCreate) async throws -> ConversionTag {
        try await sendJSON(.conversionTagsCreate, method: "POST", path: "/ad_accounts/\(try id(adAccountID))/conversion_tags", token: token, body: tag)
    }

    /// `conversion_tags/get`.
    public func conversionTag(token: AccessToken, adAccountID: String, id tagID: String) async throws -> ConversionTag {
        try await getJSON(.conversionTagsGet, path: "/ad_accounts/\(try id(adAccountID))/conversion_tags/\(try id(tagID))", token: token)
    }

    // MARK: - Keywords

    /// `keywords/create` under one parent: an ad account, campaign or ad group id (digits, with
    /// an optional `C` or `AG` prefix). HTTP 200 even when keywords fail: see `errors`. At least
    /// one keyword (the spec sets no upper limit).
    public func createKeywords(
        token: AccessToken, adAccountID: String, parentID: String, _ keywords: [KeywordSpec]
    ) async throws -> KeywordsResult {
        guard !keywords.isEmpty else { throw PinterestError.invalidRequest("keywords/create needs at least one keyword") }
        guard Self.isKeywordParent(parentID) else {
            throw PinterestError.invalidRequest("'\(parentID)' is not a keyword parent id (digits, optionally after C or AG)")
        }
        let response: KeywordsResponse = try await sendJSON(
            .keywordsCreate, method: "POST", path: "/ad_accounts/\(try id(adAccountID))/keywords", token: token,
            body: KeywordsRequest(parentID: parentID, keywords: keywords))
        return response.result
    }

    /// `keywords/get` filtered by one ad group: its keywords, every page.
    public func listKeywords(token: AccessToken, adAccountID: String, adGroupID: String) async throws -> [Keyword] {
        try await allPages(
            .keywordsGet, path: "/ad_accounts/\(try id(adAccountID))/keywords", token: token, query: [("ad_group_id", try id(adGroupID))])
    }

    /// `keywords/update` (PATCH; only `archived` changes). HTTP 200 even when keywords fail:
    /// see `errors`. At least one update. Not replayed by the transport.
    public func updateKeywords(token: AccessToken, adAccountID: String, _ updates: [KeywordUpdate]) async throws -> KeywordsResult {
        guard !updates.isEmpty else { throw PinterestError.invalidRequest("keywords/update needs at least one keyword") }
        let response: KeywordsResponse = try await sendJSON(
            .keywordsUpdate, method: "PATCH", path: "/ad_accounts/\(try id(adAccountID))/keywords", token: token,
            body: KeywordUpdateBody(keywords: updates))
        return response.result
    }

    /// `^((AG)|C)?\d+$`, as the spec's `KeywordsRequest.parent_id`.
    static func isKeywordParent(_ value: String) -> Bool {
        let digits: Substring
        if value.hasPrefix("AG") {
            digits = value.dropFirst(2)
        } else if value.hasPrefix("C") {
            digits = value.dropFirst()
        } else {
            digits = Substring(value)
        }
        return !digits.isEmpty && digits.utf8.count <= 18 && digits.utf8.allSatisfy { (48...57).contains($0) }
    }
}

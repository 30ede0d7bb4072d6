/// Conversion tags, the Pinterest tag (NOTES §8.7): create, list and get. 5.23 has no update and
/// no delete, so every tag stays ACTIVE.
extension SandboxState {
    /// The AEM flags of `ConversionTagCreate`, nested under `configs` in answers.
    static let conversionTagFlags = [
        "aem_enabled", "aem_fnln_enabled", "aem_ph_enabled", "aem_ge_enabled", "aem_db_enabled", "aem_loc_enabled",
        "aem_external_id_enabled",
    ]
    static let conversionTagCreateFields = Set(conversionTagFlags + ["name", "md_frequency"])

    /// `POST /v5/ad_accounts/{id}/conversion_tags`: one `ConversionTagCreate` object → 200
    /// `ConversionTag`. Unknown fields, a missing or empty `name` and mistyped values are 400s.
    mutating func conversionTagsCreate(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        var check = ItemValidator(try call.bodyObject())
        check.onlyKeys(SandboxState.conversionTagCreateFields, schema: "ConversionTagCreate")
        let name = check.string("name", required: true)
        var flags: [(String, Bool)] = []
        for key in SandboxState.conversionTagFlags {
            flags.append((key, check.boolean(key, nullable: true) ?? false))
        }
        let frequency = check.number("md_frequency", nullable: true) ?? 1
        guard check.problems.isEmpty, let name else {
            throw .invalidParameters(check.problems.joined(separator: " "))
        }

        let tag = addConversionTag(name: name, flags: flags, frequency: frequency, account: account.id)
        return .json(200, .object(tag.json))
    }

    /// A new ACTIVE tag of `account` (the ad account must exist).
    mutating func addConversionTag(name: String, flags: [(String, Bool)], frequency: Double, account: String)
        -> ConversionTagRecord
    {
        let id = mintID(.conversionTag)
        var configs = JSONObject()
        for (key, value) in flags { configs[key] = .bool(value) }
        configs["md_frequency"] = .double(frequency)
        configs["no_code_capi_domains"] = []
        var json = JSONObject()
        json["id"] = .string(id)
        json["ad_account_id"] = .string(account)
        json["name"] = .string(name)
        json["status"] = "ACTIVE"
        json["code_snippet"] = .string(SandboxState.tagCodeSnippet(tagID: id, enhancedMatch: flags.contains { $0.1 }))
        json["configs"] = .object(configs)
        // Enhanced match is validated once the tag fires with it, which no sandbox tag does. Not
        // null: the spec's schema (a nullable allOf of a non-nullable enum) does not take it.
        json["enhanced_match_status"] = flags.contains { $0.1 } ? "NOT_VALIDATED" : "UNKNOWN"
        json["last_fired_time_ms"] = .null
        json["version"] = "3"
        let tag = ConversionTagRecord(id: id, adAccountID: account, json: json)
        conversionTags[id] = tag
        index(id, kind: .conversionTag, account: account)
        return tag
    }

    /// ``PinterestSandbox/seedConversionTag(adAccountID:name:)``: a tag with every AEM flag off.
    mutating func seedConversionTag(adAccountID: String, name: String) throws(SandboxControlError) -> String {
        guard adAccounts[adAccountID] != nil else { throw .notFound("ad_account_id", "ad account \(adAccountID)") }
        guard !name.isEmpty else { throw .invalid("name", "must not be empty.") }
        let flags = SandboxState.conversionTagFlags.map { ($0, false) }
        return addConversionTag(name: name, flags: flags, frequency: 1, account: adAccountID).id
    }

    /// `GET /v5/ad_accounts/{id}/conversion_tags[?filter_deleted=BOOL]` → `{items}` (no bookmark),
    /// oldest first. No tag is ever deleted here, so `filter_deleted` only has to be a boolean.
    func conversionTagsList(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        do { _ = try call.query.boolean("filter_deleted") } catch { throw .invalidParameters(error.detail) }
        let items = ids(.conversionTag, account: account.id).compactMap { conversionTags[$0] }
            .map { JSONValue.object($0.json) }
        return .json(200, ["items": .array(items)])
    }

    /// `GET /v5/ad_accounts/{id}/conversion_tags/{conversion_tag_id}`; a tag of another ad
    /// account is a 404 like an unknown one.
    func conversionTagsGet(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        guard let id = call.route.resourceID, let tag = conversionTags[id], tag.adAccountID == account.id else {
            throw .notFound("Conversion tag")
        }
        return .json(200, .object(tag.json))
    }

    /// The base code of the Pinterest tag for the site's `<head>`, as Ads Manager shows it.
    static func tagCodeSnippet(tagID: String, enhancedMatch: Bool) -> String {
        let load = enhancedMatch ? "pintrk('load', '\(tagID)', {em: '<user_email_address>'});" : "pintrk('load', '\(tagID)');"
        return "<!-- Pinterest Tag -->\n<script>\n!function(e){if(!window.pintrk){window.pintrk = function () {\n"
            + "window.pintrk.queue.push(Array.prototype.slice.call(arguments))};var\n"
            + "  n=window.pintrk;n.queue=[],n.version=\"3.0\";var\n"
            + "  t=document.createElement(\"script\");t.async=!0,t.src=e;var\n"
            + "  r=document.getElementsByTagName(\"script\")[0];\n"
            + "  r.parentNode.insertBefore(t,r)}}(\"https://s.pinimg.com/ct/core.js\");\n"
            + "\(load)\npintrk('page');\n</script>\n<noscript>\n"
            + "<img height=\"1\" width=\"1\" style=\"display:none;\" alt=\"\"\n"
            + "  src=\"https://ct.pinterest.com/v3/?event=init&tid=\(tagID)&noscript=1\" />\n</noscript>\n<!-- end Pinterest Tag -->"
    }
}

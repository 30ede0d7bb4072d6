extension SandboxState {
    /// The properties of `AdUpdateRequest` (AdCommon + `id` + `pin_id`).
    static let adUpdateFields: Set<String> = [
        "id", "pin_id", "ad_group_id", "android_deep_link", "carousel_android_deep_links", "carousel_destination_urls",
        "carousel_ios_deep_links", "click_tracking_url", "creative_type", "customizable_cta_type", "destination_url",
        "disclosure_type", "disclosure_url", "grid_click_type", "ios_deep_link", "is_pin_deleted", "is_removable",
        "lead_form_id", "name", "quiz_pin_data", "status", "tracking_urls", "view_tracking_url",
    ]
    static let adResponseOnlyFields: Set<String> = [
        "id", "ad_account_id", "campaign_id", "collection_items_destination_url_template", "created_time",
        "updated_time", "type", "summary_status", "review_status", "rejected_reasons", "rejection_labels",
    ]

    /// `PATCH /v5/ad_accounts/{id}/ads`: 1–30 `AdUpdateRequest`s (NOTES §13.5); the answer has the
    /// create's shape (`exceptions` one object per item).
    mutating func adsUpdate(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        let items = try bulkItems(call)
        var results: [Result<JSONValue, BulkItemFailure>] = []
        for value in items {
            results.append(bulkItemObject(value).flatMap { updateAd($0, account: account) })
        }
        return adBulkResponse(results)
    }

    /// An ad keeps its ad group and creative type; `pin_id` changes only on drafts; the read-only
    /// `grid_click_type` is ignored (NOTES §13.5). An edit does not restart the review.
    mutating func updateAd(_ item: JSONObject, account: AdAccountRecord) -> Result<JSONValue, BulkItemFailure> {
        var check = ItemValidator(item)
        check.onlyKeys(SandboxState.adUpdateFields, schema: "AdUpdateRequest")
        guard let id = check.identifier("id", required: true) else { return .failure(BulkItemFailure(check.problems)) }
        guard let stored = ads[id], stored.adAccountID == account.id else {
            return .failure(SandboxState.unknownID(id, "an ad", account: account.id))
        }
        guard stored.status != "ARCHIVED" else { return .failure(SandboxState.archived("an ad", id)) }
        if let adGroupID = check.identifier("ad_group_id", prefix: "AG"), adGroupID != stored.adGroupID {
            check.problem("ad_group_id cannot be changed: ad \(id) belongs to ad group \(stored.adGroupID).")
        }
        if let creativeType = item["creative_type"], creativeType != stored.json["creative_type"] {
            check.problem(
                "creative_type cannot be changed: ad \(id) is \(stored.json["creative_type"]?.stringValue ?? "?"); create a new ad instead.")
        }
        if stored.status != "DRAFT", let pinID = item["pin_id"], !pinID.isNull, pinID != stored.json["pin_id"] {
            check.problem("pin_id can only be changed on DRAFT ads; ad \(id) is \(stored.status).")
        }

        var merged = SandboxState.requestView(stored.json, dropping: SandboxState.adResponseOnlyFields)
        for entry in item.pairs where entry.key != "id" {
            switch (entry.key, entry.value) {
            case ("grid_click_type", _), ("pin_id", .null):
                continue  // read-only; a null pin_id (nullable in the update schema) changes nothing
            case ("tracking_urls", .object(let urls)) where urls.isEmpty:
                merged["tracking_urls"] = nil  // "Pass in an empty object - {} - to remove tracking URLs"
            default:
                merged[entry.key] = entry.value
            }
        }
        var mergedCheck = ItemValidator(merged)
        let fields = readAd(&mergedCheck, account: account, joinsAdGroup: false)
        let problems = check.problems + mergedCheck.problems
        guard problems.isEmpty, let fields else { return .failure(BulkItemFailure(problems)) }

        let time = now
        var ad = stored
        ad.status = fields.status
        ad.json = adBody(fields, id: id, account: account, created: stored.json["created_time"]?.intValue ?? time, updated: time)
        ads[id] = ad
        return .success(adJSON(ad))
    }

    /// Pinterest's review deciding on an ad (`POST /_sandbox/ads/review`): APPROVED clears the
    /// reasons; REJECTED takes `rejected_reasons` from the spec's enum (default OTHER) and
    /// labels (default: the reasons in words); PENDING waits for the next decision.
    mutating func review(adID: String, status: String, reasons: [String]?, labels: [String]?)
        throws(SandboxControlError) -> JSONValue
    {
        guard var ad = ads[adID] else { throw .notFound("ad_id", "ad \(adID)") }
        guard SandboxState.reviewStatuses.contains(status) else {
            throw .invalid("review_status", "must be one of \(SandboxState.reviewStatuses.joined(separator: ", ")).")
        }
        if status != "REJECTED", reasons?.isEmpty == false || labels?.isEmpty == false {
            throw .invalid("rejected_reasons", "and rejection_labels go only with review_status REJECTED.")
        }
        let given = reasons ?? []
        if let bad = given.first(where: { !SandboxState.rejectedReasons.contains($0) }) {
            throw .invalid("rejected_reasons", "holds \"\(bad)\", which is not a reason of the spec's enum.")
        }
        var review = AdReview(status: status)
        if status == "REJECTED" {
            review.rejectedReasons = given.isEmpty ? ["OTHER"] : given
            review.rejectionLabels = labels ?? review.rejectedReasons.map(SandboxState.label(ofReason:))
        }
        ad.review = review
        ads[adID] = ad
        return adJSON(ad)
    }

    static let reviewStatuses = ["OTHER", "PENDING", "REJECTED", "APPROVED"]

    /// "LANDING_PAGE_BROKEN" → "Landing page broken".
    static func label(ofReason reason: String) -> String {
        let words = reason.lowercased().replacingOccurrences(of: "_", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    /// `AdResponse.rejected_reasons` items.
    static let rejectedReasons: Set<String> = [
        "HASHTAGS", "PROMOTIONS_AND_PRICES", "TARGETING", "LANDING_PAGE", "CAPS_AND_SYMBOLS", "SHOCKING", "WEIGHT_LOSS",
        "PROHIBITED_PRODUCT", "AUTHENTICITY", "NUDITY", "CONFUSING_DESIGN", "URGENCY", "RATINGS", "APP", "ALCOHOL",
        "CONTESTS", "POLITICAL", "OTHER", "IMAGE", "NAR", "INCONSISTENT", "CLICKBAIT", "NO_DESCRIPTION", "LOW_QUALITY",
        "EXAGGERATED_CLAIMS", "PINTEREST_BRAND", "ALCOHOL_NO_SALE", "LANDING_PAGE_SPEED", "LANDING_PAGE_HARDWALL",
        "LANDING_PAGE_BROKEN", "LANDING_PAGE_QUALITY", "OUT_OF_STOCK", "IMAGE_LOW_QUALITY", "IMAGE_BUSY",
        "IMAGE_POORLY_EDITED", "IMAGE_BEFORE_AFTER", "UGC", "FAKE_BUTTONS", "WEAPONS", "SENSITIVE",
        "UNACCEPTABLE_BUSINESS", "SUSPICIOUS_CLAIMS", "PHARMA", "SUSPICIOUS_SUPPLEMENTS", "ILLEGAL_RECREATIONAL_DRUG",
        "LOW_QUALITY_LANDING_PAGE", "RESTRICTED_HEALTHCARE", "INCONSISTENT_LANG_FR",
    ]
}

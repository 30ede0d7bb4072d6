extension SandboxState {
    static let creativeTypes = [
        "REGULAR", "VIDEO", "SHOPPING", "CAROUSEL", "MAX_VIDEO", "SHOP_THE_PIN", "COLLECTION", "IDEA", "SHOWCASE",
        "QUIZ", "COLLAGE", "MAX_WIDTH_REGULAR_COLLECTION", "MAX_WIDTH_VIDEO_COLLECTION",
    ]
    static let callToActionTypes = [
        "GET_OFFER", "LEARN_MORE", "ORDER_NOW", "SHOP_NOW", "SIGN_UP", "SUBSCRIBE", "BUY_NOW", "CONTACT_US",
        "GET_QUOTE", "VISIT_SITE", "APPLY_NOW", "BOOK_NOW", "REQUEST_DEMO", "REGISTER_NOW", "FIND_A_DEALER",
        "ADD_TO_CART", "WATCH_NOW", "READ_MORE", "BUY_TICKETS", "DONATE_NOW", "DOWNLOAD", "EXPLORE_MORE",
        "FIND_A_LOCATION", "GET_DEAL", "GET_RECIPE", "GET_SHOWTIMES", "ON_SALE", "PLAY_GAME", "TRY_IT",
    ]
    static let disclosureTypes = [
        "NO_DISCLOSURE", "PRESCRIBING_INFORMATION", "PRESCRIBING_INFORMATION_BOX_WARNING", "IMPORTANT_SAFETY_INFO",
        "MED_GUIDE", "PATIENT_INFORMATION",
    ]
    static let adListDocumented = "Invalid ad account ads parameters."

    /// The ad as Pinterest answers it: its review as of now and the `summary_status` that follows
    /// from its status and review (a rejected ad shows REJECTED unless it is archived or a draft).
    func adJSON(_ ad: AdRecord) -> JSONValue {
        var object = ad.json
        let review = currentReview(ad.review)
        object["review_status"] = .string(review.status)
        object["rejected_reasons"] = JSONValue(strings: review.rejectedReasons)
        object["rejection_labels"] = JSONValue(strings: review.rejectionLabels)
        let summary: String =
            switch (ad.status, review.status) {
            case ("ARCHIVED", _), ("DRAFT", _), ("DELETED_DRAFT", _): ad.status
            case (_, "REJECTED"): "REJECTED"
            case ("PAUSED", _): "PAUSED"
            case (_, "APPROVED"): "APPROVED"
            default: "PENDING"
            }
        object["summary_status"] = .string(summary)
        return .object(object)
    }

    /// A review as of now: a PENDING one whose time has come is APPROVED.
    func currentReview(_ review: AdReview) -> AdReview {
        guard review.status == "PENDING", let approvesAt = review.approvesAt, approvesAt <= now else { return review }
        return AdReview(status: "APPROVED")
    }

    /// The review a new ad starts with (``SandboxConfiguration/adReviewSeconds``).
    var newAdReview: AdReview {
        guard let seconds = configuration.adReviewSeconds else { return AdReview(status: "PENDING") }
        guard seconds > 0 else { return AdReview(status: "APPROVED") }
        return AdReview(status: "PENDING", approvesAt: now + Int64(seconds))
    }

    /// `POST /v5/ad_accounts/{id}/ads`: 1–30 `AdCreateRequest`s. Unlike campaigns and ad groups,
    /// each item's `exceptions` is a single `{code, message}` object (spec `AdArrayResponse`).
    mutating func adsCreate(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        let items = try bulkItems(call)
        var results: [Result<JSONValue, BulkItemFailure>] = []
        for value in items {
            results.append(bulkItemObject(value).flatMap { createAd($0, account: account) })
        }
        return adBulkResponse(results)
    }

    /// `{items: [...]}` for ads: `exceptions` is one object, the messages joined.
    func adBulkResponse(_ results: [Result<JSONValue, BulkItemFailure>]) -> SandboxResponse {
        let items: [JSONValue] = results.map { result in
            switch result {
            case .success(let data):
                return ["data": data]
            case .failure(let failure):
                return [
                    "exceptions": [
                        "code": .int(Int64(failure.code)),
                        "message": .string(failure.messages.joined(separator: " ")),
                    ]
                ]
            }
        }
        return .json(200, ["items": .array(items)])
    }

    /// The fields of an ad to create (or of one merged with an update).
    struct AdFields {
        var adGroup: AdGroupRecord
        var creativeType: String, pinID: String, name: String?, status: String
        var strings: [(String, String?)], carousels: [(String, [String]?)]
        var callToAction: String?, gridClick: String?, disclosure: String?, leadForm: String?
        var pinDeleted: Bool?, removable: Bool?, quiz: JSONObject?, tracking: JSONObject?
    }

    mutating func createAd(_ item: JSONObject, account: AdAccountRecord) -> Result<JSONValue, BulkItemFailure> {
        var check = ItemValidator(item)
        guard let fields = readAd(&check, account: account, joinsAdGroup: true), check.problems.isEmpty else {
            return .failure(BulkItemFailure(check.problems))
        }
        let created = now
        let id = mintID(.ad)
        let ad = AdRecord(
            id: id, adAccountID: account.id, campaignID: fields.adGroup.campaignID, adGroupID: fields.adGroup.id,
            status: fields.status, review: newAdReview,
            json: adBody(fields, id: id, account: account, created: created, updated: created))
        ads[id] = ad
        index(id, kind: .ad, account: account.id)
        return .success(adJSON(ad))
    }

    /// Every create-time rule of an ad. `joinsAdGroup`: the ad is new to its ad group, which
    /// must then not be ARCHIVED.
    func readAd(_ check: inout ItemValidator, account: AdAccountRecord, joinsAdGroup: Bool) -> AdFields? {
        let adGroupID = check.identifier("ad_group_id", required: true, prefix: "AG")
        let creativeType = check.enumeration("creative_type", SandboxState.creativeTypes, required: true)
        let pinID = check.identifier("pin_id", required: true)
        let name = check.string("name", nullable: true, maxLength: 255)
        let status = check.enumeration("status", SandboxState.entityStatuses) ?? "ACTIVE"
        var strings: [(String, String?)] = []
        for key in [
            "destination_url", "click_tracking_url", "view_tracking_url", "android_deep_link", "ios_deep_link",
            "disclosure_url",
        ] {
            strings.append((key, check.string(key, nullable: true)))
        }
        let carousels = ["carousel_android_deep_links", "carousel_destination_urls", "carousel_ios_deep_links"].map {
            ($0, check.stringArray($0, nullable: true))
        }
        let callToAction = check.enumeration("customizable_cta_type", SandboxState.callToActionTypes, nullable: true)
        let gridClick = check.enumeration("grid_click_type", ["CLOSEUP", "DIRECT_TO_DESTINATION"], nullable: true)
        let disclosure = check.enumeration("disclosure_type", SandboxState.disclosureTypes, nullable: true)
        let leadForm = check.identifier("lead_form_id", nullable: true, prefix: "AG")
        let pinDeleted = check.boolean("is_pin_deleted")
        let removable = check.boolean("is_removable")
        let quiz = check.object("quiz_pin_data", nullable: true)
        let tracking = check.trackingURLs()

        let adGroup = adGroupID.flatMap { adGroups[$0] }
        if let adGroupID, adGroup == nil || adGroup?.adAccountID != account.id {
            check.problem("ad_group_id \(adGroupID) is not an ad group of ad account \(account.id).")
        }
        if joinsAdGroup, let adGroup, adGroup.status == "ARCHIVED" {
            check.problem("ad_group_id \(adGroup.id) is ARCHIVED: archived ad groups cannot be changed or get new ads.")
        }
        guard let adGroup, let creativeType, let pinID else { return nil }
        return AdFields(
            adGroup: adGroup, creativeType: creativeType, pinID: pinID, name: name, status: status, strings: strings,
            carousels: carousels, callToAction: callToAction, gridClick: gridClick, disclosure: disclosure,
            leadForm: leadForm, pinDeleted: pinDeleted, removable: removable, quiz: quiz, tracking: tracking)
    }

    /// The ad as Pinterest returns it, without its review and `summary_status` (``adJSON(_:)``).
    func adBody(_ fields: AdFields, id: String, account: AdAccountRecord, created: Int64, updated: Int64) -> JSONObject {
        var json = JSONObject()
        json["id"] = .string(id)
        json["ad_account_id"] = .string(account.id)
        json["campaign_id"] = .string(fields.adGroup.campaignID)
        json["ad_group_id"] = .string(fields.adGroup.id)
        json["pin_id"] = .string(fields.pinID)
        json["creative_type"] = .string(fields.creativeType)
        json["name"] = JSONValue(fields.name)
        json["status"] = .string(fields.status)
        for (key, value) in fields.strings { json[key] = JSONValue(value) }
        for (key, value) in fields.carousels { json[key] = value.map { JSONValue(strings: $0) } ?? .null }
        json["customizable_cta_type"] = JSONValue(fields.callToAction)
        // Left out when unset: the spec's enum for it has no null even though it is nullable.
        if let gridClick = fields.gridClick { json["grid_click_type"] = .string(gridClick) }
        json["disclosure_type"] = JSONValue(fields.disclosure)
        json["lead_form_id"] = JSONValue(fields.leadForm)
        json["is_pin_deleted"] = .bool(fields.pinDeleted ?? false)
        json["is_removable"] = .bool(fields.removable ?? false)
        json["quiz_pin_data"] = fields.quiz.map { .object($0) } ?? .null
        json["tracking_urls"] = fields.tracking.map { .object($0) } ?? .null
        json["collection_items_destination_url_template"] = .null
        json["created_time"] = .int(created)
        json["updated_time"] = .int(updated)
        json["type"] = "pinpromotion"
        return json
    }

    func adsList(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        let filter: EntityFilter
        do { filter = try EntityFilter(call.query, ads: true) } catch {
            throw .invalid(SandboxState.adListDocumented, error.detail)
        }
        let matching = ids(.ad, account: account.id).filter { id in
            guard let ad = ads[id] else { return false }
            return filter.statuses.contains(ad.status)
                && (filter.campaignIDs?.contains(ad.campaignID) ?? true)
                && (filter.adGroupIDs?.contains(ad.adGroupID) ?? true)
                && (filter.adIDs?.contains(id) ?? true)
        }
        let (page, bookmark) = filter.page.page(of: matching)
        return listResponse(page.compactMap { ads[$0].map(adJSON) }, bookmark: bookmark)
    }

    func adsGet(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        guard let id = call.route.resourceID, let ad = ads[id], ad.adAccountID == account.id else {
            throw .notFound("Ad")
        }
        return .json(200, adJSON(ad))
    }
}

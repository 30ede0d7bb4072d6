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

    func adJSON(_ ad: AdRecord) -> JSONValue {
        var object = ad.json
        let summary: String =
            switch ad.status {
            case "ACTIVE": "APPROVED"
            default: ad.status
            }
        object["summary_status"] = .string(summary)
        return .object(object)
    }

    /// `POST /v5/ad_accounts/{id}/ads`: 1–30 `AdCreateRequest`s. Unlike campaigns and ad groups,
    /// each item's `exceptions` is a single `{code, message}` object (spec `AdArrayResponse`).
    mutating func adsCreate(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        let items = try bulkItems(call)
        var results: [JSONValue] = []
        for value in items {
            let result: Result<JSONValue, BulkItemFailure>
            switch bulkItemObject(value) {
            case .success(let object): result = createAd(object, account: account)
            case .failure(let failure): result = .failure(failure)
            }
            switch result {
            case .success(let data):
                results.append(["data": data])
            case .failure(let failure):
                results.append([
                    "exceptions": [
                        "code": .int(Int64(failure.code)),
                        "message": .string(failure.messages.joined(separator: " ")),
                    ]
                ])
            }
        }
        return .json(200, ["items": .array(results)])
    }

    mutating func createAd(_ item: JSONObject, account: AdAccountRecord) -> Result<JSONValue, BulkItemFailure> {
        var check = ItemValidator(item)
        let adGroupID = check.identifier("ad_group_id", required: true, prefix: "AG")
        let creativeType = check.enumeration("creative_type", SandboxState.creativeTypes, required: true)
        let pinID = check.identifier("pin_id", required: true)
        let name = check.string("name", nullable: true, maxLength: 255)
        let status = check.enumeration("status", SandboxState.entityStatuses) ?? "ACTIVE"
        var optionalStrings: [(String, String?)] = []
        for key in [
            "destination_url", "click_tracking_url", "view_tracking_url", "android_deep_link", "ios_deep_link",
            "disclosure_url",
        ] {
            optionalStrings.append((key, check.string(key, nullable: true)))
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
        guard check.problems.isEmpty, let adGroup, let creativeType, let pinID else {
            return .failure(BulkItemFailure(check.problems))
        }

        let created = now
        let id = mintID(.ad)
        var json = JSONObject()
        json["id"] = .string(id)
        json["ad_account_id"] = .string(account.id)
        json["campaign_id"] = .string(adGroup.campaignID)
        json["ad_group_id"] = .string(adGroup.id)
        json["pin_id"] = .string(pinID)
        json["creative_type"] = .string(creativeType)
        json["name"] = JSONValue(name)
        json["status"] = .string(status)
        for (key, value) in optionalStrings { json[key] = JSONValue(value) }
        for (key, value) in carousels { json[key] = value.map { JSONValue(strings: $0) } ?? .null }
        json["customizable_cta_type"] = JSONValue(callToAction)
        // Left out when unset: the spec's enum for it has no null even though it is nullable.
        if let gridClick { json["grid_click_type"] = .string(gridClick) }
        json["disclosure_type"] = JSONValue(disclosure)
        json["lead_form_id"] = JSONValue(leadForm)
        json["is_pin_deleted"] = .bool(pinDeleted ?? false)
        json["is_removable"] = .bool(removable ?? false)
        json["quiz_pin_data"] = quiz.map { .object($0) } ?? .null
        json["tracking_urls"] = tracking.map { .object($0) } ?? .null
        json["review_status"] = "APPROVED"
        json["rejected_reasons"] = []
        json["rejection_labels"] = []
        json["collection_items_destination_url_template"] = .null
        json["created_time"] = .int(created)
        json["updated_time"] = .int(created)
        json["type"] = "pinpromotion"
        let ad = AdRecord(
            id: id, adAccountID: account.id, campaignID: adGroup.campaignID, adGroupID: adGroup.id, status: status,
            json: json)
        ads[id] = ad
        index(id, kind: .ad, account: account.id)
        return .success(adJSON(ad))
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

/// `POST /_sandbox/ads/review`: Pinterest's ad review, decided by the test; and
/// `POST /_sandbox/conversion_tags`: a tag made without a `/v5` call.
extension SandboxEngine {
    /// `{"ad_account_id": "…", "name": "…"}` (name optional) → `{"id": "…"}`.
    func controlSeedConversionTag(_ request: SandboxRequest) throws(APIError) -> JSONValue {
        let body = try controlBody(request)
        if let unknown = body.keys.first(where: { $0 != "ad_account_id" && $0 != "name" }) {
            throw .invalidParameters("\(unknown) is not a field of /_sandbox/conversion_tags (ad_account_id, name).")
        }
        guard let account = body["ad_account_id"]?.stringValue else {
            throw .invalidParameters("ad_account_id is required (a string).")
        }
        if let name = body["name"], name.stringValue == nil { throw .invalidParameters("name must be a string.") }
        do {
            return ["id": .string(try seedConversionTag(adAccountID: account, name: body["name"]?.stringValue ?? "Sandbox tag"))]
        } catch {
            throw error.apiError
        }
    }

    func seedConversionTag(adAccountID: String, name: String) throws(SandboxControlError) -> String {
        try state.withLockedValue { state in
            Result { () throws(SandboxControlError) -> String in try state.seedConversionTag(adAccountID: adAccountID, name: name) }
        }.get()
    }

    static let reviewKeys: Set<String> = ["ad_id", "review_status", "rejected_reasons", "rejection_labels"]

    /// `{"ad_id": "…", "review_status": "REJECTED", "rejected_reasons": ["LANDING_PAGE_BROKEN"],
    /// "rejection_labels": ["…"]}` → the ad as `GET /v5/ad_accounts/{id}/ads/{ad_id}` answers it.
    /// `review_status` is OTHER, PENDING, REJECTED or APPROVED; reasons (the spec's enum, default
    /// OTHER) and labels (default: the reasons in words) go only with REJECTED.
    func controlReviewAd(_ request: SandboxRequest) throws(APIError) -> JSONValue {
        let body = try controlBody(request)
        if let unknown = body.keys.first(where: { !SandboxEngine.reviewKeys.contains($0) }) {
            throw .invalidParameters(
                "\(unknown) is not a field of /_sandbox/ads/review (\(SandboxEngine.reviewKeys.sorted().joined(separator: ", "))).")
        }
        guard let adID = body["ad_id"]?.stringValue, !adID.isEmpty else {
            throw .invalidParameters("ad_id is required (a string).")
        }
        guard let status = body["review_status"]?.stringValue else {
            throw .invalidParameters("review_status is required: OTHER, PENDING, REJECTED or APPROVED.")
        }
        let reasons = try stringList(body, "rejected_reasons")
        let labels = try stringList(body, "rejection_labels")
        do {
            return try reviewAd(adID, status: status, rejectedReasons: reasons, rejectionLabels: labels)
        } catch {
            throw error.apiError
        }
    }

    private func stringList(_ body: JSONObject, _ key: String) throws(APIError) -> [String]? {
        guard let value = body[key], !value.isNull else { return nil }
        guard let array = value.arrayValue, array.allSatisfy({ $0.stringValue != nil }) else {
            throw .invalidParameters("\(key) must be an array of strings.")
        }
        return array.compactMap(\.stringValue)
    }

    /// See ``PinterestSandbox/reviewAd(_:status:rejectedReasons:rejectionLabels:)``.
    func reviewAd(_ adID: String, status: String, rejectedReasons: [String]?, rejectionLabels: [String]?)
        throws(SandboxControlError) -> JSONValue
    {
        try state.withLockedValue { state in
            Result { () throws(SandboxControlError) -> JSONValue in
                try state.review(adID: adID, status: status, reasons: rejectedReasons, labels: rejectionLabels)
            }
        }.get()
    }
}

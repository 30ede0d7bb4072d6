import Foundation

extension SandboxState {
    static let analyticsDocumented = "Invalid ad account campaign analytics parameters."
    static let granularities: Set<String> = ["TOTAL", "DAY", "HOUR", "WEEK", "MONTH"]
    static let attributionWindows: Set<String> = ["0", "1", "7", "14", "30", "60"]

    /// Columns that describe the campaign rather than measure it; campaign-level ones get the
    /// campaign's value, the rest have no value at campaign level and are left out of rows.
    static let campaignDimensionColumns: Set<String> = [
        "CAMPAIGN_NAME", "CAMPAIGN_ID", "ADVERTISER_ID", "AD_ACCOUNT_ID", "CAMPAIGN_ENTITY_STATUS",
        "CAMPAIGN_OBJECTIVE_TYPE", "CAMPAIGN_LIFETIME_SPEND_CAP", "CAMPAIGN_DAILY_SPEND_CAP",
        "CAMPAIGN_BUDGET_OPTIMIZATION", "IS_PREMIERE_CAMPAIGN",
    ]
    static let lowerLevelColumns: Set<String> = [
        "CAMPAIGN_BRAND_LABEL", "PIN_ID", "PIN_PROMOTION_ID", "AD_ID", "AD_GROUP_ID", "AD_GROUP_NAME",
        "AD_GROUP_BUDGET_TYPE", "AD_GROUP_BUDGET_IN_LOCAL_CURRENCY", "AD_GROUP_ENTITY_STATUS",
        "AD_GROUP_BID_MULTIPLIER", "PROMO_ID", "PROMO_NAME", "ORDER_LINE_ID", "ORDER_LINE_NAME", "AD_NAME",
        "AD_GROUP_OPTIMIZATION", "PRODUCT_GROUP_AD_IMAGE_TAG", "PRODUCT_GROUP_AD_VIDEO_TAG", "VIDEO_LENGTH",
    ]

    /// `GET /v5/ad_accounts/{id}/campaigns/analytics`.
    ///
    /// Rules: `start_date`/`end_date` are `YYYY-MM-DD`, start no more than 90 days before the
    /// sandbox's today (8 for HOUR), end not before start and at most 90 days after it (3 for
    /// HOUR); 1–250 `campaign_ids` (repeated key or comma-separated); `columns` from the spec's
    /// enum; `granularity` TOTAL, DAY, HOUR, WEEK or MONTH. Rows exist only for known campaigns
    /// of the ad account and for days up to today; the numbers are a fixed function of
    /// (campaign, day, column), so repeated calls agree, and coarser granularities are sums of
    /// the daily numbers (ratios are not summed).
    func campaignsAnalytics(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        let documented = SandboxState.analyticsDocumented
        let report = try analyticsReport(call.query, documented: documented, offersAggregate: true)
        let ids = try SandboxState.analyticsIDs(call.query, "campaign_ids", documented: documented, required: true) ?? []
        let entities = Array(Set(ids)).compactMap { id -> AnalyticsEntity? in
            guard let campaign = campaigns[id], campaign.adAccountID == account.id else { return nil }
            return campaignEntity(campaign)
        }
        return .json(200, .array(analyticsRows(report, entities: entities)))
    }

    /// The parameters every analytics level shares, checked as §9 says.
    struct AnalyticsReport {
        var columns: [String]
        var aggregate: Bool
        var periods: [AnalyticsPeriod]
    }

    func analyticsReport(_ query: QueryParameters, documented: String, offersAggregate: Bool) throws(APIError)
        -> AnalyticsReport
    {
        func invalid(_ detail: String) -> APIError { .invalid(documented, detail) }
        guard let startText = query.value("start_date"), let start = CivilDate(startText) else {
            throw invalid("start_date is required as YYYY-MM-DD.")
        }
        guard let endText = query.value("end_date"), let end = CivilDate(endText) else {
            throw invalid("end_date is required as YYYY-MM-DD.")
        }
        guard let granularity = query.value("granularity"), SandboxState.granularities.contains(granularity) else {
            throw invalid("granularity is required: TOTAL, DAY, HOUR, WEEK or MONTH.")
        }
        guard let columns = query.list("columns"), !columns.isEmpty else {
            throw invalid("columns is required (comma-separated).")
        }
        if let unknown = columns.first(where: { !AnalyticsColumns.allowed.contains($0) }) {
            throw invalid("columns: \"\(unknown)\" is not a reporting column.")
        }
        for name in ["click_window_days", "engagement_window_days", "view_window_days"] {
            if let value = query.value(name), !SandboxState.attributionWindows.contains(value) {
                throw invalid("\(name) must be one of 0, 1, 7, 14, 30, 60.")
            }
        }
        if let value = query.value("conversion_report_time"), !["TIME_OF_AD_ACTION", "TIME_OF_CONVERSION"].contains(value) {
            throw invalid("conversion_report_time must be TIME_OF_AD_ACTION or TIME_OF_CONVERSION.")
        }
        if let value = query.value("reporting_timezone"), !["PINTEREST_TIME_ZONE", "AD_ACCOUNT_TIME_ZONE"].contains(value) {
            throw invalid("reporting_timezone must be PINTEREST_TIME_ZONE or AD_ACCOUNT_TIME_ZONE.")
        }
        var aggregate = false
        if offersAggregate {
            do { aggregate = try query.boolean("aggregate_report_rows") ?? false } catch { throw invalid(error.detail) }
        } else if query.contains("aggregate_report_rows") {
            throw invalid("aggregate_report_rows is not a parameter of this report: every row is one object's.")
        }

        let today = CivilDate(unixSeconds: now)
        let isHourly = granularity == "HOUR"
        let lookback: Int64 = isHourly ? 8 : 90
        let maximumRange: Int64 = isHourly ? 3 : 90
        guard start >= today + (-lookback) else {
            throw invalid("start_date must be within \(lookback) days before today (\((today + -lookback).text)).")
        }
        guard end >= start else { throw invalid("end_date must not be before start_date.") }
        guard end - start <= maximumRange else {
            throw invalid("end_date must be at most \(maximumRange) days after start_date.")
        }
        let periods = SandboxState.analyticsPeriods(from: start, through: min(end, today), granularity: granularity)
        return AnalyticsReport(columns: columns, aggregate: aggregate, periods: periods)
    }

    /// An id-array parameter: 1 to `maximum` digit strings (≤18 characters), nil when absent.
    static func analyticsIDs(
        _ query: QueryParameters, _ name: String, documented: String, required: Bool = false, maximum: Int = 250
    ) throws(APIError) -> [String]? {
        guard let ids = query.list(name) else {
            if required { throw .invalid(documented, "\(name) is required (1 to \(maximum) ids).") }
            return nil
        }
        guard !ids.isEmpty, ids.count <= maximum else {
            throw .invalid(documented, "\(name) takes 1 to \(maximum) ids; got \(ids.count).")
        }
        guard ids.allSatisfy(Router.isPathID) else {
            throw .invalid(documented, "\(name) must be digit strings of at most 18 characters.")
        }
        return ids
    }

    struct AnalyticsPeriod {
        /// Label for the DATE key; nil for TOTAL.
        var label: CivilDate?
        var hour: Int?
        var days: [CivilDate]
    }

    static func analyticsPeriods(from start: CivilDate, through last: CivilDate, granularity: String)
        -> [AnalyticsPeriod]
    {
        guard start <= last else { return [] }
        let days = (0...(last - start)).map { start + $0 }
        switch granularity {
        case "TOTAL":
            return [AnalyticsPeriod(label: nil, hour: nil, days: days)]
        case "HOUR":
            return days.flatMap { day in (0..<24).map { AnalyticsPeriod(label: day, hour: $0, days: [day]) } }
        case "WEEK":
            return stride(from: 0, to: days.count, by: 7).map { offset in
                AnalyticsPeriod(label: days[offset], hour: nil, days: Array(days[offset..<min(offset + 7, days.count)]))
            }
        case "MONTH":
            var periods: [AnalyticsPeriod] = []
            var cursor = start
            while cursor <= last {
                let next = cursor.firstOfNextMonth
                let chunk = days.filter { $0 >= cursor && $0 < next }
                periods.append(AnalyticsPeriod(label: cursor, hour: nil, days: chunk))
                cursor = next
            }
            return periods
        default:
            return days.map { AnalyticsPeriod(label: $0, hour: nil, days: [$0]) }
        }
    }
}

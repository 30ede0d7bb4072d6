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
        func invalid(_ detail: String) -> APIError { .invalid(SandboxState.analyticsDocumented, detail) }
        let query = call.query

        guard let startText = query.value("start_date"), let start = CivilDate(startText) else {
            throw invalid("start_date is required as YYYY-MM-DD.")
        }
        guard let endText = query.value("end_date"), let end = CivilDate(endText) else {
            throw invalid("end_date is required as YYYY-MM-DD.")
        }
        guard let granularity = query.value("granularity"), SandboxState.granularities.contains(granularity) else {
            throw invalid("granularity is required: TOTAL, DAY, HOUR, WEEK or MONTH.")
        }
        guard let campaignIDs = query.list("campaign_ids"), !campaignIDs.isEmpty else {
            throw invalid("campaign_ids is required (1 to 250 ids).")
        }
        guard campaignIDs.count <= 250 else { throw invalid("campaign_ids takes at most 250 ids; got \(campaignIDs.count).") }
        guard campaignIDs.allSatisfy(Router.isPathID) else {
            throw invalid("campaign_ids must be digit strings of at most 18 characters.")
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
        let aggregate: Bool
        do { aggregate = try query.boolean("aggregate_report_rows") ?? false } catch { throw invalid(error.detail) }

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

        let lastDay = min(end, today)
        let known = Array(Set(campaignIDs)).compactMap { id -> CampaignRecord? in
            guard let campaign = campaigns[id], campaign.adAccountID == account.id else { return nil }
            return campaign
        }.sorted { (UInt64($0.id) ?? 0) < (UInt64($1.id) ?? 0) }

        let periods = SandboxState.analyticsPeriods(
            from: start, through: lastDay, granularity: granularity)
        var rows: [JSONValue] = []
        if aggregate {
            for period in periods where !known.isEmpty {
                rows.append(
                    .object(analyticsRow(campaigns: known, period: period, columns: columns, dimensions: false)))
            }
        } else {
            for campaign in known {
                for period in periods {
                    rows.append(
                        .object(analyticsRow(campaigns: [campaign], period: period, columns: columns, dimensions: true)))
                }
            }
        }
        return .json(200, .array(rows))
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

    func analyticsRow(campaigns: [CampaignRecord], period: AnalyticsPeriod, columns: [String], dimensions: Bool)
        -> JSONObject
    {
        var row = JSONObject()
        if let label = period.label { row["DATE"] = .string(label.text) }
        if let hour = period.hour { row["HOUR"] = JSONValue(hour) }
        let campaign = campaigns.count == 1 ? campaigns[0] : nil
        if dimensions, let campaign { row["CAMPAIGN_ID"] = .string(campaign.id) }
        let seedSuffix = period.hour.map { "#\($0)" } ?? ""
        for column in columns where row[column] == nil {
            if SandboxState.lowerLevelColumns.contains(column) { continue }
            if SandboxState.campaignDimensionColumns.contains(column) {
                guard dimensions, let campaign else { continue }
                switch column {
                case "CAMPAIGN_NAME": row[column] = .string(campaign.name)
                case "ADVERTISER_ID", "AD_ACCOUNT_ID": row[column] = .string(campaign.adAccountID)
                case "CAMPAIGN_ENTITY_STATUS": row[column] = .string(campaign.status)
                case "CAMPAIGN_OBJECTIVE_TYPE": row[column] = .string(campaign.objectiveType)
                case "CAMPAIGN_LIFETIME_SPEND_CAP":
                    if let cap = campaign.json["lifetime_spend_cap"], !cap.isNull { row[column] = cap }
                case "CAMPAIGN_DAILY_SPEND_CAP":
                    if let cap = campaign.json["daily_spend_cap"], !cap.isNull { row[column] = cap }
                case "CAMPAIGN_BUDGET_OPTIMIZATION": row[column] = .bool(campaign.isBudgetOptimized)
                case "IS_PREMIERE_CAMPAIGN": row[column] = .bool(false)
                default: break
                }
                continue
            }
            if SandboxState.isRatioColumn(column) {
                let seed = campaigns.map(\.id).joined(separator: "+") + "|"
                    + (period.days.first?.text ?? "") + "-" + (period.days.last?.text ?? "") + seedSuffix + "|" + column
                row[column] = .double(SandboxState.ratioValue(seed: seed))
                continue
            }
            let isDollars = column.hasSuffix("_IN_DOLLAR") || column.hasSuffix("_IN_DOLLAR_1")
            let source = isDollars ? SandboxState.microSibling(of: column) : column
            var total: Int64 = 0
            for campaign in campaigns {
                for day in period.days {
                    total += SandboxState.dailyValue(
                        seed: campaign.id + "|" + day.text + seedSuffix + "|" + source, column: source,
                        hourly: period.hour != nil)
                }
            }
            row[column] = isDollars ? .double(Double(total) / 1_000_000) : .int(total)
        }
        return row
    }

    /// Ratios, prices and averages: one value per period, never summed.
    static func isRatioColumn(_ column: String) -> Bool {
        if column.hasSuffix("_RATE") || column.contains("ROAS") || column.contains("COST_PER") { return true }
        if ["CTR", "ECTR", "OUTBOUND_CTR_1", "CTR_2"].contains(column) { return true }
        if column.hasPrefix("CPC_") || column.hasPrefix("CPM_") || column.hasPrefix("ECP") { return true }
        return column.contains("FREQUENCY") || column.contains("AVG")
    }

    /// `SPEND_IN_DOLLAR` is derived from `SPEND_IN_MICRO_DOLLAR` so the two always agree.
    static func microSibling(of column: String) -> String {
        column.replacingOccurrences(of: "_IN_DOLLAR", with: "_IN_MICRO_DOLLAR")
    }

    static func dailyValue(seed: String, column: String, hourly: Bool) -> Int64 {
        let range: ClosedRange<Int64>
        if column.contains("MICRO_DOLLAR") || column.contains("VALUE") || column.contains("SPEND") {
            range = 1_000_000...50_000_000
        } else if column.contains("IMPRESSION") {
            range = 1_000...20_000
        } else if column.contains("CLICK") || column.contains("ENGAGEMENT") || column.contains("REPIN")
            || column.contains("SESSIONS") || column.contains("VIDEO") || column.contains("SHOWCASE")
        {
            range = 10...500
        } else {
            range = 0...25
        }
        let span = UInt64(range.upperBound - range.lowerBound + 1)
        let value = range.lowerBound + Int64(Hashing.fnv1a(seed) % span)
        return hourly ? value / 24 : value
    }

    static func ratioValue(seed: String) -> Double {
        Double(Hashing.fnv1a(seed) % 10_000) / 100_000
    }
}

import Foundation

/// The synthetic numbers of every analytics level. A row's metrics are a fixed function of
/// (object id, day, column), so repeated calls agree and an ad group's numbers come from its id
/// exactly as a campaign's come from its id; coarser granularities sum the days (ratios are
/// drawn per period, never summed).
extension SandboxState {
    /// Columns that describe an object rather than measure it: each level answers those of
    /// itself and of its parents, and leaves the others out of its rows.
    static let dimensionColumns: Set<String> = campaignDimensionColumns.union(lowerLevelColumns)

    /// One object reported on: its id (the seed of its numbers), the row key naming it, and the
    /// dimension columns it has values for.
    struct AnalyticsEntity {
        var id: String
        var key: String
        var dimensions: JSONObject
    }

    func campaignEntity(_ campaign: CampaignRecord) -> AnalyticsEntity {
        var dimensions = JSONObject()
        dimensions["CAMPAIGN_ID"] = .string(campaign.id)
        dimensions["CAMPAIGN_NAME"] = .string(campaign.name)
        dimensions["ADVERTISER_ID"] = .string(campaign.adAccountID)
        dimensions["AD_ACCOUNT_ID"] = .string(campaign.adAccountID)
        dimensions["CAMPAIGN_ENTITY_STATUS"] = .string(campaign.status)
        dimensions["CAMPAIGN_OBJECTIVE_TYPE"] = .string(campaign.objectiveType)
        for (column, key) in [("CAMPAIGN_LIFETIME_SPEND_CAP", "lifetime_spend_cap"), ("CAMPAIGN_DAILY_SPEND_CAP", "daily_spend_cap")] {
            if let cap = campaign.json[key], !cap.isNull { dimensions[column] = cap }
        }
        dimensions["CAMPAIGN_BUDGET_OPTIMIZATION"] = .bool(campaign.isBudgetOptimized)
        dimensions["IS_PREMIERE_CAMPAIGN"] = .bool(false)
        return AnalyticsEntity(id: campaign.id, key: "CAMPAIGN_ID", dimensions: dimensions)
    }

    func adGroupEntity(_ adGroup: AdGroupRecord) -> AnalyticsEntity {
        var dimensions = campaigns[adGroup.campaignID].map { campaignEntity($0).dimensions } ?? JSONObject()
        dimensions["AD_GROUP_ID"] = .string(adGroup.id)
        if let name = adGroup.json["name"] { dimensions["AD_GROUP_NAME"] = name }
        dimensions["AD_GROUP_ENTITY_STATUS"] = .string(adGroup.status)
        if let budgetType = adGroup.json["budget_type"] { dimensions["AD_GROUP_BUDGET_TYPE"] = budgetType }
        if let budget = adGroup.json["budget_in_micro_currency"]?.intValue {
            dimensions["AD_GROUP_BUDGET_IN_LOCAL_CURRENCY"] = .double(Double(budget) / 1_000_000)
        }
        if let multiplier = adGroup.json["bid_multiplier"], !multiplier.isNull { dimensions["AD_GROUP_BID_MULTIPLIER"] = multiplier }
        return AnalyticsEntity(id: adGroup.id, key: "AD_GROUP_ID", dimensions: dimensions)
    }

    func adEntity(_ ad: AdRecord) -> AnalyticsEntity {
        var dimensions = adGroups[ad.adGroupID].map { adGroupEntity($0).dimensions } ?? JSONObject()
        dimensions["AD_ID"] = .string(ad.id)
        dimensions["PIN_PROMOTION_ID"] = .string(ad.id)
        if let pin = ad.json["pin_id"] { dimensions["PIN_ID"] = pin }
        if let name = ad.json["name"], !name.isNull { dimensions["AD_NAME"] = name }
        return AnalyticsEntity(id: ad.id, key: "AD_ID", dimensions: dimensions)
    }

    /// The rows of a report: one per object and period, ordered by id then time; with
    /// `aggregate_report_rows`, one per period summing every object (and no key).
    func analyticsRows(_ report: AnalyticsReport, entities: [AnalyticsEntity]) -> [JSONValue] {
        let sorted = entities.sorted { (UInt64($0.id) ?? 0) < (UInt64($1.id) ?? 0) }
        var rows: [JSONValue] = []
        if report.aggregate {
            for period in report.periods where !sorted.isEmpty {
                rows.append(.object(analyticsRow(sorted, period: period, columns: report.columns, aggregated: true)))
            }
        } else {
            for entity in sorted {
                for period in report.periods {
                    rows.append(.object(analyticsRow([entity], period: period, columns: report.columns, aggregated: false)))
                }
            }
        }
        return rows
    }

    /// One row over `entities` (one, or all of them for an aggregated row, which gets no
    /// dimension values).
    func analyticsRow(_ entities: [AnalyticsEntity], period: AnalyticsPeriod, columns: [String], aggregated: Bool)
        -> JSONObject
    {
        var row = JSONObject()
        if let label = period.label { row["DATE"] = .string(label.text) }
        if let hour = period.hour { row["HOUR"] = JSONValue(hour) }
        let single = !aggregated && entities.count == 1 ? entities[0] : nil
        if let single { row[single.key] = .string(single.id) }
        let seedSuffix = period.hour.map { "#\($0)" } ?? ""
        for column in columns where row[column] == nil {
            if SandboxState.dimensionColumns.contains(column) {
                if let value = single?.dimensions[column] { row[column] = value }
                continue
            }
            if SandboxState.isRatioColumn(column) {
                let seed = entities.map(\.id).joined(separator: "+") + "|"
                    + (period.days.first?.text ?? "") + "-" + (period.days.last?.text ?? "") + seedSuffix + "|" + column
                row[column] = .double(SandboxState.ratioValue(seed: seed))
                continue
            }
            let isDollars = column.hasSuffix("_IN_DOLLAR") || column.hasSuffix("_IN_DOLLAR_1")
            let source = isDollars ? SandboxState.microSibling(of: column) : column
            var total: Int64 = 0
            for entity in entities {
                for day in period.days {
                    total += SandboxState.dailyValue(
                        seed: entity.id + "|" + day.text + seedSuffix + "|" + source, column: source,
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

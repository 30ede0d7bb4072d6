import ArgumentParser
import Foundation
import PinAdsProtocol

// MARK: - campaign metrics

struct CampaignMetrics: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Daily spend, impressions, clicks, saves and conversions, with totals and rates.",
        discussion: """
            Read from what pinads stored; the campaign_metrics task pulls from Pinterest every 6 hours \
            (`pinads schedule run campaign_metrics` pulls now). Dates are UTC days, both ends included; by \
            default the last 7 days ending today. Money is in units of the ad account's currency.

            Rates: CTR = clicks / impressions, CPC = spend / clicks, CPM = spend per 1,000 impressions, \
            ROAS = conversion value / spend ("-" when there is nothing to divide by).

            Levels: --level campaign (the default) gives one row per campaign and day; --level ad-group one \
            per ad group and day (--ad-group ID for one of them); --level ad one per ad and day (--ad-group ID \
            for that ad group's ads). --ad-group alone means --level ad-group.

            --csv prints a header and one line per row (no totals), RFC 4180 quoting, for a spreadsheet: \
            columns date, campaign_id, ad_group_id (levels ad-group and ad), ad_id (level ad), spend, \
            impressions, clicks, saves, conversions, conversion_value. Money (spend, conversion_value) is in \
            units of the ad account's currency, exact (micro-currency / 1,000,000, at least 2 decimals: 12.50, \
            0.000001); a number Pinterest did not report is an empty field.

            Examples:
              pinads campaign metrics
              pinads campaign metrics 3 --from 2026-11-01 --to 2026-11-30
              pinads campaign metrics 3 --level ad-group
              pinads campaign metrics 3 --level ad --ad-group 1 --csv > ads.csv
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "Campaign id (every tracked campaign when omitted).") var id: Int64?
    @Option(help: ArgumentHelp("First day, YYYY-MM-DD (UTC; default: 6 days before --to).", valueName: "date")) var from: String?
    @Option(help: ArgumentHelp("Last day, YYYY-MM-DD (UTC; default: today).", valueName: "date")) var to: String?
    @Option(help: ArgumentHelp("One row per day and campaign (default), ad-group or ad.", valueName: "level")) var level: String?
    @Option(help: ArgumentHelp("Only this pinads ad group (levels ad-group and ad).", valueName: "id")) var adGroup: Int64?
    @Flag(help: "Print CSV: a header, then one line per row (see above).") var csv = false

    func validate() throws {
        _ = try range(now: Date())
        _ = try metricsLevel()
        if csv, options.json { throw ValidationError("give --csv or --json, not both") }
    }

    func metricsLevel() throws -> MetricsLevel {
        guard let level else { return adGroup == nil ? .campaign : .adGroup }
        let parsed: MetricsLevel
        switch level.lowercased() {
        case "campaign": parsed = .campaign
        case "ad-group", "ad_group", "adgroup": parsed = .adGroup
        case "ad": parsed = .ad
        default: throw ValidationError("--level must be campaign, ad-group or ad, got '\(level)'")
        }
        if parsed == .campaign, adGroup != nil { throw ValidationError("--ad-group goes with --level ad-group or --level ad") }
        return parsed
    }

    func range(now: Date) throws -> (from: String, to: String) {
        if let from, !Day.isDay(from) { throw ValidationError("--from must be a date as YYYY-MM-DD, got '\(from)'") }
        if let to, !Day.isDay(to) { throw ValidationError("--to must be a date as YYYY-MM-DD, got '\(to)'") }
        let last = to ?? Day.string(now)
        let first = from ?? Day.string(Day.date(last).addingTimeInterval(-6 * 86_400))
        guard first <= last else { throw ValidationError("--from (\(first)) is after --to (\(last))") }
        return (first, last)
    }

    func run() throws {
        let (first, last) = try range(now: Date())
        let level = try metricsLevel()
        let result = try options.call(
            CampaignMetricsRequest(campaignId: id, from: first, to: last, level: level == .campaign ? nil : level, adGroupId: adGroup))
        if options.printJSONIfAsked(result) { return }
        if level != .campaign, result.level != level {
            Output.printError(
                result.level == nil
                    ? "the daemon answered per campaign: it does not know --level (a pinadsd older than this pinads)"
                    : "the daemon answered at level \(result.level?.rawValue ?? "?"), not \(level.rawValue)")
            throw ExitCode(1)
        }
        if csv {
            print(MetricsCSV.text(result.rows, level: level), terminator: "")
            return
        }
        var what = id.map { "campaign \($0)" } ?? "tracked campaigns"
        if let adGroup { what = "ad group \(adGroup)" + (id.map { " of campaign \($0)" } ?? "") }
        if result.rows.isEmpty {
            print("no metrics for \(what) from \(first) to \(last); they are pulled every 6 hours (`pinads schedule run campaign_metrics` pulls now)")
            return
        }
        let t = result.totals
        let ids = MetricsCSV.idColumns(level)
        var rows = result.rows.map { r in
            [r.date] + MetricsCSV.ids(r, level: level) + [
                Money.cents(r.spendMicro), String(r.impressions), String(r.clicks), String(r.saves),
                r.conversions.map(String.init) ?? "-", r.conversionValueMicro.map(Money.cents) ?? "-",
            ]
        }
        rows.append(
            ["total"] + ids.map { _ in "" } + [
                Money.cents(t.spendMicro), String(t.impressions), String(t.clicks), String(t.saves), String(t.conversions),
                Money.cents(t.conversionValueMicro),
            ])
        let per = level == .campaign ? "" : ", per \(level == .ad ? "ad" : "ad group")"
        print("\(what), \(first) to \(last) (UTC)\(per)")
        Output.table(["DATE"] + ids.map(\.title) + ["SPEND", "IMPRESSIONS", "CLICKS", "SAVES", "CONVERSIONS", "VALUE"], rows)
        print(MetricsText.rates(t))
        if let pulled = result.pulledAt { print("pulled from Pinterest \(Timestamp.format(pulled))") }
    }
}

enum MetricsText {
    static func rates(_ t: MetricsTotals) -> String {
        let ctr = t.ctr.map { String(format: "%.2f%%", $0 * 100) } ?? "-"
        let roas = t.roas.map { String(format: "%.2f", $0) } ?? "-"
        return "CTR \(ctr)  CPC \(Money.cents(t.cpcMicro))  CPM \(Money.cents(t.cpmMicro))  ROAS \(roas)"
    }
}

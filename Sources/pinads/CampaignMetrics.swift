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

            Examples:
              pinads campaign metrics
              pinads campaign metrics 3 --from 2026-11-01 --to 2026-11-30
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "Campaign id (every tracked campaign when omitted).") var id: Int64?
    @Option(help: ArgumentHelp("First day, YYYY-MM-DD (UTC; default: 6 days before --to).", valueName: "date")) var from: String?
    @Option(help: ArgumentHelp("Last day, YYYY-MM-DD (UTC; default: today).", valueName: "date")) var to: String?

    func validate() throws { _ = try range(now: Date()) }

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
        let result = try options.call(CampaignMetricsRequest(campaignId: id, from: first, to: last))
        if options.printJSONIfAsked(result) { return }
        let what = id.map { "campaign \($0)" } ?? "tracked campaigns"
        if result.rows.isEmpty {
            print("no metrics for \(what) from \(first) to \(last); they are pulled every 6 hours (`pinads schedule run campaign_metrics` pulls now)")
            return
        }
        let t = result.totals
        var rows = result.rows.map { r in
            [
                r.date, String(r.campaignId), Money.cents(r.spendMicro), String(r.impressions), String(r.clicks), String(r.saves),
                r.conversions.map(String.init) ?? "-", r.conversionValueMicro.map(Money.cents) ?? "-",
            ]
        }
        rows.append([
            "total", "", Money.cents(t.spendMicro), String(t.impressions), String(t.clicks), String(t.saves), String(t.conversions),
            Money.cents(t.conversionValueMicro),
        ])
        print("\(what), \(first) to \(last) (UTC)")
        Output.table(["DATE", "CAMPAIGN", "SPEND", "IMPRESSIONS", "CLICKS", "SAVES", "CONVERSIONS", "VALUE"], rows)
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

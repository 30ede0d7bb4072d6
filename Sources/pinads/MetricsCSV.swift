import Foundation
import PinAdsProtocol

/// Metrics rows as CSV (RFC 4180 quoting), and the id columns of each level.
enum MetricsCSV {
    struct IdColumn {
        var title: String
        var name: String
    }

    /// CAMPAIGN, then AD GROUP (levels ad_group and ad), then AD (level ad).
    static func idColumns(_ level: MetricsLevel) -> [IdColumn] {
        var columns = [IdColumn(title: "CAMPAIGN", name: "campaign_id")]
        if level != .campaign { columns.append(IdColumn(title: "AD GROUP", name: "ad_group_id")) }
        if level == .ad { columns.append(IdColumn(title: "AD", name: "ad_id")) }
        return columns
    }

    static func ids(_ row: MetricsRow, level: MetricsLevel) -> [String] {
        var cells = [String(row.campaignId)]
        if level != .campaign { cells.append(row.adGroupId.map(String.init) ?? "-") }
        if level == .ad { cells.append(row.adId.map(String.init) ?? "-") }
        return cells
    }

    /// A header line, then one line per row, each ending in "\n". Money is in exact currency
    /// units; a value Pinterest did not report is an empty field.
    static func text(_ rows: [MetricsRow], level: MetricsLevel) -> String {
        let header =
            ["date"] + idColumns(level).map(\.name) + ["spend", "impressions", "clicks", "saves", "conversions", "conversion_value"]
        var lines = [line(header)]
        for r in rows {
            var cells = [r.date, String(r.campaignId)]
            if level != .campaign { cells.append(r.adGroupId.map(String.init) ?? "") }
            if level == .ad { cells.append(r.adId.map(String.init) ?? "") }
            cells += [
                Money.units(r.spendMicro), String(r.impressions), String(r.clicks), String(r.saves), r.conversions.map(String.init) ?? "",
                r.conversionValueMicro.map(Money.units) ?? "",
            ]
            lines.append(line(cells))
        }
        return lines.map { $0 + "\n" }.joined()
    }

    static func line(_ fields: [String]) -> String { fields.map(field).joined(separator: ",") }

    /// RFC 4180: a field holding a comma, a double quote, CR or LF is put in double quotes, with
    /// each double quote doubled; any other field is written as it is.
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

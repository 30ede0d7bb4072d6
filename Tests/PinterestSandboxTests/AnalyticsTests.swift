import Foundation
import PinterestSandbox
import Testing

@Suite("Campaign analytics")
struct AnalyticsTests {
    /// Sandbox "today" as YYYY-MM-DD, shifted by `days`.
    static func date(_ sandbox: TestHTTPClient, days: Int) async throws -> String {
        let clock = try await sandbox.control("GET", "/_sandbox/clock")
        let now = try #require(clock.object["now"] as? Int)
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(now + days * 86_400)))
    }

    static func campaigns(_ client: TestHTTPClient, token: String, account: String, count: Int) async throws -> [String] {
        let items = (0..<count).map { ["ad_account_id": account, "name": "c\($0)", "objective_type": "AWARENESS"] }
        let response = try await client.post(PinterestSandbox.account(account) + "/campaigns", json: items, token: token)
        return response.items.compactMap { ($0["data"] as? [String: Any])?["id"] as? String }
    }

    @Test("daily rows are deterministic, per known campaign and day, and TOTAL sums them")
    func deterministicRows() async throws {
        try await withSandbox { sandbox, client in
            let token = sandbox.seedToken()
            let account = token.adAccountIDs[0]
            let ids = try await Self.campaigns(client, token: token.accessToken, account: account, count: 2)
            #expect(ids.count == 2)
            let start = try await Self.date(client, days: -6)
            let end = try await Self.date(client, days: 0)
            let path = PinterestSandbox.account(account) + "/campaigns/analytics"
            let columns = "SPEND_IN_MICRO_DOLLAR,SPEND_IN_DOLLAR,TOTAL_IMPRESSION,CTR,CAMPAIGN_NAME"
            let repeated: [(String, String)] = [
                ("start_date", start), ("end_date", end), ("campaign_ids", ids[0]), ("campaign_ids", ids[1]),
                ("campaign_ids", "999999"), ("columns", columns), ("granularity", "DAY"),
            ]
            let first = try await client.get(path, query: repeated, token: token.accessToken)
            #expect(first.status == 200)
            let rows = first.array.compactMap { $0 as? [String: Any] }
            #expect(rows.count == 14)
            #expect(Set(rows.compactMap { $0["CAMPAIGN_ID"] as? String }) == Set(ids))
            #expect(rows.allSatisfy { ($0["DATE"] as? String).map { $0 >= start && $0 <= end } == true })
            #expect(rows.allSatisfy { $0["SPEND_IN_MICRO_DOLLAR"] is Int && $0["TOTAL_IMPRESSION"] is Int })
            #expect(rows.first?["CAMPAIGN_NAME"] as? String == "c0")
            let micro = try #require(rows.first?["SPEND_IN_MICRO_DOLLAR"] as? Int)
            let dollars = try #require(rows.first?["SPEND_IN_DOLLAR"] as? Double)
            #expect(abs(Double(micro) / 1_000_000 - dollars) < 0.000_001)

            let comma: [(String, String)] = [
                ("start_date", start), ("end_date", end), ("campaign_ids", "\(ids[0]),\(ids[1])"),
                ("columns", columns), ("granularity", "DAY"),
            ]
            let second = try await client.get(path, query: comma, token: token.accessToken)
            #expect(second.body == first.body)

            var totalQuery = comma
            totalQuery[4] = ("granularity", "TOTAL")
            let total = try await client.get(path, query: totalQuery, token: token.accessToken)
            let totals = total.array.compactMap { $0 as? [String: Any] }
            #expect(totals.count == 2)
            #expect(totals.allSatisfy { $0["DATE"] == nil })
            for id in ids {
                let daily = rows.filter { $0["CAMPAIGN_ID"] as? String == id }.compactMap { $0["TOTAL_IMPRESSION"] as? Int }
                let summed = totals.first { $0["CAMPAIGN_ID"] as? String == id }?["TOTAL_IMPRESSION"] as? Int
                #expect(summed == daily.reduce(0, +))
            }
        }
    }

    @Test("the 90-day window, the 90-day range, 1–250 campaign ids and the enums are enforced")
    func limits() async throws {
        try await withSandbox { sandbox, client in
            let token = sandbox.seedToken()
            let path = PinterestSandbox.account(token.adAccountIDs[0]) + "/campaigns/analytics"
            let today = try await Self.date(client, days: 0)
            let ninetyBack = try await Self.date(client, days: -90)
            let ninetyOneBack = try await Self.date(client, days: -91)
            func query(
                start: String, end: String, ids: [String] = ["1"], columns: String = "TOTAL_CLICKTHROUGH",
                granularity: String = "DAY"
            ) -> [(String, String)] {
                [("start_date", start), ("end_date", end), ("columns", columns), ("granularity", granularity)]
                    + ids.map { ("campaign_ids", $0) }
            }
            func status(_ query: [(String, String)]) async throws -> TestResponse {
                try await client.get(path, query: query, token: token.accessToken)
            }
            #expect(try await status(query(start: ninetyBack, end: today)).status == 200)
            let tooOld = try await status(query(start: ninetyOneBack, end: today))
            #expect(tooOld.status == 400)
            #expect(tooOld.code == 400)
            #expect(tooOld.message.hasPrefix("Invalid ad account campaign analytics parameters."))
            let tooLong = try await status(query(start: ninetyBack, end: try await Self.date(client, days: 1)))
            #expect(tooLong.status == 400)
            #expect(try await status(query(start: today, end: ninetyBack)).status == 400)
            #expect(try await status(query(start: today, end: today, ids: (1...250).map(String.init))).status == 200)
            #expect(try await status(query(start: today, end: today, ids: (1...251).map(String.init))).status == 400)
            #expect(try await status(query(start: today, end: today, ids: [])).status == 400)
            #expect(try await status(query(start: today, end: today, columns: "CLICKS")).status == 400)
            #expect(try await status(query(start: today, end: today, granularity: "WEEKLY")).status == 400)
            #expect(try await status(query(start: "2024-13-01", end: today)).status == 400)
            let hourly = try await status(
                query(start: try await Self.date(client, days: -9), end: today, granularity: "HOUR"))
            #expect(hourly.status == 400)
        }
    }
}

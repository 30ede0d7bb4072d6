import Foundation
import PinterestSandbox
import Testing

/// One seeded user with one ad account, and shortcuts to create and update its campaigns, ad
/// groups, ads, conversion tags and keywords over HTTP.
struct AdAccountFixture {
    let sandbox: PinterestSandbox
    let client: TestHTTPClient
    let token: String
    let accountID: String

    init(_ sandbox: PinterestSandbox, _ client: TestHTTPClient) {
        self.sandbox = sandbox
        self.client = client
        let seeded = sandbox.seedToken(adAccounts: 1)
        token = seeded.accessToken
        accountID = seeded.adAccountIDs[0]
    }

    /// `/v5/ad_accounts/{id}`.
    var path: String { PinterestSandbox.account(accountID) }

    func post(_ collection: String, _ body: Any) async throws -> TestResponse {
        try await client.post("\(path)/\(collection)", json: body, token: token)
    }

    func patch(_ collection: String, _ body: Any) async throws -> TestResponse {
        try await client.send("PATCH", "\(path)/\(collection)", body: .json(body), auth: .bearer(token))
    }

    func get(_ suffix: String, _ query: [(String, String)] = []) async throws -> TestResponse {
        try await client.get("\(path)/\(suffix)", query: query, token: token)
    }

    /// Creates one campaign (AWARENESS, PAUSED unless `extra` says otherwise); returns its data.
    func campaign(_ extra: [String: Any] = [:]) async throws -> [String: Any] {
        var item: [String: Any] = ["ad_account_id": accountID, "name": "c", "objective_type": "AWARENESS", "status": "PAUSED"]
        item.merge(extra) { $1 }
        let response = try await post("campaigns", [item])
        return try #require(response.items.first?["data"] as? [String: Any], "campaign not created: \(response.text)")
    }

    /// An AWARENESS/IMPRESSION ad group body with a budget, a bid and a US target.
    func adGroupItem(_ campaignID: String, _ extra: [String: Any] = [:]) -> [String: Any] {
        var item: [String: Any] = [
            "campaign_id": campaignID, "name": "g", "billable_event": "IMPRESSION", "budget_in_micro_currency": 10_000_000,
            "bid_in_micro_currency": 1_000_000, "targeting_spec": ["LOCATION": ["US"]], "auto_targeting_enabled": false,
        ]
        item.merge(extra) { $1 }
        return item
    }

    func adGroup(_ campaignID: String, _ extra: [String: Any] = [:]) async throws -> [String: Any] {
        let response = try await post("ad_groups", [adGroupItem(campaignID, extra)])
        return try #require(response.items.first?["data"] as? [String: Any], "ad group not created: \(response.text)")
    }

    func ad(_ adGroupID: String, _ extra: [String: Any] = [:]) async throws -> [String: Any] {
        var item: [String: Any] = ["ad_group_id": adGroupID, "creative_type": "REGULAR", "pin_id": "1234567890"]
        item.merge(extra) { $1 }
        let response = try await post("ads", [item])
        return try #require(response.items.first?["data"] as? [String: Any], "ad not created: \(response.text)")
    }

    func conversionTag(_ name: String = "tag") async throws -> String {
        let response = try await post("conversion_tags", ["name": name])
        return try #require(response.object["id"] as? String, "tag not created: \(response.text)")
    }

    /// A campaign, one ad group in it and one ad in that: their ids.
    func tree(campaign extra: [String: Any] = [:]) async throws -> (campaign: String, adGroup: String, ad: String) {
        let campaign = try #require(try await self.campaign(extra)["id"] as? String)
        let adGroup = try #require(try await self.adGroup(campaign)["id"] as? String)
        let ad = try #require(try await self.ad(adGroup)["id"] as? String)
        return (campaign, adGroup, ad)
    }
}

extension TestResponse {
    /// The exception messages of item `index` of a bulk answer: an array for campaigns and ad
    /// groups, one object for ads.
    func exceptionMessages(_ index: Int = 0) -> [String] {
        guard items.indices.contains(index) else { return ["(no item \(index) in \(text))"] }
        let exceptions = items[index]["exceptions"]
        if let list = exceptions as? [[String: Any]] { return list.compactMap { $0["message"] as? String } }
        if let one = exceptions as? [String: Any] { return [one["message"] as? String].compactMap { $0 } }
        return []
    }

    /// Item `index`'s `data`, when it succeeded.
    func data(_ index: Int = 0) -> [String: Any]? {
        items.indices.contains(index) ? items[index]["data"] as? [String: Any] : nil
    }

    /// Whether one of item `index`'s exception messages contains every fragment.
    func refused(_ index: Int = 0, _ fragments: String...) -> Bool {
        data(index) == nil && exceptionMessages(index).contains { message in fragments.allSatisfy(message.contains) }
    }
}

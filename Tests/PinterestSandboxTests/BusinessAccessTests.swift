import Foundation
import PinterestSandbox
import Testing

/// Users with Business Access to ad accounts someone else owns, seeded users and currencies.
@Suite("Business Access, seeded users and currencies")
struct BusinessAccessTests {
    /// An owner with two ad accounts, and an agency with one of its own and Business Access
    /// (ADMIN) to the owner's second account.
    struct Setup {
        var owner: SeededToken
        var agency: SeededToken
        var shared: String { owner.adAccountIDs[1] }
    }

    static func setup(_ sandbox: PinterestSandbox, permissions: [String] = ["ADMIN"]) throws -> Setup {
        let owner = sandbox.seedToken(adAccounts: 2)
        let agency = try sandbox.seedToken(adAccounts: 1, shareAdAccounts: [owner.adAccountIDs[1]], permissions: permissions)
        return Setup(owner: owner, agency: agency)
    }

    @Test("ad_accounts lists owned and shared accounts with the real owner; include_shared_accounts=false only owned ones")
    func listing() async throws {
        try await withSandbox { sandbox, client in
            let s = try Self.setup(sandbox)
            #expect(s.agency.sharedAdAccountIDs == [s.shared])
            let all = try await client.get("/v5/ad_accounts", token: s.agency.accessToken)
            #expect(all.status == 200)
            let ids = all.items.compactMap { $0["id"] as? String }
            #expect(Set(ids) == Set(s.agency.adAccountIDs + [s.shared]))
            #expect(ids == ids.sorted { ($0.count, $0) < ($1.count, $1) }, "oldest first")
            let shared = try #require(all.items.first { $0["id"] as? String == s.shared })
            let owner = shared["owner"] as? [String: Any]
            #expect(owner?["id"] as? String == s.owner.userID)
            #expect((owner?["username"] as? String)?.isEmpty == false)
            #expect(shared["permissions"] as? [String] == ["ADMIN"])
            #expect(shared["currency"] as? String == "USD")
            let own = try #require(all.items.first { $0["id"] as? String == s.agency.adAccountIDs[0] })
            #expect((own["owner"] as? [String: Any])?["id"] as? String == s.agency.userID)
            #expect(own["permissions"] as? [String] == ["OWNER"])

            let owned = try await client.get(
                "/v5/ad_accounts", query: [("include_shared_accounts", "false")], token: s.agency.accessToken)
            #expect(owned.items.compactMap { $0["id"] as? String } == s.agency.adAccountIDs)
            let explicit = try await client.get(
                "/v5/ad_accounts", query: [("include_shared_accounts", "true")], token: s.agency.accessToken)
            #expect(explicit.items.count == 2)
            let paged = try await client.get("/v5/ad_accounts", query: [("page_size", "1")], token: s.agency.accessToken)
            #expect(paged.items.count == 1 && paged.object["bookmark"] is String)

            let one = try await client.get(PinterestSandbox.account(s.shared), token: s.agency.accessToken)
            #expect(one.status == 200)
            #expect((one.object["owner"] as? [String: Any])?["id"] as? String == s.owner.userID)
            #expect(one.object["permissions"] as? [String] == ["ADMIN"])
            let stranger = sandbox.seedToken(adAccounts: 0)
            #expect(try await client.get(PinterestSandbox.account(s.shared), token: stranger.accessToken).status == 403)
            let ownerView = try await client.get("/v5/ad_accounts", token: s.owner.accessToken)
            #expect(ownerView.items.count == 2, "sharing does not change the owner's list")
        }
    }

    @Test("user_account answers the token's user; with ad_account_id the account's owner, if the user has access")
    func userAccount() async throws {
        try await withSandbox { sandbox, client in
            let s = try Self.setup(sandbox)
            let mine = try await client.get("/v5/user_account", token: s.agency.accessToken)
            #expect(mine.object["id"] as? String == s.agency.userID)
            #expect(mine.object["account_type"] as? String == "BUSINESS")
            #expect(mine.object["username"] is String)
            #expect(try await client.get("/v5/user_account", token: s.owner.accessToken).object["id"] as? String == s.owner.userID)
            let owner = try await client.get(
                "/v5/user_account", query: [("ad_account_id", s.shared)], token: s.agency.accessToken)
            #expect(owner.status == 200)
            #expect(owner.object["id"] as? String == s.owner.userID)
            let own = try await client.get(
                "/v5/user_account", query: [("ad_account_id", s.agency.adAccountIDs[0])], token: s.agency.accessToken)
            #expect(own.object["id"] as? String == s.agency.userID)

            for account in [s.owner.adAccountIDs[0], "999"] {
                let refused = try await client.get(
                    "/v5/user_account", query: [("ad_account_id", account)], token: s.agency.accessToken)
                #expect(refused.status == 403)
                #expect(refused.code == 403)
                #expect(refused.message == "Not authorized to access the user account.")
            }
            let malformed = try await client.get(
                "/v5/user_account", query: [("ad_account_id", "12ab")], token: s.agency.accessToken)
            #expect(malformed.status == 400)
        }
    }

    @Test("a user with Business Access sends events, creates campaigns and customer lists on the shared account")
    func sharedWrites() async throws {
        try await withSandbox { sandbox, client in
            let s = try Self.setup(sandbox)
            let account = PinterestSandbox.account(s.shared)
            let events = try await client.post(
                account + "/events", json: ["data": [EventTests.event("shared-1")]], token: s.agency.accessToken)
            #expect(events.status == 200)
            #expect(events.object["num_events_processed"] as? Int == 1)
            let campaign: [String: Any] = [
                "ad_account_id": s.shared, "name": "agency campaign", "objective_type": "AWARENESS", "status": "PAUSED",
            ]
            let created = try await client.post(account + "/campaigns", json: [campaign], token: s.agency.accessToken)
            #expect(created.status == 200)
            let id = try #require((created.items.first?["data"] as? [String: Any])?["id"] as? String)
            let ownerList = try await client.get(account + "/campaigns", token: s.owner.accessToken)
            #expect(ownerList.items.contains { $0["id"] as? String == id }, "the owner sees the agency's campaign")
            let list = try await client.post(
                account + "/customer_lists", json: ["name": "buyers", "records": fakeSHA256("b"), "list_type": "EMAIL"],
                token: s.agency.accessToken)
            #expect(list.status == 200)
            let conversion = try #require(sandbox.mintConversionToken(forAccessToken: s.agency.accessToken))
            let viaConversionToken = try await client.post(
                account + "/events", json: ["data": [EventTests.event("shared-2")]], token: conversion)
            #expect(viaConversionToken.status == 200)
        }
    }

    @Test("roles the operation's description requires: FINANCE_VIEW reads the account but sends no events")
    func roles() async throws {
        try await withSandbox { sandbox, client in
            let s = try Self.setup(sandbox, permissions: ["FINANCE_VIEW"])
            let account = PinterestSandbox.account(s.shared)
            #expect(try await client.get(account, token: s.agency.accessToken).object["permissions"] as? [String] == ["FINANCE_VIEW"])
            let events = try await client.post(
                account + "/events", json: ["data": [EventTests.event("r1")]], token: s.agency.accessToken)
            #expect(events.status == 403)
            #expect(events.code == 29)
            #expect(try await client.get(account + "/campaigns", token: s.agency.accessToken).status == 403)
            #expect(try await client.get(account + "/customer_lists", token: s.agency.accessToken).status == 200)
            // Granting again replaces the roles.
            let again = try sandbox.seedToken(userID: s.agency.userID, shareAdAccounts: [s.shared], permissions: ["AUDIENCE_MANAGER"])
            let retried = try await client.post(
                account + "/events", json: ["data": [EventTests.event("r2")]], token: again.accessToken)
            #expect(retried.status == 200)
            #expect(try await client.get(account + "/campaigns", token: again.accessToken).status == 403)
        }
    }

    @Test("rate limits stay keyed by the token's user, not by the account's owner")
    func rateLimitsPerUser() async throws {
        try await withSandbox({ $0.requestsPerSecondPerToken = 3 }) { sandbox, client in
            let s = try Self.setup(sandbox)
            let path = PinterestSandbox.account(s.shared)
            // Requests until the agency's user meets its limit (the 4th within a second; more
            // when a slow machine spreads them over several seconds), then the owner's at once.
            var statuses: [Int] = []
            while statuses.last != 429, statuses.count < 60 {
                statuses.append(try await client.get(path, token: s.agency.accessToken).status)
            }
            #expect(statuses.last == 429 && statuses.dropLast().allSatisfy { $0 == 200 } && statuses.count >= 4, "\(statuses)")
            #expect(try await client.get(path, token: s.owner.accessToken).status == 200)
        }
    }
}

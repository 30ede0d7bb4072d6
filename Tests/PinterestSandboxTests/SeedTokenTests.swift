import Foundation
import PinterestSandbox
import Testing

/// `POST /_sandbox/tokens` and ``PinterestSandbox/seedToken(adAccounts:currency:userID:shareAdAccounts:permissions:accessExpiresIn:refreshExpiresIn:)``.
@Suite("Seeded users, shared accounts and currencies")
struct SeedTokenTests {
    @Test("user_id mints a fresh pair for the existing user; its ad accounts stay as they are")
    func existingUser() async throws {
        try await withSandbox { sandbox, client in
            let first = sandbox.seedToken(adAccounts: 2)
            let answer = try await client.control("POST", "/_sandbox/tokens", json: ["user_id": first.userID])
            #expect(answer.status == 200)
            #expect(answer.object["user_id"] as? String == first.userID)
            #expect(answer.object["ad_account_ids"] as? [String] == first.adAccountIDs)
            #expect(answer.object["shared_ad_account_ids"] as? [String] == [])
            for key in ["access_token", "refresh_token"] { #expect(answer.object[key] is String) }
            #expect(answer.object["expires_in"] as? Int == 2_592_000)
            #expect(answer.object["refresh_token_expires_in"] as? Int == 5_184_000)
            let access = try #require(answer.object["access_token"] as? String)
            #expect(access != first.accessToken)
            #expect(try await client.get("/v5/user_account", token: access).object["id"] as? String == first.userID)
            #expect(try await client.get("/v5/ad_accounts", token: first.accessToken).items.count == 2, "the first pair still works")

            let bySwift = try sandbox.seedToken(userID: first.userID)
            #expect(bySwift.userID == first.userID && bySwift.adAccountIDs == first.adAccountIDs)
        }
    }

    @Test("currency picks the new user's ad accounts' currency (and country); anything outside the Currency enum is a 400")
    func currencies() async throws {
        try await withSandbox { sandbox, client in
            let euro = try await client.control("POST", "/_sandbox/tokens", json: ["ad_accounts": 1, "currency": "EUR"])
            #expect(euro.status == 200)
            let access = try #require(euro.object["access_token"] as? String)
            let account = try #require(try await client.get("/v5/ad_accounts", token: access).items.first)
            #expect(account["currency"] as? String == "EUR")
            #expect(account["country"] as? String == "DE")
            let yen = try sandbox.seedToken(adAccounts: 1, currency: "JPY")
            let one = try await client.get(PinterestSandbox.account(yen.adAccountIDs[0]), token: yen.accessToken)
            #expect(one.object["currency"] as? String == "JPY")
            #expect(one.object["country"] as? String == "JP")
            #expect(try await client.get("/v5/ad_accounts", token: sandbox.seedToken().accessToken).items.first?["currency"] as? String == "USD")
            for bad in ["eur", "EURO", "XYZ", ""] {
                let refused = try await client.control("POST", "/_sandbox/tokens", json: ["currency": bad])
                #expect(refused.status == 400, "\(bad)")
                #expect(refused.message.contains("currency"))
            }
            let number = try await client.control("POST", "/_sandbox/tokens", json: ["currency": 978])
            #expect(number.status == 400)
            #expect(throws: SandboxControlError.self) { try sandbox.seedToken(currency: "ECU") }
        }
    }

    @Test("share_ad_accounts gives Business Access with permissions; the answer lists every shared account")
    func sharing() async throws {
        try await withSandbox { sandbox, client in
            let owner = sandbox.seedToken(adAccounts: 3)
            let answer = try await client.control(
                "POST", "/_sandbox/tokens",
                json: ["ad_accounts": 0, "share_ad_accounts": [owner.adAccountIDs[2], owner.adAccountIDs[0]], "permissions": ["ANALYST"]])
            #expect(answer.status == 200)
            #expect(answer.object["ad_account_ids"] as? [String] == [])
            #expect(answer.object["shared_ad_account_ids"] as? [String] == [owner.adAccountIDs[0], owner.adAccountIDs[2]])
            let userID = try #require(answer.object["user_id"] as? String)
            let more = try sandbox.seedToken(userID: userID, shareAdAccounts: [owner.adAccountIDs[1]])
            #expect(more.sharedAdAccountIDs == owner.adAccountIDs, "all shared accounts, not only the new one")
            let listed = try await client.get("/v5/ad_accounts", token: more.accessToken).items
            #expect(listed.map { $0["permissions"] as? [String] ?? [] } == [["ANALYST"], ["ADMIN"], ["ANALYST"]])
            #expect(listed.allSatisfy { ($0["owner"] as? [String: Any])?["id"] as? String == owner.userID })
        }
    }

    @Test("seeding refuses unknown users and accounts, shares of one's own accounts, OWNER, mixed and unknown fields")
    func refusals() async throws {
        try await withSandbox { sandbox, client in
            let owner = sandbox.seedToken(adAccounts: 1)
            let account = owner.adAccountIDs[0]
            let refusals: [([String: Any], Int, String)] = [
                (["user_id": "549755813888000001"], 404, "user_id"),
                (["share_ad_accounts": ["999"]], 404, "share_ad_accounts[0]"),
                (["share_ad_accounts": ["abc"]], 400, "share_ad_accounts[0]"),
                (["share_ad_accounts": [account, 5]], 400, "share_ad_accounts[1]"),
                (["user_id": owner.userID, "share_ad_accounts": [account]], 400, "share_ad_accounts[0]"),
                (["share_ad_accounts": [account], "permissions": ["OWNER"]], 400, "permissions[0]"),
                (["share_ad_accounts": [account], "permissions": ["SUPERUSER"]], 400, "permissions[0]"),
                (["share_ad_accounts": [account], "permissions": [String]()], 400, "permissions"),
                (["user_id": owner.userID, "ad_accounts": 1], 400, "ad_accounts"),
                (["user_id": owner.userID, "currency": "EUR"], 400, "currency"),
                (["shared_ad_accounts": [account]], 400, "shared_ad_accounts"),
            ]
            for (body, status, field) in refusals {
                let answer = try await client.control("POST", "/_sandbox/tokens", json: body)
                #expect(answer.status == status, "\(body)")
                #expect(answer.message.contains(field), "\(answer.message)")
            }
            let again = try sandbox.seedToken(userID: owner.userID)
            #expect(again.sharedAdAccountIDs.isEmpty && again.adAccountIDs == owner.adAccountIDs, "nothing changed")
            let ownerView = try await client.get(PinterestSandbox.account(account), token: owner.accessToken)
            #expect(ownerView.object["permissions"] as? [String] == ["OWNER"])
            do throws(SandboxControlError) {
                _ = try sandbox.seedToken(userID: "1")
                Issue.record("an unknown user was accepted")
            } catch {
                #expect(error.kind == .notFound)
                #expect(error.field == "user_id")
            }
            do throws(SandboxControlError) {
                _ = try sandbox.seedToken(userID: owner.userID, shareAdAccounts: [account])
                Issue.record("sharing an owned account was accepted")
            } catch {
                #expect(error.kind == .invalid)
            }
        }
    }
}

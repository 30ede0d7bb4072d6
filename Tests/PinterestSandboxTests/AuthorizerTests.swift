import Foundation
import PinterestSandbox
import Testing

/// Who approves the browser step: `POST /_sandbox/authorizer` and ``PinterestSandbox/setAuthorizer(_:)``.
@Suite("OAuth authorizer control")
struct AuthorizerTests {
    /// Approves, exchanges the code and returns the access token.
    static func connect(_ sandbox: PinterestSandbox, _ client: TestHTTPClient) async throws -> String {
        let code = try AuthorizeTests.code(sandbox)
        let token = try await AuthorizeTests.exchange(client, code)
        #expect(token.status == 200)
        return try #require(token.object["access_token"] as? String)
    }

    @Test("by default every approval is by a new user with 2 USD ad accounts")
    func defaultAuthorizer() async throws {
        try await withSandbox { sandbox, client in
            #expect(sandbox.authorizer == .default)
            let first = try await Self.connect(sandbox, client)
            let second = try await Self.connect(sandbox, client)
            let firstUser = try await client.get("/v5/user_account", token: first).object["id"] as? String
            let secondUser = try await client.get("/v5/user_account", token: second).object["id"] as? String
            #expect(firstUser != nil && firstUser != secondUser)
            let accounts = try await client.get("/v5/ad_accounts", token: first)
            #expect(accounts.items.count == 2)
            #expect(accounts.items.allSatisfy { $0["currency"] as? String == "USD" && $0["country"] as? String == "US" })
        }
    }

    @Test("user_id makes approvals be by that existing user; ad_accounts and currency by new users; {} resets")
    func authorizerOverHTTP() async throws {
        try await withSandbox { sandbox, client in
            let existing = sandbox.seedToken(adAccounts: 1)
            let set = try await client.control("POST", "/_sandbox/authorizer", json: ["user_id": existing.userID])
            #expect(set.status == 200)
            #expect(set.object["user_id"] as? String == existing.userID)
            let access = try await Self.connect(sandbox, client)
            #expect(try await client.get("/v5/user_account", token: access).object["id"] as? String == existing.userID)
            let ids = try await client.get("/v5/ad_accounts", token: access).items.compactMap { $0["id"] as? String }
            #expect(ids == existing.adAccountIDs, "the existing user's ad accounts, unchanged")
            #expect(try await client.get("/v5/ad_accounts", token: existing.accessToken).status == 200, "the old pair still works")

            let euro = try await client.control("POST", "/_sandbox/authorizer", json: ["ad_accounts": 3, "currency": "EUR"])
            #expect(euro.status == 200)
            #expect(euro.object["ad_accounts"] as? Int == 3)
            let euroAccess = try await Self.connect(sandbox, client)
            let euroAccounts = try await client.get("/v5/ad_accounts", token: euroAccess).items
            #expect(euroAccounts.count == 3)
            #expect(euroAccounts.allSatisfy { $0["currency"] as? String == "EUR" && $0["country"] as? String == "DE" })

            let none = try await client.control("POST", "/_sandbox/authorizer", json: ["ad_accounts": 0])
            #expect(none.object["currency"] as? String == "USD")
            let emptyAccess = try await Self.connect(sandbox, client)
            #expect(try await client.get("/v5/ad_accounts", token: emptyAccess).items.isEmpty)

            let reset = try await client.control("POST", "/_sandbox/authorizer", json: [String: Any]())
            #expect(reset.status == 200)
            #expect(sandbox.authorizer == .default)
            let shown = try await client.control("GET", "/_sandbox/authorizer")
            #expect(shown.object["ad_accounts"] as? Int == 2)
            #expect(shown.object["user_id"] is NSNull)
        }
    }

    @Test("the authorizer control refuses unknown users, unknown currencies and mixed fields")
    func authorizerRefusals() async throws {
        try await withSandbox { sandbox, client in
            let existing = sandbox.seedToken(adAccounts: 1)
            let refusals: [([String: Any], Int)] = [
                (["user_id": "549755813888000001"], 404),
                (["currency": "EURO"], 400),
                (["ad_accounts": -1], 400),
                (["user_id": existing.userID, "ad_accounts": 1], 400),
                (["user": existing.userID], 400),
            ]
            for (body, status) in refusals {
                let answer = try await client.control("POST", "/_sandbox/authorizer", json: body)
                #expect(answer.status == status, "\(body)")
            }
            #expect(sandbox.authorizer == .default, "nothing changed")
            #expect(throws: SandboxControlError.self) { try sandbox.setAuthorizer(.existingUser(id: "1")) }
            #expect(throws: SandboxControlError.self) { try sandbox.setAuthorizer(.newUser(currency: "XXX")) }
            try sandbox.setAuthorizer(.existingUser(id: existing.userID))
            #expect(sandbox.authorizer == .existingUser(id: existing.userID))
            sandbox.reset()
            #expect(sandbox.authorizer == .default, "reset goes back to the default")
        }
    }
}

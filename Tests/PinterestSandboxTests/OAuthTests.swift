import Foundation
import PinterestSandbox
import Testing

@Suite("OAuth and ad accounts")
struct OAuthTests {
    let app = TestHTTPClient.Credentials.basic("sandbox-app-id", "sandbox-app-secret")

    @Test("refresh rotates the pair and the old refresh token is rejected afterwards")
    func refreshRotates() async throws {
        try await withSandbox { sandbox, client in
            let seeded = sandbox.seedToken()
            let first = try await client.send(
                "POST", "/v5/oauth/token",
                body: .form([
                    ("grant_type", "refresh_token"), ("refresh_token", seeded.refreshToken),
                    ("continuous_refresh", "true"),
                ]), auth: app)
            #expect(first.status == 200)
            let body = first.object
            #expect(body["token_type"] as? String == "bearer")
            #expect(body["response_type"] as? String == "refresh_token")
            #expect(body["expires_in"] as? Int == 2_592_000)
            #expect(body["refresh_token_expires_in"] as? Int == 5_184_000)
            #expect((body["refresh_token_expires_at"] as? Int ?? 0) > Int(Date().timeIntervalSince1970))
            #expect(body["scope"] is String)
            let newAccess = try #require(body["access_token"] as? String)
            let newRefresh = try #require(body["refresh_token"] as? String)
            #expect(newAccess != seeded.accessToken)
            #expect(newRefresh != seeded.refreshToken)

            let reused = try await client.send(
                "POST", "/v5/oauth/token",
                body: .form([("grant_type", "refresh_token"), ("refresh_token", seeded.refreshToken)]), auth: app)
            #expect(reused.status == 401)
            #expect(reused.code == 2)

            let accounts = try await client.get("/v5/ad_accounts", token: newAccess)
            #expect(accounts.status == 200)
            #expect(accounts.items.count == 2)

            let again = try await client.send(
                "POST", "/v5/oauth/token",
                body: .form([("grant_type", "refresh_token"), ("refresh_token", newRefresh)]), auth: app)
            #expect(again.status == 200)
        }
    }

    @Test("a refresh whose answer is lost still rotates: the refresh token sent is refused as used, the access token in hand works until it expires")
    func lostRefreshAnswer() async throws {
        try await withSandbox { sandbox, client in
            let seeded = sandbox.seedToken(accessExpiresIn: 600)
            sandbox.inject(SandboxFault(.applyThenReset, count: 1, pathContains: "/oauth/token"))
            do {
                let response = try await TestHTTPClient(sandbox, timeout: 5).send(
                    "POST", "/v5/oauth/token",
                    body: .form([("grant_type", "refresh_token"), ("refresh_token", seeded.refreshToken), ("continuous_refresh", "true")]),
                    auth: app)
                Issue.record("expected a connection failure, got \(response.status)")
            } catch let failure as TransportFailure {
                #expect(!failure.isTimeout)
            }
            #expect(sandbox.stats().byOperation["oauth/token"] == 1, "Pinterest served it")

            // The refresh token sent was spent by the refresh whose answer was lost.
            let reused = try await client.send(
                "POST", "/v5/oauth/token",
                body: .form([("grant_type", "refresh_token"), ("refresh_token", seeded.refreshToken), ("continuous_refresh", "true")]),
                auth: app)
            #expect(reused.status == 401)
            #expect(reused.code == 2)
            #expect(reused.message == "Authentication failed: refresh token revoked or already used.")

            // The access token in hand is not revoked by the rotation: it works until it expires.
            #expect(try await client.get("/v5/ad_accounts", token: seeded.accessToken).status == 200)
            sandbox.advanceClock(by: 601)
            let expired = try await client.get("/v5/ad_accounts", token: seeded.accessToken)
            #expect(expired.status == 401)
            #expect(expired.code == 2)
        }
    }

    @Test("wrong, missing or malformed app credentials get 401 code 2")
    func appCredentials() async throws {
        try await withSandbox { sandbox, client in
            let seeded = sandbox.seedToken()
            let form = TestHTTPClient.Body.form([("grant_type", "refresh_token"), ("refresh_token", seeded.refreshToken)])
            for auth in [
                TestHTTPClient.Credentials.basic("sandbox-app-id", "wrong"), .none, .header("Basic !!!"),
                .bearer(seeded.accessToken),
            ] {
                let response = try await client.send("POST", "/v5/oauth/token", body: form, auth: auth)
                #expect(response.status == 401)
                #expect(response.code == 2)
                #expect(response.header("x-pinterest-rid") != nil)
            }
            // The refresh token was not consumed by the rejected attempts.
            let good = try await client.send("POST", "/v5/oauth/token", body: form, auth: app)
            #expect(good.status == 200)
        }
    }

    @Test("expired access and refresh tokens get 401 code 2 once the sandbox clock passes their lifetime")
    func expiry() async throws {
        try await withSandbox { sandbox, client in
            let seeded = sandbox.seedToken(accessExpiresIn: 60, refreshExpiresIn: 120)
            #expect(try await client.get("/v5/ad_accounts", token: seeded.accessToken).status == 200)
            sandbox.advanceClock(by: 61)
            let expired = try await client.get("/v5/ad_accounts", token: seeded.accessToken)
            #expect(expired.status == 401)
            #expect(expired.code == 2)
            #expect(expired.message.contains("expired"))

            let clock = try await client.control("POST", "/_sandbox/clock", json: ["advance_s": 60])
            #expect(clock.status == 200)
            let refresh = try await client.send(
                "POST", "/v5/oauth/token",
                body: .form([("grant_type", "refresh_token"), ("refresh_token", seeded.refreshToken)]), auth: app)
            #expect(refresh.status == 401)
            #expect(refresh.code == 2)
        }
    }

    @Test("missing, malformed, unknown and revoked bearer tokens get 401 code 2")
    func bearerFailures() async throws {
        try await withSandbox { sandbox, client in
            let seeded = sandbox.seedToken()
            for auth in [TestHTTPClient.Credentials.none, .header("Token abc"), .bearer("pina_unknown")] {
                let response = try await client.send("GET", "/v5/ad_accounts", auth: auth)
                #expect(response.status == 401)
                #expect(response.code == 2)
            }
            let revoke = try await client.control("POST", "/_sandbox/tokens/revoke", json: ["token": seeded.accessToken])
            #expect(revoke.status == 200)
            let revoked = try await client.get("/v5/ad_accounts", token: seeded.accessToken)
            #expect(revoked.status == 401)
            #expect(revoked.code == 2)
        }
    }

    @Test("authorization codes: minted (bound to redirect_uri) and sandbox-code*, each usable once")
    func authorizationCode() async throws {
        try await withSandbox { sandbox, client in
            let minted = try await client.control(
                "POST", "/_sandbox/codes", json: ["ad_accounts": 3, "redirect_uri": "http://localhost/cb"])
            let code = try #require(minted.object["code"] as? String)
            func exchange(_ code: String, redirect: String = "http://localhost/cb") async throws -> TestResponse {
                try await client.send(
                    "POST", "/v5/oauth/token",
                    body: .form([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirect)]),
                    auth: app)
            }
            #expect(try await exchange(code, redirect: "http://elsewhere/").status == 400)
            let token = try await exchange(code)
            #expect(token.status == 200)
            #expect(token.object["response_type"] as? String == "authorization_code")
            #expect(token.object["refresh_token"] is String)
            let access = try #require(token.object["access_token"] as? String)
            #expect(try await client.get("/v5/ad_accounts", token: access).items.count == 3)
            #expect(try await exchange(code).status == 401)

            #expect(try await exchange("sandbox-code-42").status == 200)
            #expect(try await exchange("sandbox-code-42").status == 401)
            #expect(try await exchange("made-up").status == 401)
            let missing = try await client.send(
                "POST", "/v5/oauth/token", body: .form([("grant_type", "authorization_code"), ("code", "sandbox-code-1")]),
                auth: app)
            #expect(missing.status == 400)
        }
    }

    @Test("ad accounts page with bookmark; other users' accounts are 403, unknown ones 404")
    func adAccountPagination() async throws {
        try await withSandbox { sandbox, client in
            let seeded = sandbox.seedToken(adAccounts: 5)
            var seen: [String] = []
            var bookmark: String? = nil
            var pages = 0
            repeat {
                var query = [("page_size", "2")]
                if let bookmark { query.append(("bookmark", bookmark)) }
                let page = try await client.get("/v5/ad_accounts", query: query, token: seeded.accessToken)
                #expect(page.status == 200)
                #expect(page.items.count <= 2)
                seen += page.items.compactMap { $0["id"] as? String }
                bookmark = page.object["bookmark"] as? String
                pages += 1
            } while bookmark != nil && pages < 10
            #expect(pages == 3)
            #expect(seen == seeded.adAccountIDs)

            let first = try #require(seeded.adAccountIDs.first)
            let one = try await client.get("/v5/ad_accounts/\(first)", token: seeded.accessToken)
            #expect(one.status == 200)
            #expect(one.object["id"] as? String == first)
            #expect((one.object["owner"] as? [String: Any])?["id"] as? String == seeded.userID)
            #expect(one.object["currency"] as? String == "USD")

            let other = sandbox.seedToken(adAccounts: 1)
            let foreign = try await client.get("/v5/ad_accounts/\(first)", token: other.accessToken)
            #expect(foreign.status == 403)
            #expect(foreign.code == 29)
            #expect(try await client.get("/v5/ad_accounts/999", token: other.accessToken).status == 404)

            let none = sandbox.seedToken(adAccounts: 0)
            let empty = try await client.get("/v5/ad_accounts", token: none.accessToken)
            #expect(empty.status == 200)
            #expect(empty.items.isEmpty)
            #expect(empty.object["bookmark"] is NSNull)

            let bad = try await client.get("/v5/ad_accounts", query: [("page_size", "251")], token: seeded.accessToken)
            #expect(bad.status == 400)
        }
    }

    @Test("tokens minted through the control endpoint work like seeded ones")
    func controlTokens() async throws {
        try await withSandbox { _, client in
            let minted = try await client.control("POST", "/_sandbox/tokens", json: ["ad_accounts": 0])
            #expect(minted.status == 200)
            let token = try #require(minted.object["access_token"] as? String)
            #expect(minted.object["refresh_token"] is String)
            #expect(minted.object["expires_in"] as? Int == 2_592_000)
            #expect((minted.object["ad_account_ids"] as? [String])?.isEmpty == true)
            #expect(try await client.get("/v5/user_account", token: token).object["id"] as? String
                == minted.object["user_id"] as? String)
        }
    }

    @Test("unknown paths are 404 and wrong methods 405, in Pinterest's error shape")
    func routing() async throws {
        try await withSandbox { sandbox, client in
            let token = sandbox.seedToken().accessToken
            let unknown = try await client.get("/v5/boards", token: token)
            #expect(unknown.status == 404)
            #expect(unknown.code != nil)
            #expect(unknown.header("x-pinterest-rid") != nil)
            let wrongMethod = try await client.send("DELETE", "/v5/ad_accounts", auth: .bearer(token))
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.code != nil)
        }
    }
}

import Foundation
import PinterestSandbox
import Testing

/// The browser step of OAuth (`GET /oauth/`), the codes it issues and the authorizer control.
@Suite("OAuth browser step")
struct AuthorizeTests {
    static let app = TestHTTPClient.Credentials.basic("sandbox-app-id", "sandbox-app-secret")
    static let callback = "https://shop.example/callback"
    static let pinadsScope = "ads:read,ads:write,user_accounts:read"

    static func query(
        client: String? = "sandbox-app-id", redirect: String? = callback, responseType: String? = "code",
        scope: String? = pinadsScope, state: String? = "state-1"
    ) -> [(String, String)] {
        [("client_id", client), ("redirect_uri", redirect), ("response_type", responseType), ("scope", scope), ("state", state)]
            .compactMap { name, value in value.map { (name, $0) } }
    }

    static func authorize(_ sandbox: PinterestSandbox, _ items: [(String, String)], path: String = "/oauth/") throws
        -> RawHTTPResponse
    {
        let query = items.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
        return try RawHTTP.exchange("GET", path + (query.isEmpty ? "" : "?" + query), port: sandbox.port)
    }

    /// Percent-encodes all but RFC 3986's unreserved characters.
    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")) ?? text
    }

    /// Approves with the default query and returns the code of the redirect.
    static func code(_ sandbox: PinterestSandbox, redirect: String = callback, scope: String = pinadsScope) throws -> String {
        let answer = try authorize(sandbox, query(redirect: redirect, scope: scope))
        #expect(answer.status == 302)
        return try #require(answer.locationQuery["code"])
    }

    static func exchange(_ client: TestHTTPClient, _ code: String, redirect: String = callback) async throws -> TestResponse {
        try await client.send(
            "POST", "/v5/oauth/token",
            body: .form([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirect)]), auth: app)
    }

    @Test("approval redirects to redirect_uri with code and the state echoed; the code works once")
    func redirectAndExchange() async throws {
        try await withSandbox { sandbox, client in
            let answer = try Self.authorize(sandbox, Self.query(state: "a b/c&d=é"))
            #expect(answer.status == 302)
            let location = try #require(answer.header("location"))
            #expect(location.hasPrefix(Self.callback + "?code="))
            #expect(location.contains("&state=a%20b%2Fc%26d%3D%C3%A9"))
            #expect(answer.locationQuery["state"] == "a b/c&d=é")
            let code = try #require(answer.locationQuery["code"])
            #expect(sandbox.authorizationURL == sandbox.rootURL + "/oauth/")

            let token = try await Self.exchange(client, code)
            #expect(token.status == 200)
            #expect(token.object["response_type"] as? String == "authorization_code")
            #expect(token.object["token_type"] as? String == "bearer")
            #expect(token.object["scope"] as? String == Self.pinadsScope)
            #expect(token.object["expires_in"] as? Int == 2_592_000)
            #expect(token.object["refresh_token"] is String)
            #expect(token.object["refresh_token_expires_in"] as? Int == 5_184_000)
            let access = try #require(token.object["access_token"] as? String)
            let accounts = try await client.get("/v5/ad_accounts", token: access)
            #expect(accounts.items.count == 2)
            #expect(accounts.items.allSatisfy { $0["currency"] as? String == "USD" })

            let again = try await Self.exchange(client, code)
            #expect(again.status == 401)
            #expect(again.code == 2)
            #expect(sandbox.stats().byOperation["oauth/token"] == 2, "GET /oauth/ is not a /v5 operation")
        }
    }

    @Test("/oauth without a slash works too, and a redirect_uri with a query gets &code=")
    func pathAndQuery() async throws {
        try await withSandbox { sandbox, client in
            let redirect = "http://localhost:8080/cb?shop=1"
            let answer = try Self.authorize(sandbox, Self.query(redirect: redirect), path: "/oauth")
            #expect(answer.status == 302)
            #expect(answer.header("location")?.hasPrefix(redirect + "&code=") == true)
            #expect(answer.header("cache-control") == "no-store")
            let code = try #require(answer.locationQuery["code"])
            #expect(try await Self.exchange(client, code, redirect: redirect).status == 200)
            let post = try RawHTTP.exchange("POST", "/oauth/", port: sandbox.port)
            #expect(post.status == 405)
        }
    }

    @Test("the exchange must send exactly the redirect_uri of the approval; a wrong one leaves the code usable")
    func wrongRedirectURI() async throws {
        try await withSandbox { sandbox, client in
            let code = try Self.code(sandbox)
            for wrong in [Self.callback + "/", "https://shop.example/other", Self.callback.uppercased()] {
                let refused = try await Self.exchange(client, code, redirect: wrong)
                #expect(refused.status == 400)
                #expect(refused.message.contains("redirect_uri"))
            }
            #expect(try await Self.exchange(client, code).status == 200)
        }
    }

    @Test("client_id must be the app's: another one or none is a 400 naming client_id, and nothing is approved")
    func wrongClient() async throws {
        try await withSandbox { sandbox, _ in
            let other = try Self.authorize(sandbox, Self.query(client: "someone-else"))
            #expect(other.status == 400)
            #expect(other.object["parameter"] as? String == "client_id")
            #expect(other.object["error"] as? String == "unauthorized_client")
            #expect(other.header("location") == nil)
            let none = try Self.authorize(sandbox, Self.query(client: nil))
            #expect(none.status == 400)
            #expect(none.object["parameter"] as? String == "client_id")
            // QS's legacy consumer_id is not client_id.
            let legacy = try Self.authorize(sandbox, Self.query(client: nil) + [("consumer_id", "sandbox-app-id")])
            #expect(legacy.status == 400)
        }
    }

    @Test("a code expires after 10 minutes of sandbox clock")
    func expiry() async throws {
        try await withSandbox { sandbox, client in
            let late = try Self.code(sandbox)
            let inTime = try Self.code(sandbox)
            sandbox.advanceClock(by: 590)
            #expect(try await Self.exchange(client, inTime).status == 200)
            let clock = try await client.control("POST", "/_sandbox/clock", json: ["advance_s": 10])
            #expect(clock.status == 200)
            let expired = try await Self.exchange(client, late)
            #expect(expired.status == 401)
            #expect(expired.code == 2)
            #expect(expired.message.contains("expired"))
        }
    }

    @Test(
        "each bad parameter is a 400 naming it",
        arguments: [
            (AuthorizeTests.query(redirect: nil), "redirect_uri"),
            (AuthorizeTests.query(redirect: "/callback"), "redirect_uri"),
            (AuthorizeTests.query(redirect: "ftp://shop.example/cb"), "redirect_uri"),
            (AuthorizeTests.query(redirect: "https://shop.example/cb#top"), "redirect_uri"),
            (AuthorizeTests.query(redirect: "https:///cb"), "redirect_uri"),
            (AuthorizeTests.query(responseType: nil), "response_type"),
            (AuthorizeTests.query(responseType: "token"), "response_type"),
            (AuthorizeTests.query(scope: nil), "scope"),
            (AuthorizeTests.query(scope: " , "), "scope"),
            (AuthorizeTests.query(scope: "ads:read,ads:fly"), "scope"),
            (AuthorizeTests.query(state: nil), "state"),
            (AuthorizeTests.query(state: ""), "state"),
            (AuthorizeTests.query() + [("state", "again")], "state"),
            (AuthorizeTests.query() + [("redirect_uri", "https://evil.example/")], "redirect_uri"),
        ])
    func parameterErrors(items: [(String, String)], parameter: String) async throws {
        try await withSandbox { sandbox, _ in
            let answer = try Self.authorize(sandbox, items)
            #expect(answer.status == 400)
            #expect(answer.object["parameter"] as? String == parameter)
            #expect((answer.object["message"] as? String)?.contains(parameter) == true)
            #expect(answer.object["code"] as? Int == 1)
            #expect(answer.header("location") == nil)
        }
    }

    @Test("registered redirect URIs, when configured, are the only ones accepted")
    func registeredRedirects() async throws {
        try await withSandbox({ $0.registeredRedirectURIs = [Self.callback] }) { sandbox, _ in
            #expect(try Self.authorize(sandbox, Self.query()).status == 302)
            let other = try Self.authorize(sandbox, Self.query(redirect: "https://shop.example/elsewhere"))
            #expect(other.status == 400)
            #expect(other.object["parameter"] as? String == "redirect_uri")
        }
    }

    @Test("the token carries the scopes granted (space-separated accepted); an operation asking for another is 401 code 3")
    func scopes() async throws {
        try await withSandbox { sandbox, client in
            let code = try Self.code(sandbox, scope: "ads:read user_accounts:read ads:read")
            let token = try await Self.exchange(client, code)
            #expect(token.object["scope"] as? String == "ads:read,user_accounts:read")
            let access = try #require(token.object["access_token"] as? String)
            let refresh = try #require(token.object["refresh_token"] as? String)
            let accounts = try await client.get("/v5/ad_accounts", token: access)
            #expect(accounts.status == 200)
            let account = try #require(accounts.items.first?["id"] as? String)
            let write = try await client.post(
                PinterestSandbox.account(account) + "/events", json: ["data": [EventTests.event("s1")]], token: access)
            #expect(write.status == 401)
            #expect(write.code == 3)
            #expect(write.message.contains("scopes"))

            let narrower = try await client.send(
                "POST", "/v5/oauth/token",
                body: .form([("grant_type", "refresh_token"), ("refresh_token", refresh), ("scope", "ads:write")]),
                auth: Self.app)
            #expect(narrower.status == 400, "ads:write was never granted")
            let refreshed = try await client.send(
                "POST", "/v5/oauth/token", body: .form([("grant_type", "refresh_token"), ("refresh_token", refresh)]),
                auth: Self.app)
            #expect(refreshed.status == 200)
            #expect(refreshed.object["scope"] as? String == "ads:read,user_accounts:read")
        }
    }
}

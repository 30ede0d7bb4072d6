import Foundation
import Logging
import Testing

@testable import PinterestAPI

/// OAuth's browser step (the authorize URL, pure) and the identity call, on a scripted transport.
@Suite("Pinterest authorization and identity")
struct AuthorizationTests {
    @Test func theAuthorizePageFollowsTheAPIBase() {
        #expect(PinterestAuthorization.authorizeBase(forAPIBaseURL: "https://api.pinterest.com/v5") == "https://www.pinterest.com/oauth/")
        #expect(PinterestAuthorization.authorizeBase(forAPIBaseURL: "https://API.pinterest.com/v5/") == "https://www.pinterest.com/oauth/")
        #expect(PinterestAuthorization.authorizeBase(forAPIBaseURL: "http://127.0.0.1:8787/v5") == "http://127.0.0.1:8787/oauth/")
        #expect(PinterestAuthorization.authorizeBase(forAPIBaseURL: "https://sandbox.example.com/pinterest/v5") == "https://sandbox.example.com/oauth/")
        #expect(PinterestAuthorization.authorizeBase(forAPIBaseURL: "not a url") == nil)
        #expect(PinterestAuthorization.authorizeBase(forAPIBaseURL: "ftp://127.0.0.1/v5") == nil)
    }

    @Test func theAuthorizeURLCarriesEveryParameterEncoded() throws {
        let state = "7b1f0c9a2d4e6f8091a3b5c7d9e1f203"
        let url = PinterestAuthorization.url(
            base: "https://www.pinterest.com/oauth/",
            AuthorizationRequest(clientID: "1487365", redirectURI: "http://127.0.0.1:8085/callback?x=1&y=2", state: state))
        #expect(url.hasPrefix("https://www.pinterest.com/oauth/?client_id=1487365&redirect_uri=http%3A%2F%2F127.0.0.1%3A8085%2Fcallback%3Fx%3D1%26y%3D2&"))
        let components = try #require(URLComponents(string: url))
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
        #expect(query == [
            "client_id": "1487365", "redirect_uri": "http://127.0.0.1:8085/callback?x=1&y=2", "response_type": "code",
            "scope": "ads:read,ads:write,user_accounts:read", "state": state,
        ])
        // A base that has a query already keeps it.
        let sandbox = PinterestAuthorization.url(
            base: "http://127.0.0.1:8787/oauth/?consumer=1", AuthorizationRequest(clientID: "a b", redirectURI: "r", scopes: ["ads:read"], state: state))
        #expect(sandbox.hasPrefix("http://127.0.0.1:8787/oauth/?consumer=1&client_id=a%20b&redirect_uri=r&response_type=code&scope=ads%3Aread&state="))
    }

    @Test func theTokensUserIsAskedWithoutAnAdAccount() async throws {
        let transport = ScriptedTransport(
            json: (200, #"{"account_type":"BUSINESS","id":"1042385419362149521","username":"shop_official","business_name":null,"board_count":3}"#, [:]))
        let client = PinterestClient(baseURL: "http://fake/v5", transport: transport, logger: Logger(label: "t"))
        let user = try await client.userAccount(token: AccessToken("pina_SECRET"))
        #expect(user.id == "1042385419362149521" && user.username == "shop_official" && user.accountType == "BUSINESS" && user.boardCount == 3)
        let request = try #require(transport.requests.first)
        #expect(request.method == "GET" && request.url == "http://fake/v5/user_account", "never ?ad_account_id=: that answers the account's owner")
        #expect(request.headers.contains { $0.name == "Authorization" && $0.value == "Bearer pina_SECRET" })
        #expect(PinterestOperation.userAccountGet.category == "org_read")
    }

    @Test func anAnswerWithoutAnIDStillDecodes() async throws {
        // No field of `Account` is required; the daemon refuses a missing id itself.
        let transport = ScriptedTransport(json: (200, #"{"username":"someone"}"#, [:]))
        let client = PinterestClient(baseURL: "http://fake/v5", transport: transport, logger: Logger(label: "t"))
        #expect(try await client.userAccount(token: AccessToken("t")).id == nil)
    }
}

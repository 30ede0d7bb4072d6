import Foundation
import PinterestSandbox
import Testing

@Suite("Conversion tokens")
struct ConversionTokenTests {
    /// `POST /v5/oauth/conversion_token` with a Bearer access token.
    static func mint(_ client: TestHTTPClient, _ auth: TestHTTPClient.Credentials) async throws -> TestResponse {
        try await client.send("POST", "/v5/oauth/conversion_token", auth: auth)
    }

    @Test("minting needs a valid access token and answers {access_token, token_type: conversion}")
    func minting() async throws {
        try await withSandbox { sandbox, client in
            let seeded = sandbox.seedToken()
            let minted = try await Self.mint(client, .bearer(seeded.accessToken))
            #expect(minted.status == 200)
            #expect(minted.header("content-type") == "application/json")
            #expect(Set(minted.object.keys) == ["access_token", "token_type"])
            #expect(minted.object["token_type"] as? String == "conversion")
            let token = try #require(minted.object["access_token"] as? String)
            #expect(!token.isEmpty)
            #expect(token != seeded.accessToken)
            #expect(minted.header("x-ratelimit-limit") == "100")
            #expect(minted.header("x-pinterest-rid") != nil)

            let second = try await Self.mint(client, .bearer(seeded.accessToken))
            #expect(second.status == 200)
            #expect(second.object["access_token"] as? String != token)

            let expired = sandbox.seedToken(accessExpiresIn: -1)
            let revoked = sandbox.seedToken()
            sandbox.revoke(token: revoked.accessToken)
            for auth in [
                TestHTTPClient.Credentials.none, .bearer("pina_unknown"), .header("Token abc"),
                .basic("sandbox-app-id", "sandbox-app-secret"), .bearer(seeded.refreshToken),
                .bearer(expired.accessToken), .bearer(revoked.accessToken),
                // A conversion token cannot mint another one.
                .bearer(token),
            ] {
                let refused = try await Self.mint(client, auth)
                #expect(refused.status == 401)
                #expect(refused.code == 2)
                #expect(refused.message.hasPrefix("Authentication failed"))
            }
            let wrongMethod = try await client.get("/v5/oauth/conversion_token", token: seeded.accessToken)
            #expect(wrongMethod.status == 405)

            let stats = sandbox.stats()
            #expect(stats.byOperation["oauth/conversion_token"] == 10)
            #expect(stats.byStatus[200] == 2)
            #expect(stats.byStatus[401] == 8)
            let http = try await client.control("GET", "/_sandbox/stats")
            #expect((http.object["by_operation"] as? [String: Int])?["oauth/conversion_token"] == 10)
        }
    }

    @Test("minting counts under org_write, per user")
    func orgWriteLimit() async throws {
        try await withSandbox({ $0.categoryLimitsPerMinute["org_write"] = 2 }) { sandbox, client in
            let seeded = sandbox.seedToken()
            let first = try await Self.mint(client, .bearer(seeded.accessToken))
            #expect(first.header("x-ratelimit-limit") == "2")
            #expect(first.header("x-ratelimit-remaining") == "1")
            #expect(try await Self.mint(client, .bearer(seeded.accessToken)).status == 200)
            let limited = try await Self.mint(client, .bearer(seeded.accessToken))
            #expect(limited.status == 429)
            #expect(limited.code == 8)
            // Other categories of the same user are untouched.
            #expect(try await client.get("/v5/ad_accounts", token: seeded.accessToken).status == 200)
            let other = sandbox.seedToken()
            #expect(try await Self.mint(client, .bearer(other.accessToken)).status == 200)
        }
    }

    @Test("events sent with a conversion token are processed, on the user's ad accounts only, without expiry")
    func eventsWithConversionToken() async throws {
        try await withSandbox { sandbox, client in
            let seeded = sandbox.seedToken(adAccounts: 2, accessExpiresIn: 3600)
            let minted = try await Self.mint(client, .bearer(seeded.accessToken))
            let token = try #require(minted.object["access_token"] as? String)
            for (index, accountID) in seeded.adAccountIDs.enumerated() {
                let response = try await client.post(
                    PinterestSandbox.account(accountID) + "/events",
                    json: ["data": [EventTests.event("c\(index)a"), EventTests.event("c\(index)b")]], token: token)
                #expect(response.status == 200)
                #expect(response.object["num_events_received"] as? Int == 2)
                #expect(response.object["num_events_processed"] as? Int == 2)
            }
            let test = try await client.post(
                PinterestSandbox.account(seeded.adAccountIDs[0]) + "/events", query: [("test", "true")],
                json: ["data": [EventTests.event("t1")]], token: token)
            #expect(test.status == 200)
            var stats = sandbox.stats()
            #expect(stats.eventsReceived == 4)
            #expect(stats.eventsProcessed == 4)
            #expect(stats.testEventsReceived == 1)
            #expect(stats.byOperation["events/create"] == 3)

            // The OAuth access token keeps working for events.
            let byOAuth = try await client.post(
                PinterestSandbox.account(seeded.adAccountIDs[0]) + "/events",
                json: ["data": [EventTests.event("o1")]], token: seeded.accessToken)
            #expect(byOAuth.status == 200)
            #expect(byOAuth.object["num_events_processed"] as? Int == 1)

            // Another user's ad account: 403; an unknown one: 404.
            let other = sandbox.seedToken(adAccounts: 1)
            let foreign = try await client.post(
                PinterestSandbox.account(other.adAccountIDs[0]) + "/events",
                json: ["data": [EventTests.event("f1")]], token: token)
            #expect(foreign.status == 403)
            #expect(foreign.code == 29)
            let unknown = try await client.post(
                PinterestSandbox.account("999") + "/events", json: ["data": [EventTests.event("u1")]], token: token)
            #expect(unknown.status == 404)

            // Long-lived: it outlives the access token it was minted with, by expiry or revocation.
            sandbox.advanceClock(by: 400 * 24 * 3600)
            #expect(try await client.get("/v5/ad_accounts", token: seeded.accessToken).status == 401)
            sandbox.revoke(token: seeded.accessToken)
            let later = try await client.post(
                PinterestSandbox.account(seeded.adAccountIDs[1]) + "/events",
                json: ["data": [EventTests.event("late")]], token: token)
            #expect(later.status == 200)
            #expect(later.object["num_events_processed"] as? Int == 1)
            stats = sandbox.stats()
            #expect(stats.eventsProcessed == 6)
        }
    }

    @Test("a conversion token is refused like an unknown token everywhere but events/create")
    func refusedElsewhere() async throws {
        try await withSandbox { sandbox, client in
            let seeded = sandbox.seedToken(adAccounts: 1)
            let token = try #require(sandbox.mintConversionToken(forAccessToken: seeded.accessToken))
            let account = PinterestSandbox.account(seeded.adAccountIDs[0])
            let unknown = try await client.get("/v5/ad_accounts", token: "pina_unknown")
            #expect(unknown.status == 401)

            var refusals: [TestResponse] = []
            refusals.append(try await client.get("/v5/ad_accounts", token: token))
            refusals.append(try await client.get(account, token: token))
            refusals.append(try await client.get("/v5/user_account", token: token))
            refusals.append(try await client.get("\(account)/customer_lists", token: token))
            refusals.append(
                try await client.post(
                    "\(account)/customer_lists",
                    json: ["name": "l", "records": "a@example.com", "list_type": "EMAIL"], token: token))
            refusals.append(try await client.get("\(account)/campaigns", token: token))
            refusals.append(
                try await client.get(
                    "\(account)/campaigns/analytics",
                    query: [("start_date", "2024-01-01"), ("end_date", "2024-01-02"), ("columns", "SPEND_IN_DOLLAR"),
                        ("granularity", "DAY")],
                    token: token))
            refusals.append(try await Self.mint(client, .bearer(token)))
            for refused in refusals {
                #expect(refused.status == 401)
                #expect(refused.code == 2)
                #expect(refused.message == unknown.message)
                #expect(refused.header("x-pinterest-rid") != nil)
            }
            #expect(sandbox.customerLists().isEmpty)
            // The same token still works where it belongs.
            let events = try await client.post(
                "\(account)/events", json: ["data": [EventTests.event("ok")]], token: token)
            #expect(events.status == 200)
        }
    }

    @Test("revoked conversion tokens are refused; the Swift API mints only for valid access tokens")
    func revocation() async throws {
        try await withSandbox { sandbox, client in
            let seeded = sandbox.seedToken(adAccounts: 1)
            let path = PinterestSandbox.account(seeded.adAccountIDs[0]) + "/events"
            let minted = try await Self.mint(client, .bearer(seeded.accessToken))
            let overHTTP = try #require(minted.object["access_token"] as? String)
            let bySwift = try #require(sandbox.mintConversionToken(forAccessToken: seeded.accessToken))
            #expect(overHTTP != bySwift)
            #expect(try await client.post(path, json: ["data": [EventTests.event("a")]], token: overHTTP).status == 200)
            #expect(try await client.post(path, json: ["data": [EventTests.event("b")]], token: bySwift).status == 200)

            let revoke = try await client.control("POST", "/_sandbox/tokens/revoke", json: ["token": overHTTP])
            #expect(revoke.status == 200)
            let refused = try await client.post(path, json: ["data": [EventTests.event("c")]], token: overHTTP)
            #expect(refused.status == 401)
            #expect(refused.code == 2)
            #expect(refused.message.contains("revoked"))
            // Revoking one conversion token leaves the user's others and the OAuth token alone.
            #expect(try await client.post(path, json: ["data": [EventTests.event("d")]], token: bySwift).status == 200)
            #expect(try await client.get("/v5/ad_accounts", token: seeded.accessToken).status == 200)

            #expect(sandbox.revoke(token: bySwift))
            #expect(try await client.post(path, json: ["data": [EventTests.event("e")]], token: bySwift).status == 401)
            #expect(sandbox.stats().eventsProcessed == 3)

            #expect(sandbox.mintConversionToken(forAccessToken: "pina_unknown") == nil)
            #expect(sandbox.mintConversionToken(forAccessToken: seeded.refreshToken) == nil)
            #expect(sandbox.mintConversionToken(forAccessToken: bySwift) == nil)
            let expired = sandbox.seedToken(accessExpiresIn: -1)
            #expect(sandbox.mintConversionToken(forAccessToken: expired.accessToken) == nil)
            sandbox.revoke(token: seeded.accessToken)
            #expect(sandbox.mintConversionToken(forAccessToken: seeded.accessToken) == nil)

            // A sandbox reset forgets conversion tokens too.
            let fresh = sandbox.seedToken(adAccounts: 1)
            let kept = try #require(sandbox.mintConversionToken(forAccessToken: fresh.accessToken))
            sandbox.reset()
            let afterReset = try await client.post(
                PinterestSandbox.account(fresh.adAccountIDs[0]) + "/events", json: ["data": [EventTests.event("r")]],
                token: kept)
            #expect(afterReset.status == 401)
        }
    }

    @Test("the traffic record holds no conversion token")
    func recording() async throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("sandbox-conversion-record-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var secrets: [String] = []
        try await withSandbox({ $0.recordPath = path }) { sandbox, client in
            let seeded = sandbox.seedToken(adAccounts: 1)
            secrets += [seeded.accessToken, seeded.refreshToken]
            let minted = try await Self.mint(client, .bearer(seeded.accessToken))
            let token = try #require(minted.object["access_token"] as? String)
            secrets.append(token)
            _ = try await client.post(
                PinterestSandbox.account(seeded.adAccountIDs[0]) + "/events", json: ["data": [EventTests.event("x")]],
                token: token)
            _ = try await client.get("/v5/ad_accounts", token: token)
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for secret in secrets {
            #expect(!text.contains(secret))
        }
        let records = text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(records.count == 3)
        guard records.count == 3 else { return }

        let mint = records[0]
        #expect(mint["path"] as? String == "/v5/oauth/conversion_token")
        #expect(mint["status"] as? Int == 200)
        #expect((mint["request_headers"] as? [String: String])?["authorization"] == "Bearer ***")
        let body = try JSONSerialization.jsonObject(with: Data((mint["response_body"] as? String ?? "").utf8))
        #expect(body as? [String: String] == ["access_token": "***", "token_type": "conversion"])

        let events = records[1]
        #expect(events["status"] as? Int == 200)
        #expect((events["request_headers"] as? [String: String])?["authorization"] == "Bearer ***")
        #expect(records[2]["status"] as? Int == 401)
    }
}

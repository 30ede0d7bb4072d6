import Foundation
import Logging
import PinAdsJSON
import PinterestAPI
import PinterestSandbox
import Testing

/// One sandbox and clients of it, over real HTTP on loopback.
struct SandboxHarness {
    let sandbox: PinterestSandbox
    let client: PinterestClient
    /// The same transport with a short timeout, for hang faults.
    let impatient: PinterestClient
    let app: AppCredentials

    static func start(recordPath: String? = nil, configure: (inout SandboxConfiguration) -> Void = { _ in }) async throws -> SandboxHarness {
        var configuration = SandboxConfiguration()
        configuration.recordPath = recordPath
        configure(&configuration)
        let sandbox = try await PinterestSandbox.start(configuration, logger: Logger(label: "sandbox"))
        var quick = CurlTransport.Configuration()
        quick.requestTimeout = .milliseconds(700)
        return SandboxHarness(
            sandbox: sandbox,
            client: PinterestClient(baseURL: sandbox.baseURL, transport: CurlTransport(), logger: Logger(label: "client")),
            impatient: PinterestClient(baseURL: sandbox.baseURL, transport: CurlTransport(configuration: quick), logger: Logger(label: "client")),
            app: AppCredentials(clientID: configuration.appID, clientSecret: configuration.appSecret))
    }
}

func sha256Hex(_ text: String) -> String {
    // Deterministic stand-in values of the right shape (64 lowercase hex); the sandbox only
    // checks the shape of hashed identifiers.
    var hash: UInt64 = 1469598103934665603
    for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 1099511628211 }
    return (0..<4).map { String(format: "%016llx", hash &+ UInt64($0) &* 0x9E3779B97F4A7C15) }.joined()
}

/// Every call of the client and every error type, against a live sandbox. Each scenario runs
/// alone in its own test, and all of them run together for the contract check.
enum ClientScenarios {
    typealias Scenario = @Sendable (SandboxHarness) async throws -> Void

    static let all: [(name: String, run: Scenario)] = [
        ("oauth", oauth),
        ("ad accounts pagination", adAccountsPagination),
        ("customer lists and audiences", customerListsAndAudiences),
        ("campaigns, ad groups, ads", campaignHierarchy),
        ("campaign operations", campaignOperations),
        ("conversion events", conversionEvents),
        ("analytics", analytics),
        ("error types", errorTypes),
        ("transport: reuse and concurrency", transport),
        ("user account", userAccount),
    ]

    static func oauth(_ h: SandboxHarness) async throws {
        let seeded = h.sandbox.seedToken(adAccounts: 1)
        let refreshed = try await h.client.refreshAccessToken(refreshToken: seeded.refreshToken, app: h.app)
        #expect(refreshed.accessToken != seeded.accessToken)
        let rotated = try #require(refreshed.refreshToken)
        #expect(rotated != seeded.refreshToken, "continuous refresh rotates the refresh token")
        #expect(refreshed.refreshTokenExpiresAt != nil)
        // The old refresh token is spent.
        await #expect(throws: PinterestError.self) { try await h.client.refreshAccessToken(refreshToken: seeded.refreshToken, app: h.app) }
        // Wrong app credentials.
        do {
            _ = try await h.client.refreshAccessToken(refreshToken: rotated, app: AppCredentials(clientID: h.app.clientID, clientSecret: "wrong"))
            Issue.record("wrong app secret accepted")
        } catch PinterestError.unauthorized(let status, _, _, _) {
            #expect(status == 401)
        }
        // The new access token works.
        #expect(try await h.client.listAdAccounts(token: AccessToken(refreshed.accessToken)).count == 1)
        // Authorization code grant.
        let code = h.sandbox.mintAuthorizationCode(adAccounts: 2, redirectURI: "https://shop.example/callback")
        let exchanged = try await h.client.exchangeAuthorizationCode(code, redirectURI: "https://shop.example/callback", app: h.app)
        #expect(try await h.client.listAdAccounts(token: AccessToken(exchanged.accessToken)).count == 2)
    }

    static func adAccountsPagination(_ h: SandboxHarness) async throws {
        let seeded = h.sandbox.seedToken(adAccounts: 260)
        let accounts = try await h.client.listAdAccounts(token: AccessToken(seeded.accessToken))
        #expect(accounts.count == 260, "two pages of 250 and 10")
        #expect(Set(accounts.map(\.id)) == Set(seeded.adAccountIDs))
        #expect(accounts.allSatisfy { $0.id.allSatisfy { $0.isNumber } })
        let none = h.sandbox.seedToken(adAccounts: 0)
        #expect(try await h.client.listAdAccounts(token: AccessToken(none.accessToken)).isEmpty)
    }

    static func customerListsAndAudiences(_ h: SandboxHarness) async throws {
        let seeded = h.sandbox.seedToken(adAccounts: 1)
        let token = AccessToken(seeded.accessToken), account = seeded.adAccountIDs[0]
        let records = (0..<300).map { sha256Hex("person\($0)@example.com") }
        let created = try await h.client.createCustomerList(
            token: token, adAccountID: account, CustomerListCreate(name: "buyers", records: Array(records[0..<200]), listType: .email))
        #expect(created.id.allSatisfy { $0.isNumber })
        let added = try await h.client.updateCustomerList(
            token: token, adAccountID: account, customerListID: created.id, operation: .add, records: Array(records[200..<300]))
        #expect(added.id == created.id)
        let removed = try await h.client.updateCustomerList(
            token: token, adAccountID: account, customerListID: created.id, operation: .remove, records: Array(records[0..<10]))
        #expect((removed.numRemovedUserRecords ?? 0) >= 10)
        let fetched = try await h.client.getCustomerList(token: token, adAccountID: account, customerListID: created.id)
        #expect(fetched.status == "READY", "290 records at an 80% match rate pass 100 matched users")
        let small = try await h.client.createCustomerList(
            token: token, adAccountID: account, CustomerListCreate(name: "few", records: Array(records[0..<20])))
        #expect(try await h.client.getCustomerList(token: token, adAccountID: account, customerListID: small.id).status == "TOO_SMALL")
        #expect(try await h.client.listCustomerLists(token: token, adAccountID: account).count == 2)

        let audience = try await h.client.createAudience(
            token: token, adAccountID: account, .customerList(name: "buyers audience", customerListID: created.id))
        #expect(audience.audienceType == "CUSTOMER_LIST")
        #expect(try await h.client.getAudience(token: token, adAccountID: account, audienceID: audience.id).id == audience.id)
        #expect(try await h.client.listAudiences(token: token, adAccountID: account).map(\.id) == [audience.id])
        let lookalike = try await h.client.createAudience(
            token: token, adAccountID: account, .actalike(name: "buyers lookalike", seedAudienceIDs: [audience.id], country: "US", percentage: 5))
        #expect(lookalike.audienceType == "ACTALIKE")
        #expect(h.sandbox.stats().customerListRecordsReceived >= 320)
    }

    static func campaignHierarchy(_ h: SandboxHarness) async throws {
        let seeded = h.sandbox.seedToken(adAccounts: 1)
        let token = AccessToken(seeded.accessToken), account = seeded.adAccountIDs[0]
        let campaigns = try await h.client.createCampaigns(
            token: token, adAccountID: account,
            [CampaignCreate(adAccountID: account, name: "Winter", objectiveType: "AWARENESS", status: "PAUSED", dailySpendCap: 25_000_000),
             // Valid JSON for the schema, refused by Pinterest's rules: both caps at once.
             CampaignCreate(adAccountID: account, name: "Broken", objectiveType: "AWARENESS", dailySpendCap: 1_000_000, lifetimeSpendCap: 9_000_000)])
        let campaign = try #require(campaigns[0].created)
        #expect(campaign.status == "PAUSED")
        #expect(campaigns[0].exceptions.isEmpty)
        #expect(campaigns[1].created == nil)
        #expect(!campaigns[1].exceptions.isEmpty, "a bad item fails alone, in a 200 answer")
        let defaulted = try await h.client.createCampaigns(
            token: token, adAccountID: account, [CampaignCreate(adAccountID: account, name: "Live", objectiveType: "CONSIDERATION")])
        #expect(defaulted[0].created?.status == "ACTIVE", "Pinterest defaults campaigns to ACTIVE")

        let groups = try await h.client.createAdGroups(
            token: token, adAccountID: account,
            [AdGroupCreate(
                campaignID: campaign.id, name: "Everyone", billableEvent: "IMPRESSION", budgetInMicroCurrency: 5_000_000,
                bidInMicroCurrency: 2_000_000, status: "PAUSED", autoTargetingEnabled: false, targetingSpec: ["LOCATION": ["US"]])])
        let group = try #require(groups[0].created, "\(groups[0].exceptions)")
        let ads = try await h.client.createAds(
            token: token, adAccountID: account,
            [AdCreate(adGroupID: group.id, pinID: "813744226420795884", creativeType: "REGULAR", name: "Pin ad", status: "PAUSED"),
             AdCreate(adGroupID: "999999999999", pinID: "813744226420795884", creativeType: "REGULAR")])
        #expect(ads[0].created?.adGroupID == group.id)
        #expect(ads[1].created == nil && !ads[1].exceptions.isEmpty, "the ad's exception arrives as an object")

        #expect(try await h.client.listCampaigns(token: token, adAccountID: account).contains { $0.id == campaign.id })
        #expect(try await h.client.listAdGroups(token: token, adAccountID: account, campaignIDs: [campaign.id]).map(\.id) == [group.id])
        #expect(try await h.client.listAds(token: token, adAccountID: account).count == 1)
    }

    static func conversionEvents(_ h: SandboxHarness) async throws {
        let seeded = h.sandbox.seedToken(adAccounts: 1)
        let token = AccessToken(seeded.accessToken), account = seeded.adAccountIDs[0]
        let now = Int64(Date().timeIntervalSince1970)
        let events = (0..<1000).map { i in
            ConversionEvent(
                eventName: "checkout", actionSource: "web", eventTime: now - 60, eventID: "order-\(i)",
                userData: .init(em: [sha256Hex("buyer\(i)@example.com")]),
                customData: .init(currency: "USD", value: "19.99", orderID: "order-\(i)"))
        }
        let answer = try await h.client.sendEvents(token: token, adAccountID: account, events: events)
        #expect(answer.numEventsReceived == 1000)
        #expect(answer.events.allSatisfy { $0.status == "processed" })
        let before = h.sandbox.stats().eventsReceived
        let test = try await h.client.sendEvents(token: token, adAccountID: account, events: Array(events.prefix(3)), test: true)
        #expect(test.events.count == 3)
        #expect(h.sandbox.stats().eventsReceived == before, "test events are not recorded")
        let bad = ConversionEvent(
            eventName: "teleport", actionSource: "web", eventTime: now, eventID: "bad-1", userData: .init(em: [sha256Hex("x")]))
        let mixed = try await h.client.sendEvents(token: token, adAccountID: account, events: [bad, events[0]])
        #expect(mixed.events[0].status == "failed")
        #expect(mixed.events[0].errorMessage != nil)
        #expect(mixed.events[1].status == "processed")
        #expect(h.sandbox.stats().eventsDeduplicated >= 1, "order-0 was sent twice")
        // A conversion token, minted with the OAuth token, sends events (encoded by hand).
        let conversion = try await h.client.createConversionToken(token: token)
        #expect(conversion.tokenType == "conversion" && !conversion.accessToken.isEmpty)
        let sent = try await h.client.sendEncodedEvents(
            token: AccessToken(conversion.accessToken), adAccountID: account, events: events.suffix(2).map(\.json))
        #expect(sent.events.allSatisfy { $0.status == "processed" })
        await #expect(throws: PinterestError.self) { try await h.client.listAdAccounts(token: AccessToken(conversion.accessToken)) }
        // Every field of the 5.23 event, through both encoders: the sandbox (and the contract
        // check, on the recorded traffic) takes each as the spec describes it.
        let full = everyField(now: now)
        let both = try await h.client.sendEncodedEvents(token: token, adAccountID: account, events: [full.json])
        #expect(both.events.map(\.status) == ["processed"], "\(both.events)")
        var again = full
        again.eventID = "every-field-2"
        #expect(try await h.client.sendEvents(token: token, adAccountID: account, events: [again]).events.map(\.status) == ["processed"])
    }

    /// An event with every field Pinterest's 5.23 description gives it.
    static func everyField(now: Int64) -> ConversionEvent {
        var user = ConversionEvent.UserData(
            em: [sha256Hex("a@b.co")], hashedMaids: [sha256Hex("38400000-8cf0-11bd-b23e-10b96e40000d")], ph: [sha256Hex("14155550123")],
            externalID: [sha256Hex("cust-1")], clientIPAddress: "203.0.113.7", clientUserAgent: "Mozilla/5.0")
        (user.fn, user.ln, user.ge, user.db) = ([sha256Hex("jane")], [sha256Hex("doe")], [sha256Hex("f")], [sha256Hex("19900131")])
        (user.ct, user.st, user.zp, user.country) = ([sha256Hex("paris")], [sha256Hex("ca")], [sha256Hex("75001")], [sha256Hex("fr")])
        (user.clickID, user.partnerID) = ("dj0yJnU9b", "p-1")
        var custom = ConversionEvent.CustomData(
            currency: "EUR", value: "0.125", contentIDs: ["sku-1"], numItems: 1, orderID: "o-1",
            contents: [.init(id: "sku-1", itemPrice: "0.125", quantity: 1, itemName: "Shirt", itemCategory: "shirts", itemBrand: "b")])
        (custom.contentName, custom.contentCategory, custom.contentBrand, custom.searchString) = ("Shirt", "shirts", "b", "blue shirt")
        (custom.predictedLTV, custom.optOutType, custom.np) = ("310.50", "LDP", "ss")
        (custom.externalMeasurementID, custom.externalMeasurementVendorID) = ("m-1", 7)
        var event = ConversionEvent(
            eventName: "checkout", actionSource: "app_ios", eventTime: now - 60, eventID: "every-field-1",
            eventSourceURL: "https://shop.example/checkout", optOut: true, userData: user, customData: custom)
        (event.partnerName, event.language, event.appID, event.appName, event.appVersion) = ("ss-shop", "en", "429047995", "Shop", "7.2")
        (event.deviceBrand, event.deviceCarrier, event.deviceModel, event.deviceType) = ("Apple", "T-Mobile", "iPhone 15", "phone")
        (event.osVersion, event.wifi) = ("18.1", false)
        event.appInfo = ["app_store": "Apple App Store", "app_version": "7.2", "install_time": 1_700_000_000, "window_width": 390]
        event.deviceInfo = ["form_factor": "cellphone", "os_family": "ios", "languages": ["en"], "battery_level": 80]
        return event
    }

    static func analytics(_ h: SandboxHarness) async throws {
        let seeded = h.sandbox.seedToken(adAccounts: 1)
        let token = AccessToken(seeded.accessToken), account = seeded.adAccountIDs[0]
        let created = try await h.client.createCampaigns(
            token: token, adAccountID: account,
            [CampaignCreate(adAccountID: account, name: "A", objectiveType: "AWARENESS", status: "PAUSED"),
             CampaignCreate(adAccountID: account, name: "B", objectiveType: "AWARENESS", status: "PAUSED")])
        let ids = created.compactMap(\.created?.id)
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        let today = Date()
        let start = formatter.string(from: today.addingTimeInterval(-6 * 86_400)), end = formatter.string(from: today)
        let rows = try await h.client.campaignAnalytics(
            token: token, adAccountID: account, startDate: start, endDate: end, campaignIDs: ids,
            columns: ["SPEND_IN_MICRO_DOLLAR", "TOTAL_CLICKTHROUGH"], granularity: .day)
        #expect(rows.count == 14, "7 days × 2 campaigns")
        #expect(rows.allSatisfy { $0["CAMPAIGN_ID"]?.stringValue.map(ids.contains) == true })
        let again = try await h.client.campaignAnalytics(
            token: token, adAccountID: account, startDate: start, endDate: end, campaignIDs: ids,
            columns: ["SPEND_IN_MICRO_DOLLAR", "TOTAL_CLICKTHROUGH"], granularity: .day)
        #expect(rows == again, "deterministic")
        do {
            _ = try await h.client.campaignAnalytics(
                token: token, adAccountID: account, startDate: formatter.string(from: today.addingTimeInterval(-200 * 86_400)),
                endDate: end, campaignIDs: ids, columns: ["SPEND_IN_MICRO_DOLLAR"], granularity: .day)
            Issue.record("a 200-day window was accepted")
        } catch PinterestError.rejected(let status, _, _, _, _) {
            #expect(status == 400)
        }
    }

    static func errorTypes(_ h: SandboxHarness) async throws {
        let seeded = h.sandbox.seedToken(adAccounts: 1)
        let token = AccessToken(seeded.accessToken)
        do {
            _ = try await h.client.listAdAccounts(token: AccessToken("not-a-token"))
            Issue.record("a bad token was accepted")
        } catch PinterestError.unauthorized(401, let code, _, let rid) {
            #expect(code == 2)
            #expect(rid != nil, "x-pinterest-rid is read")
        }
        h.sandbox.inject(SandboxFault(.rateLimited, count: 1, pathContains: "/ad_accounts"))
        do {
            _ = try await h.client.listAdAccounts(token: token)
            Issue.record("429 not reported")
        } catch PinterestError.rateLimited(let code, _, _, let limit, _, _) {
            #expect(code == 8)
            #expect(limit != nil, "x-ratelimit-limit is read")
        }
        for (fault, status) in [(SandboxFault.Kind.internalServerError, 500), (.serviceUnavailable, 503)] {
            h.sandbox.inject(SandboxFault(fault, count: 1))
            do {
                _ = try await h.client.listAdAccounts(token: token)
                Issue.record("\(fault) not reported")
            } catch let error as PinterestError {
                guard case .transient(_, let got, _) = error else {
                    Issue.record("\(fault) became \(error)")
                    continue
                }
                #expect(got == status)
                #expect(error.isRetryable)
            }
        }
        h.sandbox.inject(SandboxFault(.hang, count: 1))
        let started = ContinuousClock.now
        do {
            _ = try await h.impatient.listAdAccounts(token: token)
            Issue.record("a hang was not timed out")
        } catch PinterestError.transient(let reason, nil, _) {
            #expect(reason.contains("timed out"))
        }
        // The impatient client's 0.7 s, not the default 60 s (with room for a loaded machine).
        #expect(ContinuousClock.now - started < .seconds(30))
        // libcurl sends a read again (up to 5 times) when a reused connection died before any
        // answer, on another pooled or a new connection; when every try is reset, the caller
        // sees it. (Writes are never sent again: see ReplayTests.)
        h.sandbox.inject(SandboxFault(.reset, count: 6))
        do {
            _ = try await h.client.listAdAccounts(token: token)
            Issue.record("a reset connection was not reported")
        } catch let error as PinterestError {
            guard case .transient = error else {
                Issue.record("a reset became \(error)")
                return
            }
        }
        h.sandbox.clearFaults()
        h.sandbox.inject(SandboxFault(.latency, count: 1, latencyMilliseconds: 150))
        #expect(try await h.client.listAdAccounts(token: token).count == 1, "latency is only late")
        // After the faults, the same client still works.
        #expect(try await h.client.listAdAccounts(token: token).count == 1)
    }

    static func transport(_ h: SandboxHarness) async throws {
        let seeded = h.sandbox.seedToken(adAccounts: 1)
        let token = AccessToken(seeded.accessToken)
        let before = h.sandbox.stats().tcpConnectionsTotal
        for _ in 0..<30 { _ = try await h.client.listAdAccounts(token: token) }
        #expect(h.sandbox.stats().tcpConnectionsTotal - before <= 1, "sequential calls reuse one kept-alive connection")

        // Slow answers, so the requests really overlap; another user, whose 100/s are untouched.
        h.sandbox.inject(SandboxFault(.latency, count: 80, latencyMilliseconds: 1500))
        let client = h.client
        let other = AccessToken(h.sandbox.seedToken(adAccounts: 1).accessToken)
        let calls = Task {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<80 { group.addTask { try await client.listAdAccounts(token: other).count } }
                var all: [Int] = []
                for try await count in group { all.append(count) }
                return all
            }
        }
        // While they are held, at least 64 connections are open at once: 64 requests in flight.
        let sandbox = h.sandbox
        let deadline = ContinuousClock.now + .seconds(20)
        var peak = 0
        while peak < 64 && ContinuousClock.now < deadline {
            peak = max(peak, sandbox.stats().tcpConnectionsOpen)
            try await Task.sleep(for: .milliseconds(5))
        }
        let counts = try await calls.value
        #expect(counts.count == 80 && counts.allSatisfy { $0 == 1 })
        #expect(peak >= 64, "at least 64 requests in flight at once (saw \(peak) connections open together)")
    }
}

@Suite("Pinterest client against the sandbox (real HTTP)")
struct ClientSandboxTests {
    @Test(arguments: ClientScenarios.all.map(\.name))
    func scenario(_ name: String) async throws {
        let h = try await SandboxHarness.start()
        defer { Task { try? await h.sandbox.shutdown() } }
        guard let scenario = ClientScenarios.all.first(where: { $0.name == name }) else { return }
        try await scenario.run(h)
    }
}

import Foundation
import Logging
import PinAdsProtocol
import PinAdsStore
import PinterestAPI
import PinterestSandbox
import Testing

@testable import PinAdsDaemon

@Suite("Conversion events: checks and hashing")
struct ConversionNormalizerTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func body(_ event: ConversionEventInput, accountCurrency: String? = nil) throws -> JSONValue {
        guard case .accepted(let prepared) = ConversionNormalizer(now: now, defaultCurrency: accountCurrency).prepare(event) else {
            throw TestFailure("rejected: \(event)")
        }
        return try JSONDecoder().decode(JSONValue.self, from: Data(prepared.body.utf8))
    }

    func reason(_ event: ConversionEventInput) -> String? {
        if case .rejected(let reason) = ConversionNormalizer(now: now).prepare(event) { return reason }
        return nil
    }

    @Test func identifiersAreNormalizedAndHashedToWhatPinterestReceives() throws {
        let event = try body(
            ConversionEventInput(
                eventName: "checkout", eventId: "order-1", email: "  Jane.Doe@Example.com ", phone: "+1 (415) 555-0123", value: 49.99,
                currency: "usd", orderId: "A-1"))
        #expect(event["user_data"]?["em"] == ["86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d"])
        #expect(event["user_data"]?["ph"] == ["413ba75461ab5f99d36820e561ea97e2bd80f9cb586f7ecea6cf4c496518950a"])
        #expect(event["event_time"] == .int(1_800_000_000) && event["action_source"] == "web", "defaults: now, web")
        #expect(event["custom_data"]?["value"] == "49.99" && event["custom_data"]?["currency"] == "USD")
        let raw = try String(decoding: JSONEncoder().encode(event), as: UTF8.self)
        #expect(!raw.lowercased().contains("jane") && !raw.contains("555"), "nothing raw is kept")
        let hashed = try body(ConversionEventInput(eventName: "lead", eventId: "x", email: "86E0B9E56C17CC4D12387E1949B85053FBE73BC3CE5A1188713A9D300CC6133D"))
        #expect(hashed["user_data"]?["em"] == ["86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d"], "an email already hashed is kept")
    }

    @Test func badEventsAreRefusedWithAReason() {
        #expect(reason(ConversionEventInput(eventName: "purchase", eventId: "1", email: "a@b.co"))?.hasPrefix("event_name") == true)
        #expect(reason(ConversionEventInput(eventName: "checkout", eventId: " ", email: "a@b.co"))?.hasPrefix("event_id") == true)
        #expect(reason(ConversionEventInput(eventName: "checkout", eventId: "1", eventTime: 1_800_000_000_000, email: "a@b.co"))?.hasPrefix("event_time") == true)
        for time: Int64 in [0, -1, .min] {
            #expect(reason(ConversionEventInput(eventName: "checkout", eventId: "1", eventTime: time, email: "a@b.co"))?.hasPrefix("event_time") == true, "\(time)")
        }
        #expect(reason(ConversionEventInput(eventName: "checkout", eventId: "1", eventTime: 1, email: "a@b.co")) == nil)
        #expect(reason(ConversionEventInput(eventName: "checkout", eventId: "1"))?.hasPrefix("user_data") == true)
        #expect(reason(ConversionEventInput(eventName: "checkout", eventId: "1", clientIpAddress: "1.2.3.4"))?.hasPrefix("user_data") == true)
        #expect(reason(ConversionEventInput(eventName: "checkout", eventId: "1", email: "not-an-email"))?.hasPrefix("email") == true)
        #expect(reason(ConversionEventInput(eventName: "checkout", eventId: "1", email: "a@b.co", currency: "dollars"))?.hasPrefix("currency") == true)
        #expect(reason(ConversionEventInput(eventName: "checkout", eventId: "1", email: "a@b.co", value: -3))?.hasPrefix("value") == true)
        #expect(reason(ConversionEventInput(eventName: "page_visit", eventId: "1", clientIpAddress: "1.2.3.4", clientUserAgent: "UA")) == nil)
        #expect(
            reason(ConversionEventInput(eventName: "checkout", eventId: "1", email: "a@b.co", contents: [.init(id: "a"), .init(itemPrice: -1)]))
                == "contents[1].item_price: must be a non-negative amount")
        #expect(reason(ConversionEventInput(eventName: "checkout", eventId: "1", email: "a@b.co", contents: [.init(quantity: -2)]))?.hasPrefix("contents[0].quantity") == true)
    }

    @Test func productsGoAsContentsWithDecimalStringPrices() throws {
        let event = try body(
            ConversionEventInput(
                eventName: "add_to_cart", eventId: "c-1", email: "a@b.co",
                contents: [.init(id: "sku-1", itemPrice: 14.99, quantity: 3, itemName: "Shirt", itemCategory: "shirts", itemBrand: "pinads"), .init(id: "sku-2")]),
            accountCurrency: "USD")
        #expect(
            event["custom_data"]?["contents"]
                == [
                    ["id": "sku-1", "item_price": "14.99", "quantity": 3, "item_name": "Shirt", "item_category": "shirts", "item_brand": "pinads"],
                    ["id": "sku-2"],
                ])
        #expect(event["custom_data"]?["currency"] == "USD", "custom_data gets the default currency (the ad account's)")
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The dispatcher running against a live in-process sandbox.
@Suite("Conversions against the sandbox")
struct ConversionDispatchTests {
    typealias Harness = AudienceSyncTests.Harness

    final class Running: Sendable {
        let dispatcher: ConversionDispatcher
        let task: Task<Void, Never>
        init(_ h: Harness) {
            let dispatcher = ConversionDispatcher(store: h.store, tokens: h.tokens, clock: SystemWallClock(), logger: Logger(label: "test"))
            self.dispatcher = dispatcher
            task = Task { try? await dispatcher.run() }
        }
        func stop() async {
            task.cancel()
            await task.value
        }
    }

    static func events(_ range: Range<Int>, name: String = "checkout") -> [ConversionEventInput] {
        range.map { ConversionEventInput(eventName: name, eventId: "e-\($0)", email: "buyer\($0)@example.com", value: 10) }
    }

    func delivered(_ h: Harness) -> Int { h.sandbox.stats().eventsProcessed }

    @Test func eventsAreBatchedByTheThousandAndNeverSentTwice() async throws {
        let h = try await Harness()
        let running = Running(h)
        let sent = try await running.dispatcher.send(SendConversionsRequest(events: Self.events(0..<2500)))
        #expect(sent.accepted == 2500 && sent.duplicates == 0 && sent.rejected.isEmpty)
        try await eventually("2,500 events reach the sandbox") { delivered(h) == 2500 }
        #expect(h.calls("events/create") == 3, "1000 + 1000 + 500")
        // The same events again within 48 h: duplicates, not sent.
        let again = try await running.dispatcher.send(SendConversionsRequest(events: Self.events(2000..<2600)))
        #expect(again.accepted == 100 && again.duplicates == 500)
        try await eventually("the new 100 arrive") { delivered(h) == 2600 }
        #expect(h.sandbox.stats().eventsDeduplicated == 0)
        try await eventually("every answer recorded") { try await running.dispatcher.stats(ConversionStatsRequest()).sent == 2600 }
        let stats = try await running.dispatcher.stats(ConversionStatsRequest())
        #expect(stats.duplicates == 500 && stats.queued == 0 && stats.inFlight == 0 && stats.latencyP99Ms != nil)
        await running.stop()
        try await h.shutdown()
    }

    @Test func eventsSentOneByOneEachLeaveAtOnce() async throws {
        // A lane read as empty while an event was being accepted must not be forgotten.
        let h = try await Harness()
        let running = Running(h)
        for n in 0..<40 {
            _ = try await running.dispatcher.send(SendConversionsRequest(events: Self.events(n..<(n + 1))))
            try await eventually("event \(n) is delivered (nothing else is sent meanwhile)", timeout: 15) { delivered(h) == n + 1 }
        }
        await running.stop()
        try await h.shutdown()
    }

    @Test func aSingleEventLeavesAtOnceAndRejectionsAreCountedByIndex() async throws {
        let h = try await Harness()
        let running = Running(h)
        let events = [Self.events(0..<1)[0], ConversionEventInput(eventName: "buy", eventId: "x", email: "a@b.co")]
        let sent = try await running.dispatcher.send(SendConversionsRequest(events: events))
        #expect(sent.accepted == 1 && sent.rejected.map(\.index) == [1])
        // It leaves without waiting for a full batch (if it waited, it would never leave).
        try await eventually("the single event is delivered") { delivered(h) == 1 }
        #expect(try await running.dispatcher.stats(ConversionStatsRequest()).rejected == 1)
        await running.stop()
        try await h.shutdown()
    }

    @Test func failuresOfOneEventAreKeptAndBatchFailuresRetried() async throws {
        let h = try await Harness()
        // An event Pinterest refuses (written past the checks, as an older daemon might have).
        let lane = ConversionLane(adAccountID: h.adAccounts[0], test: false)
        let future = Int64(Date().timeIntervalSince1970) + 7200
        _ = try await h.store.enqueueConversions(
            [NewConversion(eventName: "checkout", eventID: "late", body: #"{"event_name":"checkout","action_source":"web","event_time":\#(future),"event_id":"late","user_data":{"client_ip_address":"1.2.3.4","client_user_agent":"UA"}}"#)],
            lane: lane, rejected: 0, now: Date())
        h.sandbox.inject(SandboxFault(.serviceUnavailable, count: 1, pathContains: "/events"))
        h.sandbox.inject(SandboxFault(.rateLimited, count: 3, pathContains: "/events"))
        let running = Running(h)
        _ = try await running.dispatcher.send(SendConversionsRequest(events: Self.events(0..<10)))
        try await eventually("every event answered") {
            let stats = try await running.dispatcher.stats(ConversionStatsRequest())
            return stats.sent == 10 && stats.failed == 1
        }
        // Nothing is left to send: the refused event is final, not queued for another try.
        let stats = try await running.dispatcher.stats(ConversionStatsRequest())
        #expect(stats.queued == 0 && stats.inFlight == 0, "a refused event is not sent again")
        #expect(h.sandbox.stats().byStatus[503] == 1 && h.sandbox.stats().byStatus[429] == 3)
        #expect(try await running.dispatcher.stats(ConversionStatsRequest()).lastError?.contains("event_time") == true)
        await running.stop()
        try await h.shutdown()
    }

    @Test func aBatchThatTimesOutOrLosesItsConnectionIsSentAgain() async throws {
        let h = try await Harness(requestTimeout: .seconds(1))
        // The first request gets no answer (cut off by the 1 s timeout), the second a reset.
        h.sandbox.inject(SandboxFault(.hang, count: 1, pathContains: "/events"))
        h.sandbox.inject(SandboxFault(.reset, count: 1, pathContains: "/events"))
        let running = Running(h)
        _ = try await running.dispatcher.send(SendConversionsRequest(events: Self.events(0..<20)))
        try await eventually("delivered after a timeout and a reset", timeout: 20) { delivered(h) == 20 }
        #expect(h.calls("events/create") == 3, "one timed out, one reset, one answered")
        try await eventually("every answer recorded") { try await running.dispatcher.stats(ConversionStatsRequest()).sent == 20 }
        let stats = try await running.dispatcher.stats(ConversionStatsRequest())
        #expect(stats.failed == 0 && stats.queued == 0 && stats.inFlight == 0)
        #expect(stats.lastError != nil, "the transient failure is visible")
        await running.stop()
        try await h.shutdown()
    }

    @Test func whileTheConnectionNeedsAReconnectEventsWaitAndAllLeaveAfterIt() async throws {
        let h = try await Harness()
        let running = Running(h)
        // Someone else refreshes with the same refresh token (it rotates), and the daemon's
        // access token dies: the daemon's refresh is refused, so the connection needs a reconnect.
        let rotated = try await h.client.refreshAccessToken(refreshToken: h.seeded.refreshToken, app: h.app)
        h.sandbox.revoke(token: try await h.tokens.token(connectionID: 1).value)
        _ = try await running.dispatcher.send(SendConversionsRequest(events: Self.events(0..<50)))
        try await eventually("the connection needs a reconnect") { try await h.tokens.listed().first?.needsReconnect == true }
        try await eventually("the batch is back in the queue") { try await running.dispatcher.stats(ConversionStatsRequest()).queued == 50 }
        let held = try await running.dispatcher.stats(ConversionStatsRequest())
        #expect(held.sent == 0 && held.failed == 0 && held.lastError?.contains("reconnect") == true, "kept, not dropped")
        #expect(delivered(h) == 0)

        // The reconnect (what connections.connect does in the daemon) sends them at once.
        let reconnected = try await h.tokens.connect(
            ConnectRequest(accessToken: rotated.accessToken, refreshToken: rotated.refreshToken, clientId: h.app.clientID, clientSecret: h.app.clientSecret))
        #expect(reconnected.updated && reconnected.connectionId == 1)
        await running.dispatcher.connectionRestored(adAccountIDs: reconnected.adAccounts.map(\.id))
        // Due now, not at the end of the 5 s wait a connection needing a reconnect gets.
        let lane = ConversionLane(adAccountID: h.adAccounts[0], test: false)
        #expect(try await h.store.conversionBacklog(lane: lane, now: Date(), limit: 1000).due == 50, "held events are due at once after a reconnect")
        try await eventually("every held event is delivered") { delivered(h) == 50 }
        try await eventually("and recorded as sent") { try await running.dispatcher.stats(ConversionStatsRequest()).sent == 50 }
        await running.stop()
        try await h.shutdown()
    }

    @Test func eventsGoWithAConversionTokenAndFallBackWhenItIsRefused() async throws {
        let h = try await Harness()
        let running = Running(h)
        let minted = try await h.tokens.setConversionToken(SetConversionTokenRequest(mint: true))
        #expect(minted.hasConversionToken && minted.source == "minted" && minted.adAccountId == h.adAccounts[0])
        let conversion = try #require(try await h.tokens.conversionToken(adAccountID: h.adAccounts[0]))
        // The OAuth access token dies: events still go, with the conversion token (no refresh).
        h.sandbox.revoke(token: try await h.tokens.token(connectionID: 1).value)
        _ = try await running.dispatcher.send(SendConversionsRequest(events: Self.events(0..<5)))
        try await eventually("delivered with the conversion token") { delivered(h) == 5 }
        #expect(h.calls("oauth/token") == 0)
        // The conversion token is revoked: dropped, and the OAuth token (refreshed) takes over.
        h.sandbox.revoke(token: conversion.value)
        _ = try await running.dispatcher.send(SendConversionsRequest(events: Self.events(5..<10)))
        try await eventually("delivered with the OAuth token") { delivered(h) == 10 }
        #expect(try await h.tokens.conversionToken(adAccountID: h.adAccounts[0]) == nil)
        #expect(h.calls("oauth/token") == 1)
        #expect(try await running.dispatcher.stats(ConversionStatsRequest()).lastError?.contains("conversion token") == true)
        // A given token is stored sealed; clearing forgets it.
        let given = try await h.tokens.setConversionToken(SetConversionTokenRequest(token: "conv-given-token"))
        #expect(given.source == "given" && given.fingerprint != nil)
        let cleared = try await h.tokens.setConversionToken(SetConversionTokenRequest(clear: true))
        #expect(!cleared.hasConversionToken)
        let both = await #expect(throws: ResponseError.self) { try await h.tokens.setConversionToken(SetConversionTokenRequest(token: "x", mint: true)) }
        #expect(both?.details?["field"] == "token")
        await running.stop()
        try await h.shutdown()
    }

    @Test func aRefusedTokenIsRefreshedAndTestEventsGoApart() async throws {
        let h = try await Harness()
        let running = Running(h)
        // The access token dies; the refresh token renews it (through the TokenManager).
        h.sandbox.revoke(token: try await h.tokens.token(connectionID: 1).value)
        _ = try await running.dispatcher.send(SendConversionsRequest(events: Self.events(0..<5)))
        _ = try await running.dispatcher.send(SendConversionsRequest(test: true, events: Self.events(0..<5)))
        try await eventually("real and test events delivered") {
            delivered(h) == 5 && h.sandbox.stats().testEventsReceived == 5
        }
        await running.stop()
        try await h.shutdown()
    }
}

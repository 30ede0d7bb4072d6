import Foundation
import PinAdsProtocol

/// `conversions.*` methods: the wire's events into the dispatcher's submissions, and its
/// answers back. Errors are translated by the dispatcher (`ResponseError(translating:)`).
struct ConversionMethods: Sendable {
    let dispatcher: ConversionDispatcher

    func send(_ request: SendConversionsRequest) async throws -> SendConversionsResult {
        let submission = ConversionSubmission(
            adAccountID: request.adAccountId, test: request.test ?? false, events: request.events.map(SubmittedConversion.init))
        let accepted = try await dispatcher.send(submission)
        return SendConversionsResult(
            accepted: accepted.accepted, duplicates: accepted.duplicates,
            rejected: accepted.rejected.map { RejectedEvent(index: $0.index, reason: $0.reason) })
    }

    func stats(_ request: ConversionStatsRequest) async throws -> ConversionStats {
        let stats = try await dispatcher.stats(adAccountID: request.adAccountId)
        return ConversionStats(
            queued: stats.queued, inFlight: stats.inFlight, sent: stats.sent, failed: stats.failed, duplicates: stats.duplicates,
            rejected: stats.rejected, eventsPerSecond: stats.eventsPerSecond, latencyP50Ms: stats.latencyP50Milliseconds,
            latencyP99Ms: stats.latencyP99Milliseconds, oldestQueuedAgeSeconds: stats.oldestQueuedAge, lastError: stats.lastError)
    }
}

extension SubmittedConversion {
    /// The wire's event: `email` and `emails` become one list, `email` first.
    init(_ input: ConversionEventInput) {
        self.init(eventName: input.eventName, eventID: input.eventId)
        eventTime = input.eventTime
        actionSource = input.actionSource
        emails = (input.email.map { [$0] } ?? []) + (input.emails ?? [])
        phone = input.phone
        hashedMaids = input.hashedMaids ?? []
        clientIPAddress = input.clientIpAddress
        clientUserAgent = input.clientUserAgent
        externalID = input.externalId
        eventSourceURL = input.eventSourceUrl
        value = input.value
        currency = input.currency
        orderID = input.orderId
        contentIDs = input.contentIds
        numItems = input.numItems
        contents = input.contents?.map {
            Product(
                id: $0.id, itemPrice: $0.itemPrice, quantity: $0.quantity, itemName: $0.itemName, itemCategory: $0.itemCategory,
                itemBrand: $0.itemBrand)
        }
    }
}

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

extension ConversionMethods {
    func get(_ request: GetConversionRequest) async throws -> ConversionEventInfo {
        ConversionEventInfo(
            try await dispatcher.event(
                adAccountID: request.adAccountId, eventID: request.eventId, eventName: request.eventName, test: request.test ?? false))
    }

    func list(_ request: ListConversionsRequest) async throws -> ListConversionsResult {
        let listing = ConversionEventListing(
            adAccountID: request.adAccountId, test: request.test, state: request.state.map(ConversionEventStatus.State.init),
            since: request.since, after: request.after, limit: request.limit ?? 100)
        let page = try await dispatcher.events(listing)
        return ListConversionsResult(events: page.events.map(ConversionEventInfo.init), nextAfter: page.next)
    }
}

extension ConversionEventStatus.State {
    init(_ state: ConversionEventState) {
        switch state {
        case .queued: self = .queued
        case .inFlight: self = .inFlight
        case .sent: self = .sent
        case .failed: self = .failed
        }
    }
}

extension ConversionEventInfo {
    init(_ status: ConversionEventStatus) {
        let state: ConversionEventState =
            switch status.state {
            case .queued: .queued
            case .inFlight: .inFlight
            case .sent: .sent
            case .failed: .failed
            }
        self.init(
            sequence: status.sequence, adAccountId: status.adAccountID, test: status.test, eventName: status.eventName,
            eventId: status.eventID, state: state, attempts: status.attempts, errorMessage: status.errorMessage,
            warningMessage: status.warningMessage, lastAttemptError: status.lastAttemptError, acceptedAt: status.acceptedAt,
            answeredAt: status.answeredAt, nextAttemptAt: status.nextAttemptAt, duplicates: status.duplicates)
    }
}

extension SubmittedConversion {
    /// The wire's event, of either shape: `email` and `emails` (with Pinterest's `em`) become
    /// one list, `email` first; `phone` and `phones` likewise.
    init(_ input: ConversionEventInput) {
        self.init(eventName: input.eventName, eventID: input.eventId)
        unreadable = input.problem
        eventTime = input.eventTime
        actionSource = input.actionSource
        person = Person(input)
        purchase = Purchase(input)
        context.eventSourceURL = input.eventSourceUrl
        context.optOut = input.optOut
        context.partnerName = input.partnerName
        context.language = input.language
        context.appID = input.appId
        context.appName = input.appName
        context.appVersion = input.appVersion
        context.deviceBrand = input.deviceBrand
        context.deviceCarrier = input.deviceCarrier
        context.deviceModel = input.deviceModel
        context.deviceType = input.deviceType
        context.osVersion = input.osVersion
        context.wifi = input.wifi
        context.appInfo = input.appInfo
        context.deviceInfo = input.deviceInfo
    }
}

extension SubmittedConversion.Person {
    init(_ input: ConversionEventInput) {
        self.init()
        emails = (input.email.map { [$0] } ?? []) + (input.emails ?? [])
        phones = (input.phone.map { [$0] } ?? []) + (input.phones ?? [])
        hashedMaids = input.hashedMaids ?? []
        externalIDs = input.externalId?.values ?? []
        firstNames = input.fn?.values ?? []
        lastNames = input.ln?.values ?? []
        genders = input.ge?.values ?? []
        birthDates = input.db?.values ?? []
        cities = input.ct?.values ?? []
        states = input.st?.values ?? []
        zipCodes = input.zp?.values ?? []
        countries = input.country?.values ?? []
        clientIPAddress = input.clientIpAddress
        clientUserAgent = input.clientUserAgent
        clickID = input.clickId
        partnerID = input.partnerId
    }
}

extension SubmittedConversion.Purchase {
    init(_ input: ConversionEventInput) {
        self.init()
        value = input.value?.text
        currency = input.currency
        orderID = input.orderId
        contentIDs = input.contentIds
        numItems = input.numItems
        contents = input.contents?.map {
            SubmittedConversion.Product(
                id: $0.id, itemPrice: $0.itemPrice?.text, quantity: $0.quantity, itemName: $0.itemName, itemCategory: $0.itemCategory,
                itemBrand: $0.itemBrand)
        }
        contentName = input.contentName
        contentCategory = input.contentCategory
        contentBrand = input.contentBrand
        searchString = input.searchString
        predictedLTV = input.predictedLtv?.text
        optOutType = input.optOutType
        np = input.np
        externalMeasurementID = input.externalMeasurementId
        externalMeasurementVendorID = input.externalMeasurementVendorId
    }
}

import Foundation
import PinAdsStore

extension ConversionDispatcher {
    static let maximumPageSize = 1000

    /// What became of one event of an ad account (the default one when nil): the event with
    /// this id and name, or with this id and whichever name it was sent with.
    public func event(adAccountID: String?, eventID: String, eventName: String?, test: Bool) async throws -> ConversionEventStatus {
        if let eventName, !ConversionNormalizer.eventNames.contains(eventName) {
            throw InvalidInput(field: "event_name", reason: "'\(eventName.prefix(40))' is not one of Pinterest's event names")
        }
        // Trimmed as conversions.send trims it before storing.
        let eventID = eventID.trimmingCharacters(in: .whitespaces)
        guard !eventID.isEmpty else { throw InvalidInput(field: "event_id", reason: "must not be empty") }
        let account = try await tokens.session(adAccountID: adAccountID).adAccountID
        let names = eventName.map { [$0] } ?? ConversionNormalizer.eventNames.sorted()
        let found = try await store.conversionEvents(lane: ConversionLane(adAccountID: account, test: test), eventID: eventID, eventNames: names)
        guard let record = found.first else {
            throw UnknownObject("conversion event", id: "\(eventID) of ad account \(account)\(test ? " (test)" : "")")
        }
        if found.count > 1 {
            throw InvalidInput(
                field: "event_name",
                reason: "event_id '\(eventID.prefix(60))' was sent as \(found.map(\.eventName).joined(separator: " and ")); name one")
        }
        return status(record, inFlight: lanes.idsInFlight(adAccountID: account))
    }

    /// A page of events in the order they were accepted.
    public func events(_ listing: ConversionEventListing) async throws -> ConversionEventPage {
        guard (1...Self.maximumPageSize).contains(listing.limit) else {
            throw InvalidInput(field: "limit", reason: "1 to \(Self.maximumPageSize), got \(listing.limit)")
        }
        var account: String?
        if let adAccountID = listing.adAccountID { account = try await tokens.session(adAccountID: adAccountID).adAccountID }
        let flying = lanes.idsInFlight(adAccountID: account)
        var query = ConversionEventQuery(
            adAccountID: account, test: listing.test, since: listing.since, after: listing.after, limit: listing.limit + 1)
        let records: [ConversionEventRecord]
        switch listing.state {
        case .inFlight?:
            // At most 8 × 1000 events per lane fly: read them all, filter, then cut the page.
            let ids = flying.filter { $0 > (listing.after ?? 0) }.sorted()
            records = Array(
                try await store.conversionEvents(ids: ids).lazy.filter { record in
                    (listing.test == nil || record.test == listing.test) && (listing.since.map { record.acceptedAt >= $0 } ?? true)
                }.prefix(listing.limit + 1))
        case .queued?:
            query.state = .queued
            records = try await store.conversionEvents(query, excluding: flying)
        case .sent?, .failed?:
            query.state = listing.state == .sent ? .sent : .failed
            records = try await store.conversionEvents(query)
        case nil:
            records = try await store.conversionEvents(query)
        }
        let page = records.prefix(listing.limit).map { status($0, inFlight: flying) }
        return ConversionEventPage(events: page, next: records.count > listing.limit ? page.last?.sequence : nil)
    }

    private func status(_ record: ConversionEventRecord, inFlight: Set<Int64>) -> ConversionEventStatus {
        let state: ConversionEventStatus.State =
            switch record.state {
            case .queued: inFlight.contains(record.id) ? .inFlight : .queued
            case .sent: .sent
            case .failed: .failed
            }
        let waiting = record.state == .queued
        return ConversionEventStatus(
            sequence: record.id, adAccountID: record.adAccountID, test: record.test, eventName: record.eventName, eventID: record.eventID,
            state: state, attempts: record.attempts, errorMessage: record.state == .failed ? record.message : nil,
            warningMessage: record.state == .sent ? record.message : nil, lastAttemptError: waiting ? record.message : nil,
            acceptedAt: record.acceptedAt, answeredAt: record.answeredAt, nextAttemptAt: waiting ? record.nextAttemptAt : nil,
            duplicates: record.duplicates)
    }
}

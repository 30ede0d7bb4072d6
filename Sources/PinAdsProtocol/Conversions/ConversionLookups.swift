import Foundation

/// Where an event is on its way to Pinterest.
public enum ConversionEventState: String, Codable, Sendable, CaseIterable {
    /// Stored, waiting for its batch (or for a retry after a try that did not get through).
    case queued
    /// In a batch sent to Pinterest, not answered yet.
    case inFlight = "in_flight"
    /// Pinterest processed it (perhaps with a warning).
    case sent
    /// Pinterest refused it (its error message says why); not retried.
    case failed
}

/// `conversions.get`: what became of one event.
public struct GetConversionRequest: PinAdsRequest {
    public static let method = "conversions.get"
    public static let role = MethodRole.client
    public typealias Result = ConversionEventInfo
    /// The default ad account when omitted.
    public var adAccountId: String?
    public var eventId: String
    /// Needed only when the same event_id was sent under several names.
    public var eventName: String?
    /// A `test` event (sent with Pinterest's test=true).
    public var test: Bool?

    public init(adAccountId: String? = nil, eventId: String, eventName: String? = nil, test: Bool? = nil) {
        self.adAccountId = adAccountId
        self.eventId = eventId
        self.eventName = eventName
        self.test = test
    }

    enum CodingKeys: String, CodingKey {
        case test
        case adAccountId = "ad_account_id"
        case eventId = "event_id"
        case eventName = "event_name"
    }
}

/// `conversions.list`: events in the order they were accepted, a page at a time.
public struct ListConversionsRequest: PinAdsRequest {
    public static let method = "conversions.list"
    public static let role = MethodRole.client
    public typealias Result = ListConversionsResult
    /// Every ad account when omitted.
    public var adAccountId: String?
    public var state: ConversionEventState?
    /// Only events accepted at or after this time.
    public var since: Date?
    /// At most this many events (1–1000, default 100).
    public var limit: Int?
    /// Only events after this one: pass the previous page's `next_after`.
    public var after: Int64?
    /// Only test events (true) or only real ones (false); both when omitted.
    public var test: Bool?

    public init(
        adAccountId: String? = nil, state: ConversionEventState? = nil, since: Date? = nil, limit: Int? = nil, after: Int64? = nil,
        test: Bool? = nil
    ) {
        self.adAccountId = adAccountId
        self.state = state
        self.since = since
        self.limit = limit
        self.after = after
        self.test = test
    }

    enum CodingKeys: String, CodingKey {
        case state, since, limit, after, test
        case adAccountId = "ad_account_id"
    }
}

public struct ListConversionsResult: Codable, Sendable, Equatable {
    public var events: [ConversionEventInfo]
    /// Present when more events match: the `after` of the next page.
    public var nextAfter: Int64?

    public init(events: [ConversionEventInfo], nextAfter: Int64?) {
        self.events = events
        self.nextAfter = nextAfter
    }

    enum CodingKeys: String, CodingKey {
        case events
        case nextAfter = "next_after"
    }
}

/// One event's fate.
public struct ConversionEventInfo: Codable, Sendable, Equatable {
    /// Its place in the outbox (what `after` takes).
    public var sequence: Int64
    public var adAccountId: String
    public var test: Bool
    public var eventName: String
    public var eventId: String
    public var state: ConversionEventState
    /// Pinterest's answers and the tries that did not get through, so far.
    public var attempts: Int
    /// Pinterest's reason for refusing it (state failed).
    public var errorMessage: String?
    /// Pinterest's warning on a processed event (state sent).
    public var warningMessage: String?
    /// Why the last try did not get through (queued again).
    public var lastAttemptError: String?
    public var acceptedAt: Date
    public var answeredAt: Date?
    /// When a queued event is due.
    public var nextAttemptAt: Date?
    /// Later submissions of the same event_id and event_name taken as its duplicates (not sent again).
    public var duplicates: Int

    public init(
        sequence: Int64, adAccountId: String, test: Bool, eventName: String, eventId: String, state: ConversionEventState, attempts: Int,
        errorMessage: String?, warningMessage: String?, lastAttemptError: String?, acceptedAt: Date, answeredAt: Date?,
        nextAttemptAt: Date?, duplicates: Int
    ) {
        self.sequence = sequence
        self.adAccountId = adAccountId
        self.test = test
        self.eventName = eventName
        self.eventId = eventId
        self.state = state
        self.attempts = attempts
        self.errorMessage = errorMessage
        self.warningMessage = warningMessage
        self.lastAttemptError = lastAttemptError
        self.acceptedAt = acceptedAt
        self.answeredAt = answeredAt
        self.nextAttemptAt = nextAttemptAt
        self.duplicates = duplicates
    }

    enum CodingKeys: String, CodingKey {
        case sequence, test, state, attempts, duplicates
        case adAccountId = "ad_account_id"
        case eventName = "event_name"
        case eventId = "event_id"
        case errorMessage = "error_message"
        case warningMessage = "warning_message"
        case lastAttemptError = "last_attempt_error"
        case acceptedAt = "accepted_at"
        case answeredAt = "answered_at"
        case nextAttemptAt = "next_attempt_at"
    }
}

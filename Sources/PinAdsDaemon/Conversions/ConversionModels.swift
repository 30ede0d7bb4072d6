import Foundation
import PinAdsJSON

/// One conversion event as it reaches the dispatcher: what a shop said happened, identifiers
/// still as given (plain or already hashed). The normalizer checks it and hashes them; nothing
/// raw is stored. Every field of Pinterest's event has its place here: none is dropped.
public struct SubmittedConversion: Sendable, Equatable {
    public struct Product: Sendable, Equatable {
        public var id: String?
        /// Decimal text, as given.
        public var itemPrice: String?
        public var quantity: Int64?
        public var itemName: String?
        public var itemCategory: String?
        public var itemBrand: String?

        public init(
            id: String? = nil, itemPrice: String? = nil, quantity: Int64? = nil, itemName: String? = nil, itemCategory: String? = nil,
            itemBrand: String? = nil
        ) {
            self.id = id
            self.itemPrice = itemPrice
            self.quantity = quantity
            self.itemName = itemName
            self.itemCategory = itemCategory
            self.itemBrand = itemBrand
        }
    }

    /// Who did it: Pinterest's `user_data`. The lists are hashed (unless already hashed); the
    /// rest is sent as given.
    public struct Person: Sendable, Equatable {
        public var emails: [String] = []
        public var phones: [String] = []
        public var hashedMaids: [String] = []
        public var externalIDs: [String] = []
        public var firstNames: [String] = []
        public var lastNames: [String] = []
        public var genders: [String] = []
        public var birthDates: [String] = []
        public var cities: [String] = []
        public var states: [String] = []
        public var zipCodes: [String] = []
        public var countries: [String] = []
        public var clientIPAddress: String?
        public var clientUserAgent: String?
        public var clickID: String?
        public var partnerID: String?
        public init() {}
    }

    /// What was bought: Pinterest's `custom_data`.
    public struct Purchase: Sendable, Equatable {
        /// Decimal text, as given.
        public var value: String?
        /// ISO 4217; the ad account's currency when nil.
        public var currency: String?
        public var orderID: String?
        public var contentIDs: [String]?
        public var numItems: Int64?
        public var contents: [Product]?
        public var contentName: String?
        public var contentCategory: String?
        public var contentBrand: String?
        public var searchString: String?
        /// Decimal text, as given.
        public var predictedLTV: String?
        public var optOutType: String?
        public var np: String?
        public var externalMeasurementID: String?
        public var externalMeasurementVendorID: Int64?
        public init() {}

        /// Whether the event says anything of what was bought.
        var isEmpty: Bool { self == Purchase() }
    }

    /// Where it happened: the app and device, the page, the partner.
    public struct Context: Sendable, Equatable {
        public var eventSourceURL: String?
        public var optOut: Bool?
        public var partnerName: String?
        public var language: String?
        public var appID: String?
        public var appName: String?
        public var appVersion: String?
        public var deviceBrand: String?
        public var deviceCarrier: String?
        public var deviceModel: String?
        public var deviceType: String?
        public var osVersion: String?
        public var wifi: Bool?
        /// Pinterest's `app_info` and `device_info` objects, checked against their schema.
        public var appInfo: JSONValue?
        public var deviceInfo: JSONValue?
        public init() {}
    }

    public var eventName: String
    public var eventID: String
    /// Unix seconds; now when nil.
    public var eventTime: Int64?
    /// `web` when nil.
    public var actionSource: String?
    public var person = Person()
    public var purchase = Purchase()
    public var context = Context()
    /// A rule the event broke already when it was read (a field unknown, a wrong JSON type):
    /// the event is rejected with it.
    public var unreadable: String?

    public init(eventName: String, eventID: String) {
        self.eventName = eventName
        self.eventID = eventID
    }
}

/// Events to take into the outbox: for one ad account (the default one when nil), real or
/// Pinterest's `test` events.
public struct ConversionSubmission: Sendable {
    public var adAccountID: String?
    public var test: Bool
    public var events: [SubmittedConversion]

    public init(adAccountID: String?, test: Bool, events: [SubmittedConversion]) {
        self.adAccountID = adAccountID
        self.test = test
        self.events = events
    }
}

/// What became of a submission: stored (and on their way), already accepted in the dedup
/// window, or refused here with the rule they broke.
public struct AcceptedConversions: Sendable, Equatable {
    public struct Rejection: Sendable, Equatable {
        /// The event's position in the submission.
        public var index: Int
        public var reason: String
    }

    public var accepted: Int
    public var duplicates: Int
    public var rejected: [Rejection]
}

/// The outbox and its delivery, for one ad account or every one.
public struct ConversionQueueStats: Sendable, Equatable {
    /// Waiting in the outbox, not counting the events of batches in flight.
    public var queued: Int
    public var inFlight: Int
    public var sent: Int
    /// Refused by Pinterest per event (not retried).
    public var failed: Int
    public var duplicates: Int
    public var rejected: Int
    /// Events Pinterest answered for over the last minute, per second.
    public var eventsPerSecond: Double
    public var latencyP50Milliseconds: Double?
    public var latencyP99Milliseconds: Double?
    public var oldestQueuedAge: TimeInterval?
    public var lastError: String?
}

/// One event's fate: where it is on its way to Pinterest and what Pinterest said of it.
public struct ConversionEventStatus: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable {
        case queued
        case inFlight = "in_flight"
        case sent, failed
    }

    /// The outbox's id of the event (pages resume after it).
    public var sequence: Int64
    public var adAccountID: String
    public var test: Bool
    public var eventName: String
    public var eventID: String
    public var state: State
    /// Pinterest answers and failed tries so far.
    public var attempts: Int
    /// Pinterest's refusal of the event (failed).
    public var errorMessage: String?
    /// Pinterest's warning on a processed event (sent).
    public var warningMessage: String?
    /// Why the last try did not get through (queued again, due at `nextAttemptAt`).
    public var lastAttemptError: String?
    public var acceptedAt: Date
    public var answeredAt: Date?
    /// When a queued event is due (its acceptance until it has been tried).
    public var nextAttemptAt: Date?
    /// Later submissions of the same event_id and event_name that were taken as duplicates of
    /// this one (not sent again).
    public var duplicates: Int
}

/// Which events `conversions.list` pages through.
public struct ConversionEventListing: Sendable {
    public var adAccountID: String?
    public var test: Bool?
    public var state: ConversionEventStatus.State?
    public var since: Date?
    /// The `sequence` of the last event of the previous page.
    public var after: Int64?
    public var limit: Int

    public init(
        adAccountID: String?, test: Bool?, state: ConversionEventStatus.State?, since: Date?, after: Int64?, limit: Int
    ) {
        self.adAccountID = adAccountID
        self.test = test
        self.state = state
        self.since = since
        self.after = after
        self.limit = limit
    }
}

/// A page of events and where the next one starts (nil: this was the last).
public struct ConversionEventPage: Sendable, Equatable {
    public var events: [ConversionEventStatus]
    public var next: Int64?
}

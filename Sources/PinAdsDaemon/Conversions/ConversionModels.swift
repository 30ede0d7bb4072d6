import Foundation

/// One conversion event as it reaches the dispatcher: what a shop said happened, identifiers
/// still as given (plain or already hashed). The normalizer checks it and hashes them; nothing
/// raw is stored.
public struct SubmittedConversion: Sendable, Equatable {
    public struct Product: Sendable, Equatable {
        public var id: String?
        public var itemPrice: Double?
        public var quantity: Int64?
        public var itemName: String?
        public var itemCategory: String?
        public var itemBrand: String?

        public init(
            id: String? = nil, itemPrice: Double? = nil, quantity: Int64? = nil, itemName: String? = nil, itemCategory: String? = nil,
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

    public var eventName: String
    public var eventID: String
    /// Unix seconds; now when nil.
    public var eventTime: Int64?
    /// `web` when nil.
    public var actionSource: String?
    /// In the order given.
    public var emails: [String] = []
    public var phone: String?
    public var hashedMaids: [String] = []
    public var clientIPAddress: String?
    public var clientUserAgent: String?
    public var externalID: String?
    public var eventSourceURL: String?
    public var value: Double?
    /// ISO 4217; USD when nil.
    public var currency: String?
    public var orderID: String?
    public var contentIDs: [String]?
    public var numItems: Int64?
    public var contents: [Product]?

    public init(eventName: String, eventID: String) {
        self.eventName = eventName
        self.eventID = eventID
    }

    /// Whether the event says anything of what was bought (Pinterest's `custom_data`).
    var hasCustomData: Bool {
        value != nil || currency != nil || orderID != nil || contentIDs != nil || numItems != nil || contents != nil
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

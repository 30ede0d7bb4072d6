import Foundation

/// One conversion event as a shop sends it. Emails, phones and device ids may be plain: the
/// daemon normalizes and hashes them on arrival and stores only the hashes.
public struct ConversionEventInput: Codable, Sendable, Equatable {
    /// One of Pinterest's 15 names: checkout, lead, signup, add_to_cart, page_visit, search,
    /// view_category, add_payment_info, add_to_wishlist, app_install, custom,
    /// initiate_checkout, subscribe, view_content, watch_video.
    public var eventName: String
    /// Unique per event: Pinterest and the daemon deduplicate on it (with the name).
    public var eventId: String
    /// Unix seconds; now when omitted.
    public var eventTime: Int64?
    /// web (default), app_android, app_ios, offline.
    public var actionSource: String?
    public var email: String?
    public var emails: [String]?
    public var phone: String?
    /// GAIDs or IDFAs, plain or SHA-256.
    public var hashedMaids: [String]?
    public var clientIpAddress: String?
    public var clientUserAgent: String?
    public var externalId: String?
    public var eventSourceUrl: String?
    /// A decimal amount, e.g. 49.99.
    public var value: Double?
    /// ISO 4217; USD when omitted.
    public var currency: String?
    public var orderId: String?
    public var contentIds: [String]?
    public var numItems: Int64?
    /// The products of the event (price and quantity each), as Pinterest's `custom_data.contents`.
    public var contents: [ConversionContentInput]?

    public init(
        eventName: String, eventId: String, eventTime: Int64? = nil, actionSource: String? = nil, email: String? = nil, emails: [String]? = nil,
        phone: String? = nil, hashedMaids: [String]? = nil, clientIpAddress: String? = nil, clientUserAgent: String? = nil,
        externalId: String? = nil, eventSourceUrl: String? = nil, value: Double? = nil, currency: String? = nil, orderId: String? = nil,
        contentIds: [String]? = nil, numItems: Int64? = nil, contents: [ConversionContentInput]? = nil
    ) {
        self.eventName = eventName
        self.eventId = eventId
        self.eventTime = eventTime
        self.actionSource = actionSource
        self.email = email
        self.emails = emails
        self.phone = phone
        self.hashedMaids = hashedMaids
        self.clientIpAddress = clientIpAddress
        self.clientUserAgent = clientUserAgent
        self.externalId = externalId
        self.eventSourceUrl = eventSourceUrl
        self.value = value
        self.currency = currency
        self.orderId = orderId
        self.contentIds = contentIds
        self.numItems = numItems
        self.contents = contents
    }

    enum CodingKeys: String, CodingKey {
        case email, emails, phone, value, currency, contents
        case eventName = "event_name"
        case eventId = "event_id"
        case eventTime = "event_time"
        case actionSource = "action_source"
        case hashedMaids = "hashed_maids"
        case clientIpAddress = "client_ip_address"
        case clientUserAgent = "client_user_agent"
        case externalId = "external_id"
        case eventSourceUrl = "event_source_url"
        case orderId = "order_id"
        case contentIds = "content_ids"
        case numItems = "num_items"
    }
}

/// One product of an event: `{"id": "sku-1", "item_price": 14.99, "quantity": 3, "item_name": …,
/// "item_category": …, "item_brand": …}`, every field optional.
public struct ConversionContentInput: Codable, Sendable, Equatable {
    public var id: String?
    /// The price of one item, a decimal amount such as 14.99.
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

    enum CodingKeys: String, CodingKey {
        case id, quantity
        case itemPrice = "item_price"
        case itemName = "item_name"
        case itemCategory = "item_category"
        case itemBrand = "item_brand"
    }
}

/// `conversions.send`: up to 10,000 events; answered once the accepted ones are stored.
public struct SendConversionsRequest: PinAdsRequest {
    public static let method = "conversions.send"
    public typealias Result = SendConversionsResult
    public var adAccountId: String?
    /// Sent with Pinterest's `test=true` (validated, not recorded), apart from real events.
    public var test: Bool?
    public var events: [ConversionEventInput]

    public init(adAccountId: String? = nil, test: Bool? = nil, events: [ConversionEventInput]) {
        self.adAccountId = adAccountId
        self.test = test
        self.events = events
    }

    enum CodingKeys: String, CodingKey {
        case test, events
        case adAccountId = "ad_account_id"
    }
}

public struct RejectedEvent: Codable, Sendable, Equatable {
    public var index: Int
    public var reason: String
    public init(index: Int, reason: String) {
        self.index = index
        self.reason = reason
    }
}

public struct SendConversionsResult: Codable, Sendable, Equatable {
    /// Stored and on their way to Pinterest.
    public var accepted: Int
    /// The same (event_id, event_name) was accepted in the last 48 hours: not sent again.
    public var duplicates: Int
    public var rejected: [RejectedEvent]

    public init(accepted: Int, duplicates: Int, rejected: [RejectedEvent]) {
        self.accepted = accepted
        self.duplicates = duplicates
        self.rejected = rejected
    }
}

/// `conversions.stats`: the outbox and delivery, per ad account or in all.
public struct ConversionStatsRequest: PinAdsRequest {
    public static let method = "conversions.stats"
    public typealias Result = ConversionStats
    public var adAccountId: String?
    public init(adAccountId: String? = nil) { self.adAccountId = adAccountId }
    enum CodingKeys: String, CodingKey { case adAccountId = "ad_account_id" }
}

public struct ConversionStats: Codable, Sendable, Equatable {
    public var queued: Int
    public var inFlight: Int
    public var sent: Int
    /// Refused by Pinterest per event (not retried).
    public var failed: Int
    public var duplicates: Int
    public var rejected: Int
    /// Events Pinterest answered for over the last minute, per second.
    public var eventsPerSecond: Double
    /// From acceptance to Pinterest's answer, over the recent events.
    public var latencyP50Ms: Double?
    public var latencyP99Ms: Double?
    public var oldestQueuedAgeSeconds: Double?
    public var lastError: String?

    public init(
        queued: Int, inFlight: Int, sent: Int, failed: Int, duplicates: Int, rejected: Int, eventsPerSecond: Double, latencyP50Ms: Double?,
        latencyP99Ms: Double?, oldestQueuedAgeSeconds: Double?, lastError: String?
    ) {
        self.queued = queued
        self.inFlight = inFlight
        self.sent = sent
        self.failed = failed
        self.duplicates = duplicates
        self.rejected = rejected
        self.eventsPerSecond = eventsPerSecond
        self.latencyP50Ms = latencyP50Ms
        self.latencyP99Ms = latencyP99Ms
        self.oldestQueuedAgeSeconds = oldestQueuedAgeSeconds
        self.lastError = lastError
    }

    enum CodingKeys: String, CodingKey {
        case queued, sent, failed, duplicates, rejected
        case inFlight = "in_flight"
        case eventsPerSecond = "events_per_second"
        case latencyP50Ms = "latency_p50_ms"
        case latencyP99Ms = "latency_p99_ms"
        case oldestQueuedAgeSeconds = "oldest_queued_age_seconds"
        case lastError = "last_error"
    }
}

/// `connections.set_conversion_token`: events of an ad account (the default one when omitted)
/// go with a conversion token instead of the connection's OAuth token. Give one of `token`
/// (from Ads Manager), `mint` (ask Pinterest for one with the OAuth token) or `clear`.
public struct SetConversionTokenRequest: PinAdsRequest {
    public static let method = "connections.set_conversion_token"
    public typealias Result = ConversionTokenResult
    public var adAccountId: String?
    public var token: String?
    public var mint: Bool?
    public var clear: Bool?

    public init(adAccountId: String? = nil, token: String? = nil, mint: Bool? = nil, clear: Bool? = nil) {
        self.adAccountId = adAccountId
        self.token = token
        self.mint = mint
        self.clear = clear
    }

    enum CodingKeys: String, CodingKey {
        case token, mint, clear
        case adAccountId = "ad_account_id"
    }
}

public struct ConversionTokenResult: Codable, Sendable, Equatable {
    public var adAccountId: String
    public var hasConversionToken: Bool
    /// A short fingerprint of the token (never the token).
    public var fingerprint: String?
    /// `given` or `minted`.
    public var source: String?

    public init(adAccountId: String, hasConversionToken: Bool, fingerprint: String?, source: String?) {
        self.adAccountId = adAccountId
        self.hasConversionToken = hasConversionToken
        self.fingerprint = fingerprint
        self.source = source
    }

    enum CodingKeys: String, CodingKey {
        case fingerprint, source
        case adAccountId = "ad_account_id"
        case hasConversionToken = "has_conversion_token"
    }
}

import Foundation

/// `conversions.send`: up to 10,000 events; answered once the accepted ones are stored.
public struct SendConversionsRequest: PinAdsRequest {
    public static let method = "conversions.send"
    public static let role = MethodRole.client
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
    public static let role = MethodRole.client
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

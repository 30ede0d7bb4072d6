import PinAdsJSON

/// One event of `events/create`. Hashing and normalization are the caller's (the dispatcher's)
/// job: `userData` carries the SHA-256 hex values as Pinterest wants them.
public struct ConversionEvent: Codable, Sendable, Equatable {
    /// One of Pinterest's 15 documented names (checkout, lead, signup, …).
    public var eventName: String
    /// app_android, app_ios, web, offline.
    public var actionSource: String
    /// Unix seconds.
    public var eventTime: Int64
    public var eventID: String
    public var eventSourceURL: String?
    public var optOut: Bool?
    public var userData: UserData
    public var customData: CustomData?

    public init(
        eventName: String, actionSource: String, eventTime: Int64, eventID: String, eventSourceURL: String? = nil,
        optOut: Bool? = nil, userData: UserData, customData: CustomData? = nil
    ) {
        self.eventName = eventName
        self.actionSource = actionSource
        self.eventTime = eventTime
        self.eventID = eventID
        self.eventSourceURL = eventSourceURL
        self.optOut = optOut
        self.userData = userData
        self.customData = customData
    }

    enum CodingKeys: String, CodingKey {
        case eventName = "event_name"
        case actionSource = "action_source"
        case eventTime = "event_time"
        case eventID = "event_id"
        case eventSourceURL = "event_source_url"
        case optOut = "opt_out"
        case userData = "user_data"
        case customData = "custom_data"
    }

    public struct UserData: Codable, Sendable, Equatable {
        /// SHA-256 hex of trimmed, lowercased emails.
        public var em: [String]?
        public var hashedMaids: [String]?
        public var ph: [String]?
        public var externalID: [String]?
        public var clientIPAddress: String?
        public var clientUserAgent: String?

        public init(
            em: [String]? = nil, hashedMaids: [String]? = nil, ph: [String]? = nil, externalID: [String]? = nil,
            clientIPAddress: String? = nil, clientUserAgent: String? = nil
        ) {
            self.em = em
            self.hashedMaids = hashedMaids
            self.ph = ph
            self.externalID = externalID
            self.clientIPAddress = clientIPAddress
            self.clientUserAgent = clientUserAgent
        }

        enum CodingKeys: String, CodingKey {
            case em, ph
            case hashedMaids = "hashed_maids"
            case externalID = "external_id"
            case clientIPAddress = "client_ip_address"
            case clientUserAgent = "client_user_agent"
        }
    }

    public struct CustomData: Codable, Sendable, Equatable {
        public var currency: String?
        /// A decimal amount as a string, as the API wants it.
        public var value: String?
        public var contentIDs: [String]?
        public var numItems: Int64?
        public var orderID: String?
        public var contents: [Content]?

        public init(
            currency: String? = nil, value: String? = nil, contentIDs: [String]? = nil, numItems: Int64? = nil, orderID: String? = nil,
            contents: [Content]? = nil
        ) {
            self.currency = currency
            self.value = value
            self.contentIDs = contentIDs
            self.numItems = numItems
            self.orderID = orderID
            self.contents = contents
        }

        enum CodingKeys: String, CodingKey {
            case currency, value, contents
            case contentIDs = "content_ids"
            case numItems = "num_items"
            case orderID = "order_id"
        }
    }

    /// One product (`custom_data.contents[]`); `item_price` is a decimal string, as the API wants.
    public struct Content: Codable, Sendable, Equatable {
        public var id: String?
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

        enum CodingKeys: String, CodingKey {
            case id, quantity
            case itemPrice = "item_price"
            case itemName = "item_name"
            case itemCategory = "item_category"
            case itemBrand = "item_brand"
        }
    }
}

struct ConversionEventsBody: Encodable {
    var data: [ConversionEvent]
}

/// The answer of `events/create`: per-event status in request order.
public struct ConversionResponse: Decodable, Sendable, Equatable {
    public struct EventStatus: Decodable, Sendable, Equatable {
        /// processed or failed (kept as text: newer APIs add values).
        public var status: String
        public var errorMessage: String?
        public var warningMessage: String?

        enum CodingKeys: String, CodingKey {
            case status
            case errorMessage = "error_message"
            case warningMessage = "warning_message"
        }
    }

    public var numEventsReceived: Int
    public var numEventsProcessed: Int
    public var events: [EventStatus]

    enum CodingKeys: String, CodingKey {
        case events
        case numEventsReceived = "num_events_received"
        case numEventsProcessed = "num_events_processed"
    }
}

/// `granularity` of analytics.
public enum AnalyticsGranularity: String, Sendable, CaseIterable {
    case total = "TOTAL", day = "DAY", hour = "HOUR", week = "WEEK", month = "MONTH"
}

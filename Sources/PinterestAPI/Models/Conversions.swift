import PinAdsJSON

/// One event of `events/create` (schema `ConversionEvents.data[]`), every field of Pinterest's
/// 5.23 description. Hashing and normalization are the caller's (the dispatcher's) job:
/// `userData` carries the SHA-256 hex values as Pinterest wants them.
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
    /// `ss-<partner>`, lowercase.
    public var partnerName: String?
    /// ISO 639-1.
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
    /// `ConversionEventAppInfo`, as given (checked by the caller).
    public var appInfo: JSONValue?
    /// `ConversionEventDeviceInfo`, as given (checked by the caller).
    public var deviceInfo: JSONValue?

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
        case language, wifi
        case eventName = "event_name"
        case actionSource = "action_source"
        case eventTime = "event_time"
        case eventID = "event_id"
        case eventSourceURL = "event_source_url"
        case optOut = "opt_out"
        case userData = "user_data"
        case customData = "custom_data"
        case partnerName = "partner_name"
        case appID = "app_id"
        case appName = "app_name"
        case appVersion = "app_version"
        case deviceBrand = "device_brand"
        case deviceCarrier = "device_carrier"
        case deviceModel = "device_model"
        case deviceType = "device_type"
        case osVersion = "os_version"
        case appInfo = "app_info"
        case deviceInfo = "device_info"
    }

    /// `user_data`: the hashed fields are arrays of SHA-256 hex; the others are plain.
    public struct UserData: Codable, Sendable, Equatable {
        /// SHA-256 hex of trimmed, lowercased emails.
        public var em: [String]?
        public var hashedMaids: [String]?
        public var ph: [String]?
        public var fn: [String]?
        public var ln: [String]?
        public var ge: [String]?
        public var db: [String]?
        public var ct: [String]?
        public var st: [String]?
        public var zp: [String]?
        public var country: [String]?
        public var externalID: [String]?
        public var clientIPAddress: String?
        public var clientUserAgent: String?
        /// The `_epik` cookie or `epik=` URL parameter, not hashed.
        public var clickID: String?
        public var partnerID: String?

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
            case em, ph, fn, ln, ge, db, ct, st, zp, country
            case hashedMaids = "hashed_maids"
            case externalID = "external_id"
            case clientIPAddress = "client_ip_address"
            case clientUserAgent = "client_user_agent"
            case clickID = "click_id"
            case partnerID = "partner_id"
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
        public var contentName: String?
        public var contentCategory: String?
        public var contentBrand: String?
        public var searchString: String?
        /// A decimal amount as a string.
        public var predictedLTV: String?
        /// Comma-separated, e.g. `LDP`.
        public var optOutType: String?
        public var np: String?
        public var externalMeasurementID: String?
        public var externalMeasurementVendorID: Int64?

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
            case currency, value, contents, np
            case contentIDs = "content_ids"
            case numItems = "num_items"
            case orderID = "order_id"
            case contentName = "content_name"
            case contentCategory = "content_category"
            case contentBrand = "content_brand"
            case searchString = "search_string"
            case predictedLTV = "predicted_ltv"
            case optOutType = "opt_out_type"
            case externalMeasurementID = "external_measurement_id"
            case externalMeasurementVendorID = "external_measurement_vendor_id"
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

import Foundation
import PinAdsJSON

/// One conversion event as a shop sends it, in either of two shapes (see `protocol/methods.md`):
/// pinads' flat one (`{"event_name": …, "email": …, "value": …}`) or Pinterest's own
/// (`{"event_name": …, "user_data": {"em": [...]}, "custom_data": {…}}`). Identifiers may be
/// plain or SHA-256 hex: the daemon normalizes and hashes them on arrival and stores only the
/// hashes. It is written in the flat shape.
///
/// Reading an event never fails the request it came in: a field it does not know, a wrong JSON
/// type or a missing `event_id` leaves `problem` set, and the daemon rejects that event alone,
/// by its index.
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
    public var eventSourceUrl: String?
    /// The shopper opted out of tracking (web, offline) or of ads personalization (apps).
    public var optOut: Bool?
    /// `ss-<partner>`, lowercase.
    public var partnerName: String?
    /// ISO 639-1, e.g. `en`.
    public var language: String?
    public var appId: String?
    public var appName: String?
    public var appVersion: String?
    public var deviceBrand: String?
    public var deviceCarrier: String?
    public var deviceModel: String?
    public var deviceType: String?
    public var osVersion: String?
    public var wifi: Bool?
    /// Pinterest's `app_info` object, as its schema says.
    public var appInfo: JSONValue?
    /// Pinterest's `device_info` object, as its schema says.
    public var deviceInfo: JSONValue?

    // Who: plain or SHA-256 hex (64 hex characters are kept as they are).
    public var email: String?
    public var emails: [String]?
    public var phone: String?
    public var phones: [String]?
    /// GAIDs or IDFAs.
    public var hashedMaids: [String]?
    public var externalId: OneOrMore?
    /// First and last names, gender (f, m, n), date of birth (YYYYMMDD), city, state (two
    /// letters), zip code and country (ISO 3166 alpha-2): each a string or a list.
    public var fn: OneOrMore?
    public var ln: OneOrMore?
    public var ge: OneOrMore?
    public var db: OneOrMore?
    public var ct: OneOrMore?
    public var st: OneOrMore?
    public var zp: OneOrMore?
    public var country: OneOrMore?
    // Not hashed.
    public var clientIpAddress: String?
    public var clientUserAgent: String?
    /// The `_epik` cookie or the `epik=` URL parameter.
    public var clickId: String?
    public var partnerId: String?

    // What (Pinterest's custom_data).
    /// The total, e.g. 49.99 or "49.99"; sent as decimal text, never rounded through a float (a
    /// string is sent exactly as written).
    public var value: DecimalAmount?
    /// ISO 4217; the ad account's currency when omitted.
    public var currency: String?
    public var orderId: String?
    public var contentIds: [String]?
    public var numItems: Int64?
    /// The products of the event (price and quantity each), as Pinterest's `custom_data.contents`.
    public var contents: [ConversionContentInput]?
    public var contentName: String?
    public var contentCategory: String?
    public var contentBrand: String?
    public var searchString: String?
    public var predictedLtv: DecimalAmount?
    /// Comma-separated, e.g. `LDP` (Limited Data Processing).
    public var optOutType: String?
    public var np: String?
    public var externalMeasurementId: String?
    public var externalMeasurementVendorId: Int64?

    /// Why this event could not be read (set only when decoding): the field and what is wrong.
    /// The daemon rejects the event with it.
    public var problem: String?
    /// The event as it came, when it could not be read (written back as it came).
    public var unread: JSONValue?

    public init(
        eventName: String, eventId: String, eventTime: Int64? = nil, actionSource: String? = nil, email: String? = nil, emails: [String]? = nil,
        phone: String? = nil, hashedMaids: [String]? = nil, clientIpAddress: String? = nil, clientUserAgent: String? = nil,
        externalId: String? = nil, eventSourceUrl: String? = nil, value: DecimalAmount? = nil, currency: String? = nil, orderId: String? = nil,
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
        self.externalId = externalId.map { OneOrMore($0) }
        self.eventSourceUrl = eventSourceUrl
        self.value = value
        self.currency = currency
        self.orderId = orderId
        self.contentIds = contentIds
        self.numItems = numItems
        self.contents = contents
    }

    /// The flat shape; an event that could not be read is written back as it came.
    public func encode(to encoder: any Encoder) throws {
        if let unread {
            var single = encoder.singleValueContainer()
            try single.encode(unread)
            return
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(eventName, forKey: .eventName)
        try container.encode(eventId, forKey: .eventId)
        try container.encodeIfPresent(eventTime, forKey: .eventTime)
        try container.encodeIfPresent(actionSource, forKey: .actionSource)
        try container.encodeIfPresent(eventSourceUrl, forKey: .eventSourceUrl)
        try container.encodeIfPresent(optOut, forKey: .optOut)
        try container.encodeIfPresent(partnerName, forKey: .partnerName)
        try container.encodeIfPresent(language, forKey: .language)
        try container.encodeIfPresent(appId, forKey: .appId)
        try container.encodeIfPresent(appName, forKey: .appName)
        try container.encodeIfPresent(appVersion, forKey: .appVersion)
        try container.encodeIfPresent(deviceBrand, forKey: .deviceBrand)
        try container.encodeIfPresent(deviceCarrier, forKey: .deviceCarrier)
        try container.encodeIfPresent(deviceModel, forKey: .deviceModel)
        try container.encodeIfPresent(deviceType, forKey: .deviceType)
        try container.encodeIfPresent(osVersion, forKey: .osVersion)
        try container.encodeIfPresent(wifi, forKey: .wifi)
        try container.encodeIfPresent(appInfo, forKey: .appInfo)
        try container.encodeIfPresent(deviceInfo, forKey: .deviceInfo)
        try container.encodeIfPresent(email, forKey: .email)
        try container.encodeIfPresent(emails, forKey: .emails)
        try container.encodeIfPresent(phone, forKey: .phone)
        try container.encodeIfPresent(phones, forKey: .phones)
        try container.encodeIfPresent(hashedMaids, forKey: .hashedMaids)
        try container.encodeIfPresent(externalId, forKey: .externalId)
        try container.encodeIfPresent(fn, forKey: .fn)
        try container.encodeIfPresent(ln, forKey: .ln)
        try container.encodeIfPresent(ge, forKey: .ge)
        try container.encodeIfPresent(db, forKey: .db)
        try container.encodeIfPresent(ct, forKey: .ct)
        try container.encodeIfPresent(st, forKey: .st)
        try container.encodeIfPresent(zp, forKey: .zp)
        try container.encodeIfPresent(country, forKey: .country)
        try container.encodeIfPresent(clientIpAddress, forKey: .clientIpAddress)
        try container.encodeIfPresent(clientUserAgent, forKey: .clientUserAgent)
        try container.encodeIfPresent(clickId, forKey: .clickId)
        try container.encodeIfPresent(partnerId, forKey: .partnerId)
        try container.encodeIfPresent(value, forKey: .value)
        try container.encodeIfPresent(currency, forKey: .currency)
        try container.encodeIfPresent(orderId, forKey: .orderId)
        try container.encodeIfPresent(contentIds, forKey: .contentIds)
        try container.encodeIfPresent(numItems, forKey: .numItems)
        try container.encodeIfPresent(contents, forKey: .contents)
        try container.encodeIfPresent(contentName, forKey: .contentName)
        try container.encodeIfPresent(contentCategory, forKey: .contentCategory)
        try container.encodeIfPresent(contentBrand, forKey: .contentBrand)
        try container.encodeIfPresent(searchString, forKey: .searchString)
        try container.encodeIfPresent(predictedLtv, forKey: .predictedLtv)
        try container.encodeIfPresent(optOutType, forKey: .optOutType)
        try container.encodeIfPresent(np, forKey: .np)
        try container.encodeIfPresent(externalMeasurementId, forKey: .externalMeasurementId)
        try container.encodeIfPresent(externalMeasurementVendorId, forKey: .externalMeasurementVendorId)
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case language, wifi, email, emails, phone, phones, fn, ln, ge, db, ct, st, zp, country, value, currency, contents, np
        case eventName = "event_name"
        case eventId = "event_id"
        case eventTime = "event_time"
        case actionSource = "action_source"
        case eventSourceUrl = "event_source_url"
        case optOut = "opt_out"
        case partnerName = "partner_name"
        case appId = "app_id"
        case appName = "app_name"
        case appVersion = "app_version"
        case deviceBrand = "device_brand"
        case deviceCarrier = "device_carrier"
        case deviceModel = "device_model"
        case deviceType = "device_type"
        case osVersion = "os_version"
        case appInfo = "app_info"
        case deviceInfo = "device_info"
        case hashedMaids = "hashed_maids"
        case externalId = "external_id"
        case clientIpAddress = "client_ip_address"
        case clientUserAgent = "client_user_agent"
        case clickId = "click_id"
        case partnerId = "partner_id"
        case orderId = "order_id"
        case contentIds = "content_ids"
        case numItems = "num_items"
        case contentName = "content_name"
        case contentCategory = "content_category"
        case contentBrand = "content_brand"
        case searchString = "search_string"
        case predictedLtv = "predicted_ltv"
        case optOutType = "opt_out_type"
        case externalMeasurementId = "external_measurement_id"
        case externalMeasurementVendorId = "external_measurement_vendor_id"
    }
}

/// One product of an event: `{"id": "sku-1", "item_price": "14.99", "quantity": 3, "item_name": …,
/// "item_category": …, "item_brand": …}`, every field optional; `item_price` a number or a
/// decimal string.
public struct ConversionContentInput: Codable, Sendable, Equatable {
    public var id: String?
    /// The price of one item.
    public var itemPrice: DecimalAmount?
    public var quantity: Int64?
    public var itemName: String?
    public var itemCategory: String?
    public var itemBrand: String?

    public init(
        id: String? = nil, itemPrice: DecimalAmount? = nil, quantity: Int64? = nil, itemName: String? = nil, itemCategory: String? = nil,
        itemBrand: String? = nil
    ) {
        self.id = id
        self.itemPrice = itemPrice
        self.quantity = quantity
        self.itemName = itemName
        self.itemCategory = itemCategory
        self.itemBrand = itemBrand
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, quantity
        case itemPrice = "item_price"
        case itemName = "item_name"
        case itemCategory = "item_category"
        case itemBrand = "item_brand"
    }
}

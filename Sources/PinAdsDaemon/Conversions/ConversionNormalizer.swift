import Foundation
import PinterestAPI

/// Checks one conversion event and turns it into what Pinterest receives, once, at acceptance:
/// identifiers normalized and SHA-256 hashed (nothing raw goes further), defaults filled, and
/// the event encoded as the JSON object the dispatcher only concatenates. Not thread-safe (its
/// hasher is reused): one per request.
struct ConversionNormalizer {
    static let eventNames: Set<String> = [
        "add_payment_info", "add_to_cart", "add_to_wishlist", "app_install", "checkout", "custom", "initiate_checkout", "lead",
        "page_visit", "search", "signup", "subscribe", "view_category", "view_content", "watch_video",
    ]
    static let actionSources: Set<String> = ["app_android", "app_ios", "web", "offline"]
    /// How far in the future an event_time may be (clock skew between the shop and here). A
    /// local sanity rule (it catches milliseconds), not a documented Pinterest limit.
    static let futureSkew: Int64 = 300

    let now: Int64
    /// The ad account's currency, for events that say what was bought but not in which
    /// currency (Pinterest's own default); nil when the account's currency is not known.
    let defaultCurrency: String?
    let hasher = SHA256Hasher()
    let emails = MemberNormalizer(kind: .email)
    let devices = MemberNormalizer(kind: .maid)

    init(now: Date, defaultCurrency: String? = nil) {
        self.now = Int64(now.timeIntervalSince1970)
        // Pinterest's `UNK` is no currency to send.
        self.defaultCurrency = defaultCurrency.flatMap { $0.count == 3 && $0 != "UNK" ? $0.uppercased() : nil }
    }

    struct Prepared: Sendable {
        var eventName: String
        var eventID: String
        var body: String
    }

    enum Outcome {
        case accepted(Prepared)
        case rejected(String)
    }

    /// A rule an event broke: the message names the field.
    struct Rejection: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    func prepare(_ input: SubmittedConversion) -> Outcome {
        do throws(Rejection) {
            if let unreadable = input.unreadable { throw Rejection(unreadable) }
            let (eventID, source, time) = try checkHeader(input)
            var event = ConversionEvent(
                eventName: input.eventName, actionSource: source, eventTime: time, eventID: eventID, userData: try userData(input.person),
                customData: input.purchase.isEmpty ? nil : try customData(input.purchase))
            try applyContext(input.context, to: &event)
            guard let body = try? PinterestClient.encodeEvent(event) else { return .rejected("could not be encoded") }
            return .accepted(Prepared(eventName: input.eventName, eventID: eventID, body: body))
        } catch {
            return .rejected(error.reason)
        }
    }

    /// The event's name, id, source and time.
    private func checkHeader(_ input: SubmittedConversion) throws(Rejection) -> (eventID: String, source: String, time: Int64) {
        guard Self.eventNames.contains(input.eventName) else {
            throw Rejection("event_name: '\(input.eventName.prefix(40))' is not one of Pinterest's \(Self.eventNames.count) names (\(Self.eventNames.sorted().joined(separator: ", ")))")
        }
        let eventID = input.eventID.trimmingCharacters(in: .whitespaces)
        guard !eventID.isEmpty, eventID.utf8.count <= 256 else { throw Rejection("event_id: must be 1 to 256 characters") }
        let source = input.actionSource ?? "web"
        guard Self.actionSources.contains(source) else {
            throw Rejection("action_source: must be app_android, app_ios, web or offline, got '\(source.prefix(20))'")
        }
        let time = input.eventTime ?? now
        if time <= 0 {
            throw Rejection("event_time: must be a Unix time in seconds after 1970-01-01, got \(time); omit it for now")
        }
        if time > now + Self.futureSkew {
            throw Rejection("event_time: \(time) is in the future (Unix seconds expected, not milliseconds)")
        }
        return (eventID, source, time)
    }

    /// What was bought: amounts as Pinterest's decimal strings with every digit given, the
    /// currency checked (the ad account's when not given).
    private func customData(_ purchase: SubmittedConversion.Purchase) throws(Rejection) -> ConversionEvent.CustomData {
        var data = ConversionEvent.CustomData(
            value: try purchase.value.map { text throws(Rejection) in try Self.amount(text, field: "value") }, contentIDs: purchase.contentIDs,
            numItems: purchase.numItems, orderID: purchase.orderID, contents: try purchase.contents.map(contents))
        if let currency = purchase.currency?.trimmingCharacters(in: .whitespaces).uppercased() {
            guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isLetter }) else {
                throw Rejection("currency: must be an ISO 4217 code such as USD, got '\(currency.prefix(10))'")
            }
            data.currency = currency
        } else {
            data.currency = defaultCurrency
        }
        if let items = purchase.numItems, items < 0 { throw Rejection("num_items: must not be negative") }
        data.contentName = purchase.contentName
        data.contentCategory = purchase.contentCategory
        data.contentBrand = purchase.contentBrand
        data.searchString = purchase.searchString
        data.predictedLTV = try purchase.predictedLTV.map { text throws(Rejection) in try Self.amount(text, field: "predicted_ltv") }
        data.optOutType = purchase.optOutType
        data.np = purchase.np
        data.externalMeasurementID = purchase.externalMeasurementID
        data.externalMeasurementVendorID = purchase.externalMeasurementVendorID
        return data
    }

    private func contents(_ products: [SubmittedConversion.Product]) throws(Rejection) -> [ConversionEvent.Content] {
        var contents: [ConversionEvent.Content] = []
        for (n, product) in products.enumerated() {
            let price = try product.itemPrice.map { text throws(Rejection) in try Self.amount(text, field: "contents[\(n)].item_price") }
            if let quantity = product.quantity, quantity < 0 { throw Rejection("contents[\(n)].quantity: must not be negative") }
            contents.append(
                ConversionEvent.Content(
                    id: product.id, itemPrice: price, quantity: product.quantity, itemName: product.itemName,
                    itemCategory: product.itemCategory, itemBrand: product.itemBrand))
        }
        return contents
    }

    /// A non-negative decimal amount as Pinterest's string: digits, optionally a point and
    /// more digits, exactly as given (no rounding: KWD has three decimals, and a shop may send more).
    static func amount(_ text: String, field: String) throws(Rejection) -> String {
        let amount = text.trimmingCharacters(in: .whitespaces)
        let digits: (Substring) -> Bool = { !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }
        func valid(_ text: Substring) -> Bool {
            let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            guard let whole = parts.first, digits(whole), parts.count == 1 || digits(parts[1]), text.utf8.count <= 40 else { return false }
            return true
        }
        if amount.hasPrefix("-"), valid(amount.dropFirst()) { throw Rejection("\(field): must be a non-negative amount") }
        guard valid(amount[...]) else {
            throw Rejection("\(field): must be a decimal amount such as 49.99 (a number or a string of digits), got '\(amount.prefix(20))'")
        }
        return amount
    }
}

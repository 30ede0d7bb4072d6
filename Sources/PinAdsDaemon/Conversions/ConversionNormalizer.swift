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
    private let hasher = SHA256Hasher()
    private let emails = MemberNormalizer(kind: .email)
    private let devices = MemberNormalizer(kind: .maid)

    init(now: Date) { self.now = Int64(now.timeIntervalSince1970) }

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
            let (eventID, source, time) = try checkHeader(input)
            let event = ConversionEvent(
                eventName: input.eventName, actionSource: source, eventTime: time, eventID: eventID, eventSourceURL: input.eventSourceURL,
                userData: try userData(input), customData: input.hasCustomData ? try customData(input) : nil)
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

    /// Who did it: every identifier hashed, and at least one way to match the event.
    private func userData(_ input: SubmittedConversion) throws(Rejection) -> ConversionEvent.UserData {
        var em: [String] = []
        for raw in input.emails {
            switch emails.hash(raw) {
            case .success(let hash): em.append(hash)
            case .failure(let why): throw Rejection("email: \(why)")
            }
        }
        var maids: [String] = []
        for raw in input.hashedMaids {
            switch devices.hash(raw) {
            case .success(let hash): maids.append(hash)
            case .failure(let why): throw Rejection("hashed_maids: \(why)")
            }
        }
        var phones: [String]?
        if let phone = input.phone {
            // Digits only, with country code, no leading zeros (NOTES §8.3); 7–15 digits is
            // E.164's range, a sanity rule of ours.
            var digits = String(phone.unicodeScalars.filter { $0.properties.numericType == .decimal && $0.isASCII }.map(Character.init))
            while digits.hasPrefix("0") { digits.removeFirst() }
            guard (7...15).contains(digits.count) else { throw Rejection("phone: needs 7 to 15 digits with the country code") }
            phones = [hasher.hex(digits)]
        }
        let ip = input.clientIPAddress?.trimmingCharacters(in: .whitespaces)
        let agent = input.clientUserAgent?.trimmingCharacters(in: .whitespaces)
        guard !em.isEmpty || !maids.isEmpty || (ip?.isEmpty == false && agent?.isEmpty == false) else {
            throw Rejection("user_data: needs an email, hashed_maids, or client_ip_address with client_user_agent")
        }
        return ConversionEvent.UserData(
            em: em.isEmpty ? nil : em, hashedMaids: maids.isEmpty ? nil : maids, ph: phones,
            externalID: input.externalID.map { [hasher.hex($0)] }, clientIPAddress: ip, clientUserAgent: agent)
    }

    /// What was bought: amounts as Pinterest's decimal strings, the currency checked.
    private func customData(_ input: SubmittedConversion) throws(Rejection) -> ConversionEvent.CustomData {
        var value: String?
        if let amount = input.value {
            guard amount.isFinite, amount >= 0 else { throw Rejection("value: must be a non-negative amount") }
            value = String(format: "%.2f", amount)
        }
        let currency = (input.currency ?? "USD").uppercased()
        guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            throw Rejection("currency: must be an ISO 4217 code such as USD, got '\(currency.prefix(10))'")
        }
        if let items = input.numItems, items < 0 { throw Rejection("num_items: must not be negative") }
        return ConversionEvent.CustomData(
            currency: currency, value: value, contentIDs: input.contentIDs, numItems: input.numItems, orderID: input.orderID,
            contents: try input.contents.map(contents))
    }

    private func contents(_ products: [SubmittedConversion.Product]) throws(Rejection) -> [ConversionEvent.Content] {
        var contents: [ConversionEvent.Content] = []
        for (n, product) in products.enumerated() {
            var price: String?
            if let amount = product.itemPrice {
                guard amount.isFinite, amount >= 0 else { throw Rejection("contents[\(n)].item_price: must be a non-negative amount") }
                price = String(format: "%.2f", amount)
            }
            if let quantity = product.quantity, quantity < 0 { throw Rejection("contents[\(n)].quantity: must not be negative") }
            contents.append(
                ConversionEvent.Content(
                    id: product.id, itemPrice: price, quantity: product.quantity, itemName: product.itemName,
                    itemCategory: product.itemCategory, itemBrand: product.itemBrand))
        }
        return contents
    }
}

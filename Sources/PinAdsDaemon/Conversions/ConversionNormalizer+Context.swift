import PinAdsJSON
import PinterestAPI

/// The schema of one of Pinterest's small event objects (`app_info`, `device_info`): its
/// fields, their types and bounds. Pinterest refuses the whole request (400) for a field these
/// objects do not have (`additionalProperties: false`), so each event is checked here, alone.
struct EventObjectSchema: Sendable {
    enum Kind: Sendable {
        case string(maxLength: Int)
        case integer(ClosedRange<Int64>)
        case oneOf(Set<String>)
        case strings(maxItems: Int)
    }

    let name: String
    let fields: [String: Kind]

    /// openapi.yaml `ConversionEventAppInfo`.
    static let appInfo = EventObjectSchema(
        name: "app_info",
        fields: [
            "app_id": .string(maxLength: 200), "app_name": .string(maxLength: 200), "app_package_name": .string(maxLength: 200),
            "app_store": .string(maxLength: 100), "app_version": .string(maxLength: 100), "install_time": .integer(0...Int64.max),
            "user_agent": .string(maxLength: 16384), "window_height": .integer(0...30720), "window_width": .integer(0...30720),
        ])

    /// openapi.yaml `ConversionEventDeviceInfo`.
    static let deviceInfo = EventObjectSchema(
        name: "device_info",
        fields: [
            "battery_level": .integer(0...100), "brand": .string(maxLength: 100), "carrier": .string(maxLength: 100),
            "cpu_cores": .integer(0...1152), "external_storage_free_space": .integer(0...1_048_576),
            "external_storage_size": .integer(0...1_048_576),
            "form_factor": .oneOf(["desktop", "laptop", "cellphone", "tablet", "smartwatch", "tv", "vr", "console", "other"]),
            "kernel_version": .string(maxLength: 100), "languages": .strings(maxItems: 100), "locale": .string(maxLength: 35),
            "model": .string(maxLength: 100),
            "network_type": .oneOf(["wifi", "cellular_2g", "cellular_3g", "cellular_4g", "cellular_5g", "cellular_6g", "ethernet", "unknown"]),
            "os_family": .oneOf(["ios", "android", "macos", "windows", "linux", "bsd", "other"]), "os_name": .string(maxLength: 100),
            "os_release_name": .string(maxLength: 100), "os_version": .string(maxLength: 100), "screen_density": .integer(0...100_000),
            "screen_height": .integer(0...30720), "screen_width": .integer(0...30720), "storage_free_space": .integer(0...1_048_576),
            "storage_size": .integer(0...1_048_576), "timezone": .string(maxLength: 40), "timezone_abbr": .string(maxLength: 5),
            "type": .string(maxLength: 100),
        ])

    /// The object, if it keeps to the schema; the rejection names the field.
    func check(_ value: JSONValue) throws(ConversionNormalizer.Rejection) -> JSONValue {
        guard let object = value.objectValue else { throw .init("\(name): expected an object, got \(value.typeName)") }
        for (key, field) in object.sorted(by: { $0.key < $1.key }) {
            guard let kind = fields[key] else { throw .init("\(name).\(key.prefix(64)): unknown field (not one of Pinterest's \(name) fields)") }
            if case .null = field { continue }
            if let problem = Self.problem(field, kind) { throw .init("\(name).\(key): \(problem)") }
        }
        return value
    }

    private static func problem(_ value: JSONValue, _ kind: Kind) -> String? {
        switch kind {
        case .string(let maxLength):
            guard let text = value.stringValue else { return "expected a string, got \(value.typeName)" }
            return text.count > maxLength ? "at most \(maxLength) characters" : nil
        case .integer(let range):
            guard case .int(let number) = value else { return "expected an integer, got \(value.typeName)" }
            return range.contains(number) ? nil : "must be \(range.lowerBound) to \(range.upperBound)"
        case .oneOf(let allowed):
            guard let text = value.stringValue, allowed.contains(text) else { return "must be one of \(allowed.sorted().joined(separator: ", "))" }
            return nil
        case .strings(let maxItems):
            guard case .array(let items) = value, items.allSatisfy({ $0.stringValue != nil }) else { return "expected a list of strings" }
            return items.count > maxItems ? "at most \(maxItems) entries" : nil
        }
    }
}

extension ConversionNormalizer {
    /// The event's page, app and device, copied onto what Pinterest receives.
    func applyContext(_ context: SubmittedConversion.Context, to event: inout ConversionEvent) throws(Rejection) {
        event.eventSourceURL = context.eventSourceURL
        event.optOut = context.optOut
        if let partner = context.partnerName {
            guard partner.hasPrefix("ss-"), partner == partner.lowercased() else {
                throw Rejection("partner_name: must be 'ss-<partner>' in lowercase, got '\(partner.prefix(40))'")
            }
            event.partnerName = partner
        }
        event.language = context.language
        event.appID = context.appID
        event.appName = context.appName
        event.appVersion = context.appVersion
        event.deviceBrand = context.deviceBrand
        event.deviceCarrier = context.deviceCarrier
        event.deviceModel = context.deviceModel
        event.deviceType = context.deviceType
        event.osVersion = context.osVersion
        event.wifi = context.wifi
        if let appInfo = context.appInfo { event.appInfo = try EventObjectSchema.appInfo.check(appInfo) }
        if let deviceInfo = context.deviceInfo { event.deviceInfo = try EventObjectSchema.deviceInfo.check(deviceInfo) }
    }
}

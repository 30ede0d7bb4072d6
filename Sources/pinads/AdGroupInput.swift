import ArgumentParser
import Foundation
import PinAdsProtocol

// MARK: - What ad-group create and ad-group update share

/// Who an ad group reaches, from flags or a file: `ad-group create` and `ad-group update`.
struct TargetingOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Countries (US) or US DMA codes.", valueName: "list")) var locations: [String] = []
    @Option(help: ArgumentHelp("pinads audience ids to reach.", valueName: "ids")) var audiences: [String] = []
    @Option(help: ArgumentHelp("pinads audience ids to leave out.", valueName: "ids")) var excludeAudiences: [String] = []
    @Option(help: ArgumentHelp("female, male, unknown.", valueName: "list")) var genders: [String] = []
    @Option(help: ArgumentHelp("Age buckets, e.g. 25-34,35-44.", valueName: "list")) var ageBuckets: [String] = []
    @Option(help: ArgumentHelp("Languages, e.g. en,fr.", valueName: "list")) var locales: [String] = []
    @Option(help: ArgumentHelp("e.g. iphone,android_mobile,web.", valueName: "list")) var devices: [String] = []
    @Option(help: ArgumentHelp("Pinterest interest ids.", valueName: "ids")) var interests: [String] = []
    @Option(
        help: ArgumentHelp(
            "The whole targeting as JSON in the protocol's shape ({\"locations\": [\"US\"], \"audiences_include\": [3]}); - reads standard input. Not with the targeting flags.",
            valueName: "targeting.json"))
    var targetingFile: String?

    /// True when any targeting flag or the file was given.
    var given: Bool { targetingFile != nil || flagsGiven }

    private var flagsGiven: Bool {
        ![locations, audiences, excludeAudiences, genders, ageBuckets, locales, devices, interests].allSatisfy(\.isEmpty)
    }

    /// The targeting given; nil when none was. Reads --targeting-file.
    func spec() throws -> TargetingSpec? {
        if let targetingFile {
            if flagsGiven {
                throw ValidationError(
                    "give --targeting-file or targeting flags (--locations, --audiences, …), not both: the file is the whole targeting")
            }
            return try JSONInput.load(TargetingSpec.self, path: targetingFile, flag: "--targeting-file", shape: "a JSON object such as {\"locations\": [\"US\"]}")
        }
        guard flagsGiven else { return nil }
        return TargetingSpec(
            audiencesInclude: try Lists.ids(audiences, flag: "--audiences"),
            audiencesExclude: try Lists.ids(excludeAudiences, flag: "--exclude-audiences"), interests: Lists.items(interests),
            ageBuckets: Lists.items(ageBuckets), genders: Lists.items(genders)?.map { $0.lowercased() },
            locations: Lists.items(locations)?.map { $0.uppercased() }, locales: Lists.items(locales)?.map { $0.lowercased() },
            devices: Lists.items(devices)?.map { $0.lowercased() })
    }
}

/// An ad group's keywords, from repeated --keyword or a file.
struct KeywordOptions: ParsableArguments {
    @Option(
        name: .customLong("keyword"),
        help: ArgumentHelp(
            "A keyword and its match type, VALUE:MATCH_TYPE (\"wool socks:PHRASE\"); repeat it for more. Match types: BROAD, PHRASE, EXACT, EXACT_NEGATIVE, PHRASE_NEGATIVE.",
            valueName: "value:match-type"))
    var keywords: [String] = []
    @Option(
        help: ArgumentHelp(
            "The keywords as JSON: [{\"value\": \"wool socks\", \"match_type\": \"PHRASE\"}, …]; - reads standard input. Not with --keyword.",
            valueName: "keywords.json"))
    var keywordsFile: String?

    var given: Bool { keywordsFile != nil || !keywords.isEmpty }

    /// The keywords given; nil when none were.
    func specs() throws -> [KeywordSpec]? {
        if let keywordsFile {
            if !keywords.isEmpty { throw ValidationError("give --keywords-file or --keyword, not both") }
            let list = try JSONInput.load(
                [KeywordSpec].self, path: keywordsFile, flag: "--keywords-file",
                shape: "a JSON array such as [{\"value\": \"wool socks\", \"match_type\": \"PHRASE\"}]")
            return try list.enumerated().map { index, keyword in
                try Keywords.check(keyword, flag: "--keywords-file [\(index)]")
            }
        }
        guard !keywords.isEmpty else { return nil }
        return try keywords.map { try Keywords.parse($0, flag: "--keyword") }
    }
}

/// Pinterest's keywords: "value:MATCH_TYPE" on the command line.
enum Keywords {
    static let matchTypes = ["BROAD", "PHRASE", "EXACT", "EXACT_NEGATIVE", "PHRASE_NEGATIVE"]
    static let maximumLength = 120

    /// "wool socks:PHRASE" → wool socks, PHRASE. The match type follows the last colon, in any
    /// case, so a value may hold colons itself ("10:30 am:EXACT").
    static func parse(_ text: String, flag: String) throws -> KeywordSpec {
        guard let colon = text.lastIndex(of: ":") else {
            throw ValidationError("\(flag) takes VALUE:MATCH_TYPE, e.g. \"wool socks:PHRASE\" (match types \(matchTypes.joined(separator: ", "))), got '\(text)'")
        }
        let value = String(text[..<colon])
        let matchType = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces).uppercased()
        return try check(KeywordSpec(value: value, matchType: matchType), flag: flag, given: text)
    }

    /// The keyword trimmed, its match type in capitals, or a ValidationError naming the flag.
    static func check(_ keyword: KeywordSpec, flag: String, given: String? = nil) throws -> KeywordSpec {
        let which = given.map { "\(flag) '\($0)'" } ?? flag
        let value = keyword.value.trimmingCharacters(in: .whitespaces)
        let matchType = keyword.matchType.uppercased()
        guard matchTypes.contains(matchType) else {
            throw ValidationError("\(which): the match type must be one of \(matchTypes.joined(separator: ", ")), not '\(keyword.matchType)'")
        }
        guard !value.isEmpty else { throw ValidationError("\(which): the keyword is empty") }
        guard value.count <= maximumLength else {
            throw ValidationError("\(which): a keyword has at most \(maximumLength) characters, this one \(value.count)")
        }
        return KeywordSpec(value: value, matchType: matchType)
    }
}

/// Bid strategies, as Pinterest names them.
enum BidStrategy {
    static let all = ["AUTOMATIC_BID", "MAX_BID", "TARGET_AVG"]

    static func parse(_ text: String, flag: String) throws -> String {
        let value = text.uppercased()
        guard all.contains(value) else { throw ValidationError("\(flag) must be one of \(all.joined(separator: ", ")), got '\(text)'") }
        return value
    }
}

/// What a WEB_CONVERSION ad group optimizes for: a conversion tag and an event.
struct ConversionGoalOptions: ParsableArguments {
    static let events = [
        "PAGE_VISIT", "SIGNUP", "CHECKOUT", "CUSTOM", "VIEW_CATEGORY", "SEARCH", "ADD_TO_CART", "WATCH_VIDEO", "LEAD", "APP_INSTALL",
    ]
    static let windows = [0, 1, 7, 14, 30, 60]

    @Option(help: ArgumentHelp("WEB_CONVERSION campaigns: the conversion tag to optimize for (its id, from `pinads tags list`).", valueName: "tag-id"))
    var conversionTag: String?
    @Option(help: ArgumentHelp("With --conversion-tag: the event, e.g. CHECKOUT, SIGNUP, LEAD, ADD_TO_CART, PAGE_VISIT.", valueName: "event"))
    var conversionEvent: String?
    @Option(help: ArgumentHelp("With --conversion-tag: the target cost per conversion, in currency units.", valueName: "amount"))
    var cpaGoal: String?
    @Option(help: ArgumentHelp("With --conversion-tag: days after a click a conversion counts (0, 1, 7, 14, 30, 60).", valueName: "days"))
    var clickWindow: Int?
    @Option(help: ArgumentHelp("With --conversion-tag: days after a view (0, 1, 7, 14, 30, 60).", valueName: "days"))
    var viewWindow: Int?
    @Option(help: ArgumentHelp("With --conversion-tag: days after an engagement, e.g. a save (0, 1, 7, 14, 30, 60).", valueName: "days"))
    var engagementWindow: Int?
    @Flag(help: "With --conversion-tag: optimize for return on ad spend (CHECKOUT, AUTOMATIC_BID).") var roas = false

    /// The goal given; nil when no --conversion-tag was.
    func spec() throws -> ConversionGoalSpec? {
        guard let conversionTag else {
            let stray = [
                (conversionEvent != nil, "--conversion-event"), (cpaGoal != nil, "--cpa-goal"), (clickWindow != nil, "--click-window"),
                (viewWindow != nil, "--view-window"), (engagementWindow != nil, "--engagement-window"), (roas, "--roas"),
            ].first { $0.0 }
            if let stray { throw ValidationError("\(stray.1) goes with --conversion-tag ID (the tag the ad group optimizes for)") }
            return nil
        }
        guard !conversionTag.isEmpty, conversionTag.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw ValidationError("--conversion-tag takes Pinterest's tag id (digits; `pinads tags list` shows them), got '\(conversionTag)'")
        }
        guard let conversionEvent else {
            throw ValidationError("--conversion-tag needs --conversion-event: one of \(Self.events.joined(separator: ", "))")
        }
        let event = conversionEvent.uppercased()
        guard Self.events.contains(event) else {
            throw ValidationError("--conversion-event must be one of \(Self.events.joined(separator: ", ")), got '\(conversionEvent)'")
        }
        if roas, event != "CHECKOUT" {
            throw ValidationError("--roas optimizes checkout value: it needs --conversion-event CHECKOUT, got \(event)")
        }
        for (flag, days) in [("--click-window", clickWindow), ("--view-window", viewWindow), ("--engagement-window", engagementWindow)] {
            if let days, !Self.windows.contains(days) {
                throw ValidationError("\(flag) must be one of \(Self.windows.map(String.init).joined(separator: ", ")) days, got \(days)")
            }
        }
        return ConversionGoalSpec(
            conversionTagId: conversionTag, conversionEvent: event, cpaGoalInMicroCurrency: try cpaGoal.map { try Money.micro(fromUnits: $0, flag: "--cpa-goal") },
            clickWindowDays: clickWindow, engagementWindowDays: engagementWindow, viewWindowDays: viewWindow, roasOptimized: roas ? true : nil)
    }
}

import Foundation
import PinAdsProtocol
import Testing

/// protocol/schema (JSON Schema 2020-12) is kept true: every method of `MethodRegistry` has a
/// schema and every schema a method; every golden example, the Swift types' re-encoding of it and
/// hand-built values of the types validate against the method's schema. Validation runs
/// contrib/schema/validate.py once, with every instance batched, in the virtualenv that
/// contrib/scripts/test.sh makes (.build/contract-venv, with jsonschema); without it the check is
/// skipped outside CI and fails in CI.
///
/// Instances are validated *closed*: an object schema that lists its properties refuses any other
/// field, so the schema names every field the daemon sends (the files themselves leave results
/// open, because clients must ignore fields they do not know: README §10).
@Suite("Protocol schema")
struct SchemaTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let schema = repository.appendingPathComponent("protocol/schema")
    static let examples = repository.appendingPathComponent("protocol/examples")
    static let python = repository.appendingPathComponent(".build/contract-venv/bin/python").path
    static let validator = repository.appendingPathComponent("contrib/schema/validate.py").path
    static var venvPresent: Bool { FileManager.default.isExecutableFile(atPath: python) }
    static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Reasons of conversions.send's rejections that the schema cannot express (they need the
    /// daemon's clock): an event rejected for one of them still validates.
    static let rulesOutsideTheSchema = ["is in the future"]

    /// One instance for the validator: a schema reference relative to protocol/schema, the
    /// instance's JSON bytes as they are, and whether it must validate.
    struct Check {
        var schema: String
        var label: String
        var instance: Data
        var expectValid = true
        /// Closed: fields the schema does not name are refused (see the suite's comment).
        var closed = true
    }

    // MARK: - Every method has a schema, every schema a method

    @Test func everyMethodHasASchemaAndEverySchemaAMethod() throws {
        let index = try Self.json(Self.schema.appendingPathComponent("index.json"))
        guard case .array(let entries)? = index["x-pinads-methods"] else {
            Issue.record("protocol/schema/index.json has no x-pinads-methods list")
            return
        }
        var indexed: [String: JSONValue] = [:]
        for entry in entries {
            guard let name = entry["name"]?.stringValue else {
                Issue.record("an index.json entry has no name: \(entry)")
                continue
            }
            #expect(indexed[name] == nil, "index.json lists \(name) twice")
            indexed[name] = entry
        }
        let folder = Self.schema.appendingPathComponent("methods")
        let files = Set(
            try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
                .map { String($0.dropLast(".json".count)) })
        let registered = Set(MethodRegistry.names)

        for type in MethodRegistry.all {
            let name = type.method
            guard let entry = indexed[name] else {
                Issue.record("\(name) has no schema: add protocol/schema/methods/\(name).json and its entry in protocol/schema/index.json")
                continue
            }
            #expect(entry["file"]?.stringValue == "methods/\(name).json", "index.json: \(name) names another file")
            #expect(entry["streaming"] == .bool(MethodRegistry.isStreaming(type)), "index.json: \(name) streaming is wrong")
            #expect(
                entry["pending"] == nil,
                "\(name) is in MethodRegistry now: drop \"pending\" from its index.json entry and the pending note in methods/\(name).json")
            #expect(entry["swift"] == Self.swiftNames(type), "index.json: \(name)'s Swift types are \(Self.swiftNames(type))")
            #expect(entry["role"] == .string(type.role.rawValue), "index.json: \(name)'s role is \(type.role.rawValue)")
            guard files.contains(name) else {
                Issue.record("protocol/schema/methods/\(name).json is missing")
                continue
            }
            let file = try Self.json(folder.appendingPathComponent("\(name).json"))
            #expect(file["x-pinads-method"] == .string(name), "methods/\(name).json names another method")
            #expect(file["x-pinads-streaming"] == .bool(MethodRegistry.isStreaming(type)), "methods/\(name).json: streaming is wrong")
            #expect(file["x-pinads-swift"] == Self.swiftNames(type), "methods/\(name).json: its Swift types are \(Self.swiftNames(type))")
            #expect(file["x-pinads-role"] == .string(type.role.rawValue), "methods/\(name).json: its role is \(type.role.rawValue)")
            var wanted: Set<String> = ["params", "result", "request", "response"]
            if MethodRegistry.isStreaming(type) { wanted.insert("event") }
            let defs = Set(file["$defs"]?.objectValue?.keys.map { $0 } ?? [])
            #expect(wanted.isSubset(of: defs), "methods/\(name).json lacks $defs \(wanted.subtracting(defs).sorted())")
            if !MethodRegistry.isStreaming(type) {
                #expect(!defs.contains("event"), "methods/\(name).json has an event but \(name) is not streaming")
            }
        }
        // A schema without a method: only a method whose Swift side is announced and not merged yet,
        // marked "pending" in the index.
        for (name, entry) in indexed where !registered.contains(name) {
            #expect(entry["pending"] == .bool(true), "protocol/schema/index.json lists \(name), a method MethodRegistry does not know")
        }
        for name in files where indexed[name] == nil {
            Issue.record("protocol/schema/methods/\(name).json is not listed in protocol/schema/index.json")
        }
        for name in indexed.keys where !files.contains(name) {
            Issue.record("index.json lists \(name), but protocol/schema/methods/\(name).json does not exist")
        }
    }

    // MARK: - Examples, their Swift re-encodings and hand-built values validate

    @Test func examplesAndSwiftEncodingsValidate() async throws {
        guard Self.venvPresent else {
            if Self.inCI {
                Issue.record("the schema check needs .build/contract-venv (jsonschema): contrib/scripts/test.sh makes it")
            }
            print("schema check skipped: no .build/contract-venv (run contrib/scripts/test.sh once)")
            return
        }
        var checks = try goldenChecks()
        let golden = checks.count
        checks += try sampleChecks()
        #expect(golden > 150, "only \(golden) checks from protocol/examples")

        let (status, report) = try await Self.runValidator(checks)
        if status != 0 {
            Issue.record("schema violations (contrib/schema/validate.py):\n\(report.suffix(8000))")
        } else {
            #expect(report.contains("\(checks.count) checked, 0 failed"), "\(report.suffix(2000))")
        }
    }

    /// Every file of protocol/examples (and more/, errors/), as it is and as the Swift types write
    /// it again.
    private func goldenChecks() throws -> [Check] {
        var checks: [Check] = []
        let fm = FileManager.default
        var files = try fm.contentsOfDirectory(atPath: Self.examples.path).filter { $0.hasSuffix(".json") }.sorted()
        files += try fm.contentsOfDirectory(atPath: Self.examples.appendingPathComponent("more").path)
            .filter { $0.hasSuffix(".json") }.sorted().map { "more/\($0)" }
        for path in files {
            let file = String(path.split(separator: "/").last!)
            guard let type = MethodRegistry.all.filter({ file.hasPrefix($0.method + ".") }).max(by: { $0.method.count < $1.method.count })
            else {
                Issue.record("\(path) documents no method this code knows")
                continue
            }
            let data = try Data(contentsOf: Self.examples.appendingPathComponent(path))
            if file.hasSuffix(".request.json") {
                let rejected = try Self.rejectedEvents(ofRequest: path)
                checks += try requestChecks(type.method, data, label: path, rejected: rejected, againstIndex: true)
                checks += try requestChecks(
                    type.method, try Self.reencodeRequest(type, data), label: "\(path), re-encoded by Swift", rejected: rejected,
                    againstIndex: false)
            } else {
                for (n, frame) in try Self.frames(data).enumerated() {
                    let label = "\(path)[\(n)]"
                    checks.append(Check(schema: "methods/\(type.method).json#/$defs/response", label: label, instance: frame))
                    checks.append(
                        Check(
                            schema: "methods/\(type.method).json#/$defs/response", label: "\(label), re-encoded by Swift",
                            instance: try Self.reencodeResponse(type, frame)))
                }
            }
        }
        let errors = Self.examples.appendingPathComponent("errors")
        for file in try fm.contentsOfDirectory(atPath: errors.path).filter({ $0.hasSuffix(".json") }).sorted() {
            let data = try Data(contentsOf: errors.appendingPathComponent(file))
            checks.append(Check(schema: "common.json#/$defs/ErrorFrame", label: "errors/\(file)", instance: data))
            let again = try Wire.encoder().encode(try Wire.decoder().decode(ResponseFrame<Empty, Empty>.self, from: data))
            checks.append(Check(schema: "common.json#/$defs/ErrorFrame", label: "errors/\(file), re-encoded by Swift", instance: again))
        }
        return checks
    }

    /// A request frame's checks. conversions.send's example holds events the daemon rejects by
    /// index (its response lists them): each must be refused by the event schema (unless its rule
    /// is one the schema cannot express), and the request without them must validate.
    private func requestChecks(_ method: String, _ data: Data, label: String, rejected: [Int: String], againstIndex: Bool) throws -> [Check] {
        var frame = data
        var checks: [Check] = []
        if !rejected.isEmpty, case .object(var envelope) = try Self.json(data), case .object(var params)? = envelope["params"],
            case .array(let events)? = params["events"]
        {
            var kept: [JSONValue] = []
            for (index, event) in events.enumerated() {
                guard let reason = rejected[index] else {
                    kept.append(event)
                    continue
                }
                let outside = Self.rulesOutsideTheSchema.contains { reason.contains($0) }
                checks.append(
                    Check(
                        schema: "methods/\(method).json#/$defs/ConversionEvent",
                        label: "\(label): events[\(index)], rejected by the daemon (\(reason.prefix(70)))",
                        instance: try JSONEncoder().encode(event), expectValid: outside, closed: false))
                if outside { kept.append(event) }
            }
            params["events"] = .array(kept)
            envelope["params"] = .object(params)
            frame = try JSONEncoder().encode(JSONValue.object(envelope))
        }
        checks.append(Check(schema: "methods/\(method).json#/$defs/request", label: label, instance: frame))
        if againstIndex {
            checks.append(Check(schema: "index.json", label: "\(label), against index.json (any request)", instance: frame))
        }
        return checks
    }

    /// Values built here, encoded by `Wire.encoder()`: optional fields absent and present. Some must
    /// be refused (`expectValid: false`, checked against the schema as published, not closed).
    private func sampleChecks() throws -> [Check] {
        var checks: [Check] = []
        func params(_ method: String, _ label: String, _ value: some Encodable, valid: Bool = true) throws {
            checks.append(
                Check(
                    schema: "methods/\(method).json#/$defs/params", label: "sample \(method) params: \(label)",
                    instance: try Wire.encoder().encode(value), expectValid: valid, closed: valid))
        }
        func result(_ method: String, _ label: String, _ value: some Encodable) throws {
            checks.append(
                Check(
                    schema: "methods/\(method).json#/$defs/result", label: "sample \(method) result: \(label)",
                    instance: try Wire.encoder().encode(value)))
        }
        func raw(_ method: String, _ label: String, _ json: String, valid: Bool) {
            checks.append(
                Check(
                    schema: "methods/\(method).json#/$defs/params", label: "sample \(method) params: \(label)",
                    instance: Data(json.utf8), expectValid: valid, closed: false))
        }
        let t0 = Date(timeIntervalSince1970: 1_795_622_531.123)
        let t1 = Date(timeIntervalSince1970: 1_798_761_600)

        // Campaign updates: absent, set, cleared.
        try params("campaigns.update", "id only", UpdateCampaignRequest(id: 3))
        try params(
            "campaigns.update", "every field",
            UpdateCampaignRequest(
                id: 3, name: "Winter sale", status: "PAUSED", dailySpendCap: .set(80_000_000), lifetimeSpendCap: .clear, startTime: t0,
                endTime: .set(t1)))
        try params("campaigns.update", "clears", UpdateCampaignRequest(id: 3, dailySpendCap: .clear, endTime: .clear))
        try params(
            "campaigns.update", "both caps (refused)", UpdateCampaignRequest(id: 3, dailySpendCap: .set(1), lifetimeSpendCap: .set(2)),
            valid: false)
        try params("campaigns.update", "objective_type (refused)", UpdateCampaignRequest(id: 3, objectiveType: "AWARENESS"), valid: false)
        raw("campaigns.update", "an unknown field (refused)", #"{"id":3,"daily_budget":80000000}"#, valid: false)
        raw("campaigns.update", "null name (refused)", #"{"id":3,"name":null}"#, valid: false)
        raw("campaigns.update", "no id (refused)", #"{"name":"x"}"#, valid: false)

        let targeting = TargetingSpec(
            audiencesInclude: [3], audiencesExclude: [4], interests: ["935541271955"], keywords: [], ageBuckets: ["25-34", "65+"],
            genders: ["female"], locations: ["US", "807"], locales: ["en"], devices: ["iphone", "web"])
        let goal = ConversionGoalSpec(
            conversionTagId: "2612345678901", conversionEvent: "CHECKOUT", cpaGoalInMicroCurrency: 4_000_000, clickWindowDays: 30,
            engagementWindowDays: 7, viewWindowDays: 1, roasOptimized: false)
        let keywords = [KeywordSpec(value: "wool socks", matchType: "PHRASE"), KeywordSpec(value: "cheap socks", matchType: "EXACT_NEGATIVE")]
        try params("ad_groups.update", "id only", UpdateAdGroupRequest(id: 1))
        try params(
            "ad_groups.update", "every field",
            UpdateAdGroupRequest(
                id: 1, name: "Lookalikes", status: "ACTIVE", budgetInMicroCurrency: 30_000_000, bidInMicroCurrency: .set(1_200_000),
                bidStrategyType: "TARGET_AVG", startTime: t0, endTime: .set(t1), targeting: targeting, autoTargetingEnabled: true,
                optimizationGoal: goal, keywords: keywords))
        try params(
            "ad_groups.update", "clears, no keywords",
            UpdateAdGroupRequest(id: 1, bidInMicroCurrency: .clear, bidStrategyType: "AUTOMATIC_BID", endTime: .clear, keywords: []))
        try params(
            "ad_groups.update", "targeting without a location (refused)",
            UpdateAdGroupRequest(id: 1, targeting: TargetingSpec(genders: ["male"])), valid: false)
        try params("ad_groups.update", "billable_event (refused)", UpdateAdGroupRequest(id: 1, billableEvent: "IMPRESSION"), valid: false)

        try params("ads.update", "id only", UpdateAdRequest(id: 1))
        try params(
            "ads.update", "every field",
            UpdateAdRequest(
                id: 1, name: "Knitwear pin", status: "ARCHIVED", destinationUrl: .set("https://shop.example.com/a?b=c"),
                clickTrackingUrl: .set("https://track.example.com/c"), viewTrackingUrl: .set("http://track.example.com/v")))
        try params("ads.update", "clears", UpdateAdRequest(id: 1, destinationUrl: .clear, clickTrackingUrl: .clear, viewTrackingUrl: .clear))
        try params("ads.update", "an ftp URL (refused)", UpdateAdRequest(id: 1, destinationUrl: .set("ftp://x")), valid: false)

        // Creates and launches: specs with nothing optional, and with every field.
        let minimalAdGroup = AdGroupSpec(name: "Bare", billableEvent: "IMPRESSION", targeting: TargetingSpec(locations: ["US"]))
        let fullAdGroup = AdGroupSpec(
            name: "Lookalikes", budgetInMicroCurrency: 20_000_000, bidInMicroCurrency: 1_500_000, budgetType: "LIFETIME",
            billableEvent: "CLICKTHROUGH", targeting: targeting, startTime: t0, endTime: t1, autoTargetingEnabled: false, status: "PAUSED",
            bidStrategyType: "MAX_BID", optimizationGoal: goal, keywords: keywords)
        let fullAd = AdSpec(
            pinId: "813744226420795884", creativeType: "MAX_WIDTH_VIDEO_COLLECTION", name: "Pin", clickTrackingUrl: "https://t.example.com/c",
            destinationUrl: "https://shop.example.com/", status: "ACTIVE", viewTrackingUrl: "https://t.example.com/v")
        let fullCampaign = CampaignSpec(
            adAccountId: "549755885175", name: "Winter sale", objectiveType: "WEB_CONVERSION", dailySpendCap: 50_000_000, status: "ACTIVE",
            startTime: t0, endTime: t1)
        try params("campaigns.create", "nothing optional", CreateCampaignRequest(campaign: CampaignSpec(name: "C", objectiveType: "AWARENESS")))
        try params("campaigns.create", "every field", CreateCampaignRequest(campaign: fullCampaign, clientRequestId: "winter-sale"))
        try params(
            "campaigns.create", "VIDEO_VIEW, the deprecated alias, in any case",
            CreateCampaignRequest(campaign: CampaignSpec(name: "C", objectiveType: "video_view")))
        try params(
            "campaigns.create", "both caps (refused)",
            CreateCampaignRequest(campaign: CampaignSpec(name: "C", objectiveType: "AWARENESS", dailySpendCap: 1, lifetimeSpendCap: 2)),
            valid: false)
        try params(
            "campaigns.launch", "nothing optional",
            LaunchCampaignRequest(
                campaign: CampaignSpec(name: "C", objectiveType: "AWARENESS"), adGroup: minimalAdGroup, ad: AdSpec(pinId: "1", creativeType: "REGULAR"),
                clientRequestId: "launch-1"))
        try params(
            "campaigns.launch", "every field",
            LaunchCampaignRequest(campaign: fullCampaign, adGroup: fullAdGroup, ad: fullAd, clientRequestId: "launch-2", status: "ACTIVE"))
        try params(
            "ad_groups.create", "no targeting (refused: a location is required)",
            CreateAdGroupRequest(campaignId: 3, adGroup: AdGroupSpec(name: "G", billableEvent: "IMPRESSION")), valid: false)
        try params(
            "ads.create", "a Pin id that is not digits (refused)", CreateAdRequest(adGroupId: 1, ad: AdSpec(pinId: "pin-1", creativeType: "REGULAR")),
            valid: false)

        // conversions.send: the least an event needs, and every field.
        try params(
            "conversions.send", "one event, an email",
            SendConversionsRequest(events: [ConversionEventInput(eventName: "lead", eventId: "lead-1", email: "mia@example.net")]))
        var full = ConversionEventInput(
            eventName: "checkout", eventId: "order-1", eventTime: 1_795_622_531, actionSource: "app_ios", email: "jane@example.com",
            emails: ["j.doe@example.com"], phone: "+1 415 555 0123", hashedMaids: ["38400000-8cf0-11bd-b23e-10b96e40000d"],
            clientIpAddress: "203.0.113.7", clientUserAgent: "Mozilla/5.0", externalId: "user-1", eventSourceUrl: "https://shop.example.com/",
            value: DecimalAmount("49.99"), currency: "usd", orderId: "10482", contentIds: ["sku-1"], numItems: 2,
            contents: [
                ConversionContentInput(
                    id: "sku-1", itemPrice: DecimalAmount(14.99), quantity: 2, itemName: "Tote", itemCategory: "bags", itemBrand: "Shop"),
                ConversionContentInput(),
            ])
        full.optOut = false
        full.partnerName = "ss-shopify"
        full.language = "en"
        full.appId = "com.example.shop"
        full.appName = "Shop"
        full.appVersion = "2.1"
        full.deviceBrand = "Apple"
        full.deviceCarrier = "Carrier"
        full.deviceModel = "iPhone15,2"
        full.deviceType = "phone"
        full.osVersion = "18.1"
        full.wifi = true
        full.appInfo = ["app_id": "com.example.shop", "install_time": 1_795_000_000, "window_width": 1170]
        full.deviceInfo = ["brand": "Apple", "os_family": "ios", "languages": ["en", "fr"], "battery_level": 80]
        full.phones = ["+44 20 7946 0958"]
        full.externalId = OneOrMore(["user-1", "crm-7"])
        full.fn = "Jane"
        full.ln = OneOrMore(["Doe"])
        full.ge = "f"
        full.db = "19900101"
        full.ct = "San Francisco"
        full.st = "ca"
        full.zp = "94107"
        full.country = "us"
        full.clickId = "dj0yJnU9b0xGOVNfZWtuS0I"
        full.partnerId = "partner-1"
        full.contentName = "Tote"
        full.contentCategory = "bags"
        full.contentBrand = "Shop"
        full.searchString = "tote"
        full.predictedLtv = DecimalAmount(120)
        full.optOutType = "LDP"
        full.np = "np"
        full.externalMeasurementId = "m-1"
        full.externalMeasurementVendorId = 7
        try params(
            "conversions.send", "every field, test, an ad account",
            SendConversionsRequest(
                adAccountId: "549755885175", test: true,
                events: [
                    full,
                    ConversionEventInput(eventName: "add_to_cart", eventId: "cart-1", clientIpAddress: "198.51.100.24", clientUserAgent: "UA"),
                    ConversionEventInput(eventName: "signup", eventId: "signup-1", hashedMaids: ["38400000-8CF0-11BD-B23E-10B96E40000D"]),
                ]))
        try params(
            "conversions.send", "an event that says who with an IP address only (refused)",
            SendConversionsRequest(events: [ConversionEventInput(eventName: "lead", eventId: "lead-2", clientIpAddress: "203.0.113.9")]),
            valid: false)
        raw("conversions.send", "no events (refused)", #"{"events":[]}"#, valid: false)
        raw(
            "conversions.send", "Pinterest's shape",
            #"{"events":[{"event_name":"checkout","event_id":"o-1","user_data":{"em":["a@example.com"],"ph":["+1 415 555 0123"]},"custom_data":{"value":"49.99","currency":"USD","contents":[{"id":"s","quantity":1}]}}]}"#,
            valid: true)
        raw(
            "conversions.send", "shapes mixed (refused)",
            #"{"events":[{"event_name":"checkout","event_id":"o-1","user_data":{"em":["a@example.com"]},"value":49.99}]}"#, valid: false)

        // campaigns.get: a tracked campaign with nothing optional, and one with everything.
        let reading = PinterestReading(
            status: "ACTIVE", summaryStatus: "RUNNING", reviewStatus: "REJECTED", rejectedReasons: ["LANDING_PAGE_BROKEN"], readAt: t0)
        let update = UpdateInfo(
            id: 6, state: .refused, changes: ["daily_spend_cap": 80_000_000, "lifetime_spend_cap": nil],
            error: BuildError(message: "refused", pinterestCode: 2708), createdAt: t0, appliedAt: t1)
        let drift = [Drift(field: "daily_spend_cap", pinads: 50_000_000, pinterest: 80_000_000), Drift(field: "end_time", pinads: nil, pinterest: "2027-01-06T00:00:00.000Z")]
        try result(
            "campaigns.get", "a tracked campaign, nothing optional",
            CampaignDetail(
                campaign: CampaignInfo(
                    id: 1, adAccountId: "549755885175", spec: nil, pinterestId: nil, state: .pending, error: nil, pinterestStatus: nil, tracked: true,
                    clientRequestId: nil, createdAt: t0, updatedAt: t0),
                adGroups: [], ads: []))
        try result(
            "campaigns.get", "every field",
            CampaignDetail(
                campaign: CampaignInfo(
                    id: 3, adAccountId: "549755885175",
                    spec: CampaignSpec(
                        adAccountId: "549755885175", name: "Winter sale", objectiveType: "WEB_CONVERSION", dailySpendCap: 50_000_000,
                        lifetimeSpendCap: 900_000_000, status: "ACTIVE", startTime: t0, endTime: t1),
                    pinterestId: "626735565838031676", state: .error, error: BuildError(message: "refused", pinterestCode: nil),
                    pinterestStatus: "RUNNING", tracked: true, clientRequestId: "winter-sale", createdAt: t0, updatedAt: t1, pinterest: reading,
                    drift: drift, latestUpdate: update),
                adGroups: [
                    AdGroupInfo(
                        id: 1, campaignId: 3,
                        spec: AdGroupSpec(
                            name: "Lookalikes", budgetInMicroCurrency: 20_000_000, bidInMicroCurrency: 1_500_000, budgetType: "DAILY",
                            billableEvent: "CLICKTHROUGH", targeting: targeting, startTime: t0, endTime: t1, autoTargetingEnabled: false,
                            status: "ACTIVE", bidStrategyType: "MAX_BID", optimizationGoal: goal, keywords: keywords),
                        pinterestId: "2680059592705043", state: .created, error: nil, createdAt: t0, updatedAt: t1,
                        keywords: [KeywordInfo(value: "wool socks", matchType: "PHRASE", pinterestId: "1"), KeywordInfo(value: "x", matchType: "BROAD", pinterestId: nil)],
                        madeElsewhere: true, pinterest: reading, drift: drift, latestUpdate: update),
                    AdGroupInfo(
                        id: 2, campaignId: 3, spec: AdGroupSpec(name: "Bare", billableEvent: "IMPRESSION"), pinterestId: nil, state: .pending,
                        error: nil, createdAt: t0, updatedAt: t0),
                ],
                ads: [
                    AdInfo(
                        id: 1, adGroupId: 1,
                        spec: AdSpec(
                            pinId: "813744226420795884", creativeType: "REGULAR", name: "Pin", clickTrackingUrl: "https://t.example.com/c",
                            destinationUrl: "https://shop.example.com/", status: "PAUSED", viewTrackingUrl: "https://t.example.com/v"),
                        pinterestId: "687195905986", state: .created, error: nil, createdAt: t0, updatedAt: t1, madeElsewhere: false,
                        pinterest: reading, drift: drift, latestUpdate: update),
                    AdInfo(
                        id: 2, adGroupId: 2, spec: AdSpec(pinId: "1", creativeType: "VIDEO"), pinterestId: nil, state: .error,
                        error: BuildError(message: "no", pinterestCode: 2708), createdAt: t0, updatedAt: t0),
                ]))

        // system.status: nothing optional, and everything.
        let jobs = Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0.rawValue, 0) })
        try result(
            "system.status", "nothing optional",
            StatusResult(
                version: PinAdsVersion.current, pid: 1, startedAt: t0, uptimeS: 0, socketPath: "/tmp/pinads-1000/pinadsd.sock",
                stateDir: "/tmp/state", pinterestAPIBaseURL: "http://127.0.0.1:8787/v5", jobs: jobs,
                connections: ConnectionsSummary(open: 0, requestsInFlight: 0, acceptedTotal: 0, refusedTotal: 0), pinterestConnections: [],
                services: []))
        try result(
            "system.status", "every field",
            StatusResult(
                version: PinAdsVersion.current, pid: 48213, startedAt: t0, uptimeS: 3600.25, socketPath: "/run/user/1000/pinads/pinadsd.sock",
                stateDir: "/home/ana/.local/state/pinads", pinterestAPIBaseURL: "https://api.pinterest.com/v5",
                jobs: jobs.merging(["running": 1, "succeeded": 38]) { $1 },
                connections: ConnectionsSummary(
                    open: 2, requestsInFlight: 1, acceptedTotal: 117, refusedTotal: 3, bufferedBytes: 512, bufferedBytesPeak: 18_874_368,
                    bufferedBytesLimit: 268_435_456, deniedTotal: 4),
                pinterestConnections: [
                    PinterestConnectionStatus(id: 1, name: "shop", status: "active", statusReason: nil, needsReconnect: false),
                    PinterestConnectionStatus(id: 3, name: nil, status: "unauthorized", statusReason: "refused", needsReconnect: true),
                ],
                services: [ServiceStatus(name: "control_server", state: "running", detail: "listening"), ServiceStatus(name: "job_workers", state: "starting")]))

        // system.health: an unreadable store, and a problem.
        try result(
            "system.health", "unavailable, no size",
            HealthResult(
                status: "unavailable", version: PinAdsVersion.current, protocolVersion: ProtocolVersion.current, uptimeS: 1.5,
                store: StoreHealth(status: "error", path: "/p", schemaVersion: 0, sizeBytes: nil, error: "disk I/O error"),
                problems: [HealthProblemInfo(code: "store_unreadable", object: HealthObject(kind: "store", id: "/p"), message: "m", fix: "f")]))

        // system.methods and system.whoami: roles absent (older daemons) and present.
        try result(
            "system.methods", "with and without roles",
            ListMethodsResult(
                protocolVersion: ProtocolVersion.current,
                methods: [MethodInfo(name: "system.health", streaming: false), MethodInfo(name: "jobs.watch", streaming: true, role: .client)]))
        try result("system.whoami", "no granted_by", WhoAmIResult(uid: 1000, gid: 1000, role: .owner))
        try result("system.whoami", "granted by a group", WhoAmIResult(uid: 33, gid: 33, role: .admin, grantedBy: "group 33"))

        // A job with every optional field.
        try result(
            "jobs.get", "every field",
            JobResult(
                job: Job(
                    id: 41, kind: "system.selftest", state: .waiting, attempts: 1, maxAttempts: 4, payload: ["steps": 3], result: ["steps": 3],
                    lastError: "planned failure", progress: JobProgress(done: 2, total: 3, message: "step 2 of 3"), nextRunAt: t1,
                    cancelRequested: true, createdAt: t0, updatedAt: t0, startedAt: t0, finishedAt: t1, blockedOn: "connection:3")))
        return checks
    }

    // MARK: - Helpers

    static func json(_ url: URL) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: url))
    }

    static func json(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// The names of a method's Swift types, as index.json and the method's file give them.
    static func swiftNames<R: PinAdsRequest>(_ type: R.Type) -> JSONValue {
        var names: [String: JSONValue] = ["params": .string(String(describing: R.self)), "result": .string(String(describing: R.Result.self))]
        if let streaming = type as? any PinAdsStreamingRequest.Type {
            names["event"] = .string(eventName(streaming))
        }
        return .object(names)
    }

    private static func eventName<R: PinAdsStreamingRequest>(_ type: R.Type) -> String { String(describing: R.Event.self) }

    /// A response file's frames: the file itself, or each element of a stream's array.
    static func frames(_ data: Data) throws -> [Data] {
        guard case .array(let frames) = try json(data) else { return [data] }
        return try frames.map { try JSONEncoder().encode($0) }
    }

    static func reencodeRequest<R: PinAdsRequest>(_ type: R.Type, _ data: Data) throws -> Data {
        try Wire.encoder().encode(try Wire.decoder().decode(RequestEnvelope<R>.self, from: data))
    }

    static func reencodeResponse<R: PinAdsRequest>(_ type: R.Type, _ frame: Data) throws -> Data {
        if try json(frame)["event"] != nil, let streaming = type as? any PinAdsStreamingRequest.Type {
            return try reencodeEvent(streaming, frame)
        }
        return try Wire.encoder().encode(try Wire.decoder().decode(ResponseFrame<R.Result, Empty>.self, from: frame))
    }

    private static func reencodeEvent<R: PinAdsStreamingRequest>(_ type: R.Type, _ frame: Data) throws -> Data {
        try Wire.encoder().encode(try Wire.decoder().decode(ResponseFrame<Empty, R.Event>.self, from: frame))
    }

    /// For conversions.send's example request: the events its response rejects, by index.
    static func rejectedEvents(ofRequest path: String) throws -> [Int: String] {
        guard path.hasSuffix("\(SendConversionsRequest.method).request.json") else { return [:] }
        let response = examples.appendingPathComponent(path.replacingOccurrences(of: ".request.json", with: ".response.json"))
        guard FileManager.default.fileExists(atPath: response.path), case .array(let rejected)? = try json(response)["result"]?["rejected"]
        else { return [:] }
        var out: [Int: String] = [:]
        for entry in rejected {
            if let index = entry["index"]?.intValue, let reason = entry["reason"]?.stringValue { out[Int(index)] = reason }
        }
        return out
    }

    /// Runs contrib/schema/validate.py once over every check; its exit status and report.
    static func runValidator(_ checks: [Check]) async throws -> (Int32, String) {
        let folder = NSTemporaryDirectory() + "pinads-schema-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var batch = Data("[".utf8)
        for (n, check) in checks.enumerated() {
            if n > 0 { batch.append(contentsOf: Array(",\n".utf8)) }
            let head = try JSONEncoder().encode(["schema": check.schema, "label": check.label, "expect": check.expectValid ? "valid" : "invalid"])
            batch.append(head.dropLast())  // without its closing brace
            batch.append(contentsOf: Array(#","closed":\#(check.closed),"instance":"#.utf8))
            batch.append(check.instance)
            batch.append(contentsOf: Array("}".utf8))
        }
        batch.append(contentsOf: Array("]".utf8))
        let input = folder + "/checks.json"
        try batch.write(to: URL(fileURLWithPath: input))

        let output = folder + "/report.txt"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [validator, "--schema-dir", schema.path, input]
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            process.terminate()
            return (-1, "validate.py did not finish within 120 s")
        }
        return (process.terminationStatus, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }
}

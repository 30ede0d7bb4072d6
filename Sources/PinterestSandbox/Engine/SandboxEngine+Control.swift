/// The control API under `/_sandbox` (JSON in and out, no authentication). It mirrors the
/// Swift API of ``PinterestSandbox`` so other processes can drive a standalone sandbox.
extension SandboxEngine {
    func handleControl(_ request: SandboxRequest) -> SandboxResponse {
        let path = request.path.hasSuffix("/") && request.path.count > 1 ? String(request.path.dropLast()) : request.path
        let routes: [String: [String: (SandboxRequest) throws(APIError) -> JSONValue]] = [
            "/_sandbox/tokens": ["POST": controlSeedToken],
            "/_sandbox/tokens/revoke": ["POST": controlRevoke],
            "/_sandbox/codes": ["POST": controlMintCode],
            "/_sandbox/authorizer": ["POST": controlSetAuthorizer, "GET": controlAuthorizer],
            "/_sandbox/faults": ["POST": controlInjectFault, "DELETE": controlClearFaults, "GET": controlListFaults],
            "/_sandbox/stats": ["GET": { _ throws(APIError) in SandboxEngine.statsJSON(self.stats()) }],
            "/_sandbox/customer_lists": ["GET": controlCustomerLists],
            "/_sandbox/events/seen": ["POST": controlEventsSeen],
            "/_sandbox/events/refuse": ["POST": controlRefuseEvents],
            "/_sandbox/ads/review": ["POST": controlReviewAd],
            "/_sandbox/conversion_tags": ["POST": controlSeedConversionTag],
            "/_sandbox/clock": ["POST": controlAdvanceClock, "GET": controlClock],
            "/_sandbox/reset": ["POST": { _ throws(APIError) in self.reset(); return [:] }],
            "/_sandbox/health": ["GET": { _ throws(APIError) in ["status": "ok"] }],
        ]
        guard let methods = routes[path] else {
            return APIError(status: 404, code: 2, message: "No control endpoint at \(path).").response
        }
        guard let handler = methods[request.method] else {
            let allowed = methods.keys.sorted()
            return APIError(
                status: 405, code: 1, message: "Use \(allowed.joined(separator: " or ")) on \(path).",
                headers: [(name: "allow", value: allowed.joined(separator: ", "))]
            ).response
        }
        do {
            return .json(200, try handler(request))
        } catch {
            return error.response
        }
    }

    /// The control body as an object; an empty body is an empty object.
    func controlBody(_ request: SandboxRequest) throws(APIError) -> JSONObject {
        if request.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return JSONObject() }
        let value: JSONValue
        do { value = try JSONValue.parse(request.body) } catch { throw .malformedJSON(error) }
        guard let object = value.objectValue else { throw .invalidParameters("the body must be a JSON object.") }
        return object
    }

    func integer(_ object: JSONObject, _ key: String, range: ClosedRange<Int64>) throws(APIError) -> Int? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let number = value.intValue, range.contains(number) else {
            throw .invalidParameters("\(key) must be an integer in \(range.lowerBound)...\(range.upperBound).")
        }
        return Int(number)
    }

    private func controlRevoke(_ request: SandboxRequest) throws(APIError) -> JSONValue {
        let body = try controlBody(request)
        guard let token = body["token"]?.stringValue, !token.isEmpty else {
            throw .invalidParameters("token is required.")
        }
        guard revoke(token: token) else { throw .notFound("Token") }
        return [:]
    }

    private func controlMintCode(_ request: SandboxRequest) throws(APIError) -> JSONValue {
        let body = try controlBody(request)
        let code = mintAuthorizationCode(
            adAccounts: try integer(body, "ad_accounts", range: 0...10_000) ?? 2,
            redirectURI: body["redirect_uri"]?.stringValue)
        return ["code": .string(code)]
    }

    private func controlInjectFault(_ request: SandboxRequest) throws(APIError) -> JSONValue {
        let body = try controlBody(request)
        let kinds = SandboxFault.Kind.allCases.map(\.rawValue)
        let kindText: String? =
            switch body["kind"] {
            case .string(let text)?: text
            case .int(let number)?: String(number)
            default: nil
            }
        guard let kindText, let kind = SandboxFault.Kind(rawValue: kindText) else {
            throw .invalidParameters("kind must be one of \(kinds.joined(separator: ", ")).")
        }
        let count = try integer(body, "count", range: 1...1_000_000) ?? 1
        var pathContains: String? = nil
        if let value = body["path_contains"], !value.isNull {
            guard let text = value.stringValue else { throw .invalidParameters("path_contains must be a string.") }
            pathContains = text
        }
        let latency = try integer(body, "latency_ms", range: 0...600_000) ?? 0
        if kind == .latency, latency == 0 { throw .invalidParameters("latency_ms is required for kind latency.") }
        var probability = 1.0
        switch body["probability"] {
        case nil, .null?: break
        case .double(let p)? where p > 0 && p <= 1: probability = p
        case .int(1)?: break
        default: throw .invalidParameters("probability must be a number above 0 and at most 1.")
        }
        inject(SandboxFault(kind, count: count, pathContains: pathContains, latencyMilliseconds: latency, probability: probability))
        return [:]
    }

    private func controlClearFaults(_ request: SandboxRequest) throws(APIError) -> JSONValue {
        clearFaults()
        return [:]
    }

    private func controlListFaults(_ request: SandboxRequest) throws(APIError) -> JSONValue {
        let faults = state.withLockedValue { $0.faults }
        return [
            "faults": .array(
                faults.map { fault in
                    [
                        "kind": .string(fault.kind.rawValue),
                        "count": JSONValue(fault.count),
                        "path_contains": JSONValue(fault.pathContains),
                        "latency_ms": JSONValue(fault.latencyMilliseconds),
                        "probability": .double(fault.probability),
                    ]
                })
        ]
    }

    /// `GET /_sandbox/customer_lists[?ad_account_id=ID][&records=true]`.
    /// `{"ad_account_id", "event_name", "event_ids": [...]}` → how many of those events were
    /// recorded (not test, not offline), and the first 100 that were not.
    /// `{"count": N, "message": "…"}`: the next N real events that pass every check are refused
    /// one by one with that `error_message`, as Pinterest refuses events for reasons a client
    /// cannot check. `{"count": 0}` ends it.
    private func controlRefuseEvents(_ request: SandboxRequest) throws(APIError) -> JSONValue {
        let body = try controlBody(request)
        let count = try integer(body, "count", range: 0...1_000_000) ?? 1
        let message = body["message"]?.stringValue ?? "The event was refused."
        refuseEvents(count: count, message: message)
        return [:]
    }

    /// See `POST /_sandbox/events/refuse`.
    func refuseEvents(count: Int, message: String) {
        state.withLockedValue { $0.eventRefusals = count > 0 ? (count, message) : nil }
    }

    private func controlEventsSeen(_ request: SandboxRequest) throws(APIError) -> JSONValue {
        let body = try controlBody(request)
        guard case .string(let account)? = body["ad_account_id"], case .string(let name)? = body["event_name"],
            case .array(let values)? = body["event_ids"]
        else {
            throw .invalidParameters("ad_account_id and event_name (strings) and event_ids (an array of strings) are required.")
        }
        let ids = values.compactMap(\.stringValue)
        let missing: [String] = state.withLockedValue { state in
            ids.filter { state.eventSightings[account + "\u{1F}" + name + "\u{1F}" + $0] == nil }
        }
        return ["seen": JSONValue(ids.count - missing.count), "missing_count": JSONValue(missing.count), "missing": JSONValue(strings: Array(missing.prefix(100)))]
    }

    private func controlCustomerLists(_ request: SandboxRequest) throws(APIError) -> JSONValue {
        let query = QueryParameters(request.queryItems)
        let withRecords: Bool
        do { withRecords = try query.boolean("records") ?? false } catch { throw .invalidParameters(error.detail) }
        let lists = customerLists(adAccountID: query.value("ad_account_id"))
        return ["items": .array(lists.map { SandboxEngine.customerListJSON($0, withRecords: withRecords) })]
    }

    static func customerListJSON(_ list: SandboxCustomerList, withRecords: Bool) -> JSONValue {
        var object = JSONObject([
            "id": .string(list.id),
            "ad_account_id": .string(list.adAccountID),
            "name": .string(list.name),
            "list_type": .string(list.listType),
            "record_count": JSONValue(list.recordCount),
            "matched": JSONValue(list.matched),
            "num_batches": JSONValue(list.numBatches),
            "num_uploaded_user_records": JSONValue(list.numUploadedUserRecords),
            "num_removed_user_records": JSONValue(list.numRemovedUserRecords),
            "status": .string(list.status),
            "records_digest": .string(list.recordsDigest),
        ])
        if withRecords { object["records"] = JSONValue(strings: list.records) }
        return .object(object)
    }

    private func controlAdvanceClock(_ request: SandboxRequest) throws(APIError) -> JSONValue {
        let body = try controlBody(request)
        guard let seconds = try integer(body, "advance_s", range: 0...Int64(Int32.max)) else {
            throw .invalidParameters("advance_s is required (seconds, >= 0).")
        }
        advanceClock(by: seconds)
        return try controlClock(request)
    }

    private func controlClock(_ request: SandboxRequest) throws(APIError) -> JSONValue {
        let (now, offset) = state.withLockedValue { ($0.now, $0.clockOffset) }
        return ["now": .int(now), "offset_s": .int(offset)]
    }

    // MARK: Operations shared with the Swift API

    func seedToken(adAccounts: Int, accessExpiresIn: Int?, refreshExpiresIn: Int?) -> SeededToken {
        state.withLockedValue {
            $0.seedToken(adAccounts: adAccounts, accessExpiresIn: accessExpiresIn, refreshExpiresIn: refreshExpiresIn)
        }
    }

    func seed(_ seed: SandboxState.Seed) throws(SandboxControlError) -> SeededToken {
        try state.withLockedValue { state in
            Result { () throws(SandboxControlError) -> SeededToken in try state.seed(seed) }
        }.get()
    }

    func setAuthorizer(_ authorizer: SandboxAuthorizer) throws(SandboxControlError) {
        try state.withLockedValue { state in
            Result { () throws(SandboxControlError) in try state.setAuthorizer(authorizer) }
        }.get()
    }

    var authorizer: SandboxAuthorizer { state.withLockedValue { $0.authorizer } }

    func revoke(token: String) -> Bool {
        state.withLockedValue { $0.revoke(token: token) }
    }

    func mintConversionToken(forAccessToken accessToken: String) -> String? {
        state.withLockedValue { state in
            state.userOfValidAccessToken(accessToken).map { state.mintConversionToken(userID: $0) }
        }
    }

    func mintAuthorizationCode(adAccounts: Int, redirectURI: String?) -> String {
        let code = SandboxState.randomToken(prefix: "sandbox-minted-", length: 24)
        state.withLockedValue {
            $0.authorizationCodes[code] = AuthorizationCodeRecord(
                grantee: .newUser(adAccounts: max(0, adAccounts), currency: "USD"), redirectURI: redirectURI)
        }
        return code
    }

    func inject(_ fault: SandboxFault) {
        guard fault.count > 0 else { return }
        state.withLockedValue { $0.faults.append(fault) }
    }

    func clearFaults() {
        state.withLockedValue { $0.faults.removeAll() }
    }

    func advanceClock(by seconds: Int) {
        state.withLockedValue { $0.clockOffset += Int64(max(0, seconds)) }
    }

    func reset() {
        state.withLockedValue { $0.reset() }
    }

    /// Every customer list (of one ad account when `adAccountID` is given), sorted by id. The
    /// records are copied under the lock (copy-on-write, so cheaply); sorting and hashing them
    /// happen outside it.
    func customerLists(adAccountID: String?) -> [SandboxCustomerList] {
        struct Snapshot {
            var list: CustomerListRecord
            var status: String
        }
        let snapshots: [Snapshot] = state.withLockedValue { state in
            state.customerLists.values
                .filter { adAccountID == nil || $0.adAccountID == adAccountID }
                .map { Snapshot(list: $0, status: state.customerListStatus($0)) }
        }
        return snapshots
            .sorted { ($0.list.id.utf8.count, $0.list.id) < ($1.list.id.utf8.count, $1.list.id) }
            .map { snapshot in
                let list = snapshot.list
                let records = SandboxCustomerList.sortedByBytes(list.records)
                return SandboxCustomerList(
                    id: list.id, adAccountID: list.adAccountID, name: list.name, listType: list.listType,
                    recordCount: records.count, matched: list.matched, numBatches: list.batches,
                    numUploadedUserRecords: list.uploaded, numRemovedUserRecords: list.removed,
                    status: snapshot.status, recordsDigest: SandboxCustomerList.digest(ofSortedRecords: records),
                    records: records)
            }
    }

    func stats() -> SandboxStats {
        state.withLockedValue { $0.currentStats }
    }

    static func statsJSON(_ stats: SandboxStats) -> JSONValue {
        var byOperation = JSONObject()
        for (operation, count) in stats.byOperation.sorted(by: { $0.key < $1.key }) {
            byOperation[operation] = JSONValue(count)
        }
        var byStatus = JSONObject()
        for (status, count) in stats.byStatus.sorted(by: { $0.key < $1.key }) {
            byStatus[String(status)] = JSONValue(count)
        }
        return [
            "requests_total": JSONValue(stats.requestsTotal),
            "by_operation": .object(byOperation),
            "by_status": .object(byStatus),
            "max_requests_in_any_second": JSONValue(stats.maxRequestsInAnySecond),
            "tcp_connections_total": JSONValue(stats.tcpConnectionsTotal),
            "tcp_connections_open": JSONValue(stats.tcpConnectionsOpen),
            "events_received": JSONValue(stats.eventsReceived),
            "events_processed": JSONValue(stats.eventsProcessed),
            "events_deduplicated": JSONValue(stats.eventsDeduplicated),
            "test_events_received": JSONValue(stats.testEventsReceived),
            "customer_list_records_received": JSONValue(stats.customerListRecordsReceived),
            "customer_lists": JSONValue(stats.customerLists),
            "audiences": JSONValue(stats.audiences),
            "campaigns": JSONValue(stats.campaigns),
            "ad_groups": JSONValue(stats.adGroups),
            "ads": JSONValue(stats.ads),
            "conversion_tags": JSONValue(stats.conversionTags),
            "keywords": JSONValue(stats.keywords),
        ]
    }
}

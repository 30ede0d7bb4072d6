import Foundation

extension SandboxState {
    static let listTypes: Set<String> = ["EMAIL", "IDFA", "MAID", "LR_ID", "DLX_ID", "HASHED_PINNER_ID"]

    /// A `records` string split, trimmed and classified, with each record's match decision:
    /// pure work done before the state lock is taken. Which records are acceptable depends on the
    /// list type, checked by ``validate(for:)``.
    struct PreparedRecords: Sendable {
        var records: [String] = []
        var matches: [Bool] = []
        /// First record that is empty.
        var firstEmpty: Int?
        /// First record that is neither a lowercase email nor a lowercase hex hash.
        var firstNotEmailOrHash: Int?
        /// First record that is not a lowercase hex hash.
        var firstNotHash: Int?

        /// EMAIL lists take lowercase plain emails or lowercase MD5/SHA-1/SHA-256 hex (hashed
        /// MAIDs and IDFAs may be mixed in); IDFA and MAID lists take hashes only; the other
        /// types take any non-empty text.
        func validate(for listType: String) throws(APIError) {
            if records.count == 1, firstEmpty == 0 {
                throw .invalidParameters("records must contain at least one record.")
            }
            if let index = firstEmpty { throw .invalidParameters("records[\(index)] is empty.") }
            switch listType {
            case "EMAIL":
                if let index = firstNotEmailOrHash {
                    throw .invalidParameters(
                        "records[\(index)] is neither a lowercase email nor a lowercase MD5/SHA-1/SHA-256 hex hash "
                            + "(MAIDs and IDFAs must be hashed).")
                }
            case "IDFA", "MAID":
                if let index = firstNotHash {
                    throw .invalidParameters(
                        "records[\(index)] must be a lowercase MD5/SHA-1/SHA-256 hex hash for \(listType) lists.")
                }
            default:
                break
            }
        }
    }

    static func prepareRecords(_ text: String, matchRate: Double) -> PreparedRecords {
        var prepared = PreparedRecords()
        for (index, part) in text.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let record = part.trimmingCharacters(in: .whitespaces)
            prepared.records.append(record)
            prepared.matches.append(recordMatches(record, rate: matchRate))
            if record.isEmpty {
                if prepared.firstEmpty == nil { prepared.firstEmpty = index }
                continue
            }
            let isHash = isLowercaseHash(record)
            if !isHash, prepared.firstNotHash == nil { prepared.firstNotHash = index }
            if !isHash, prepared.firstNotEmailOrHash == nil, !isLowercaseEmail(record) {
                prepared.firstNotEmailOrHash = index
            }
        }
        return prepared
    }

    /// 32, 40 or 64 lowercase hex digits (MD5, SHA-1, SHA-256).
    static func isLowercaseHash(_ text: String) -> Bool {
        [32, 40, 64].contains(text.utf8.count) && isLowercaseHex(text)
    }

    static func isLowercaseHex(_ text: String) -> Bool {
        text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    static func isLowercaseEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
            !parts[1].hasSuffix(".")
        else { return false }
        return text.unicodeScalars.allSatisfy { !$0.properties.isUppercase && !$0.properties.isWhitespace }
    }

    /// Whether a record matches a Pinterest user: a fixed function of the record text, so the same
    /// record always gives the same answer, with about `matchRate` of all records matching.
    static func recordMatches(_ record: String, rate: Double) -> Bool {
        let rate = max(0, min(1, rate))
        return Double(Hashing.fnv1a(record) % 1_000_000) < rate * 1_000_000
    }

    func customerListStatus(_ list: CustomerListRecord) -> String {
        if configuration.customerListProcessingSeconds > 0,
            now < list.updatedAt + Int64(configuration.customerListProcessingSeconds)
        {
            return "PROCESSING"
        }
        return list.matched >= 100 ? "READY" : "TOO_SMALL"
    }

    func customerListJSON(_ list: CustomerListRecord) -> JSONValue {
        [
            "id": .string(list.id),
            "ad_account_id": .string(list.adAccountID),
            "name": .string(list.name),
            "created_time": .int(list.createdAt),
            "updated_time": .int(list.updatedAt),
            "num_batches": JSONValue(list.batches),
            "num_uploaded_user_records": JSONValue(list.uploaded),
            "num_removed_user_records": JSONValue(list.removed),
            "status": .string(customerListStatus(list)),
            "type": "customerlist",
            "exceptions": .object(JSONObject()),
        ]
    }

    func customerList(_ id: String?, in account: AdAccountRecord) throws(APIError) -> CustomerListRecord {
        guard let id, let list = customerLists[id], list.adAccountID == account.id else {
            throw .notFound("Customer list")
        }
        return list
    }

    mutating func apply(records prepared: PreparedRecords, adding: Bool, to list: inout CustomerListRecord) {
        let records = prepared.records
        stats.customerListRecordsReceived += records.count
        list.batches += 1
        list.updatedAt = now
        if adding {
            list.uploaded += records.count
            for (record, matches) in zip(records, prepared.matches) where list.records.insert(record).inserted {
                if matches { list.matched += 1 }
            }
        } else {
            list.removed += records.count
            for (record, matches) in zip(records, prepared.matches) where list.records.remove(record) != nil {
                if matches { list.matched -= 1 }
            }
        }
    }

    /// The call's records, prepared before the lock when the engine could, otherwise now.
    func records(_ text: String, of call: OperationRequest, listType: String) throws(APIError) -> PreparedRecords {
        let prepared = call.preparedRecords ?? SandboxState.prepareRecords(text, matchRate: configuration.matchRate)
        try prepared.validate(for: listType)
        return prepared
    }

    /// `POST /v5/ad_accounts/{id}/customer_lists` (`CustomerListRequest`).
    mutating func customerListsCreate(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        let body = try call.bodyObject()
        guard let name = body["name"]?.stringValue, !name.isEmpty else {
            throw .invalidParameters("name is required and must be a non-empty string.")
        }
        guard let recordsText = body["records"]?.stringValue else {
            throw .invalidParameters("records is required and must be one comma-separated string.")
        }
        var listType = "EMAIL"
        if let value = body["list_type"] {
            guard let type = value.stringValue, SandboxState.listTypes.contains(type) else {
                throw .invalidParameters(
                    "list_type must be one of \(SandboxState.listTypes.sorted().joined(separator: ", ")).")
            }
            listType = type
        }
        let records = try records(recordsText, of: call, listType: listType)
        let created = now
        var list = CustomerListRecord(
            id: mintID(.customerList), adAccountID: account.id, name: name, listType: listType, createdAt: created,
            updatedAt: created)
        apply(records: records, adding: true, to: &list)
        customerLists[list.id] = list
        index(list.id, kind: .customerList, account: account.id)
        return .json(200, customerListJSON(list))
    }

    /// `PATCH /v5/ad_accounts/{id}/customer_lists/{list_id}` with `{operation_type, records}`.
    mutating func customerListsUpdate(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        var list = try customerList(call.route.resourceID, in: account)
        let body = try call.bodyObject()
        guard let operation = body["operation_type"]?.stringValue, operation == "ADD" || operation == "REMOVE" else {
            throw .invalidParameters("operation_type is required and must be ADD or REMOVE.")
        }
        guard let recordsText = body["records"]?.stringValue else {
            throw .invalidParameters("records is required and must be one comma-separated string.")
        }
        let records = try records(recordsText, of: call, listType: list.listType)
        apply(records: records, adding: operation == "ADD", to: &list)
        customerLists[list.id] = list
        return .json(200, customerListJSON(list))
    }

    func customerListsGet(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        return .json(200, customerListJSON(try customerList(call.route.resourceID, in: account)))
    }

    func customerListsList(_ call: OperationRequest) throws(APIError) -> SandboxResponse {
        let account = try account(call.route.adAccountID, for: call.userID)
        let pageRequest: PageRequest
        do { pageRequest = try PageRequest(call.query) } catch { throw .invalidParameters(error.detail) }
        let (page, bookmark) = pageRequest.page(of: ids(.customerList, account: account.id))
        return listResponse(page.compactMap { customerLists[$0].map(customerListJSON) }, bookmark: bookmark)
    }
}

/// `list_type` of a customer list.
public enum CustomerListType: String, Codable, Sendable, CaseIterable {
    case email = "EMAIL", idfa = "IDFA", maid = "MAID", lrID = "LR_ID", dlxID = "DLX_ID", hashedPinnerID = "HASHED_PINNER_ID"
}

/// Body of `customer_lists/create`.
public struct CustomerListCreate: Encodable, Sendable {
    public var name: String
    /// One comma-separated string, as the API takes it.
    public var records: String
    public var listType: CustomerListType?

    public init(name: String, records: [String], listType: CustomerListType? = nil) {
        self.name = name
        self.records = records.joined(separator: ",")
        self.listType = listType
    }

    enum CodingKeys: String, CodingKey {
        case name, records
        case listType = "list_type"
    }
}

/// `operation_type` of `customer_lists/update`.
public enum CustomerListOperation: String, Codable, Sendable {
    case add = "ADD", remove = "REMOVE"
}

struct CustomerListUpdate: Encodable {
    var operationType: CustomerListOperation
    var records: String

    enum CodingKeys: String, CodingKey {
        case records
        case operationType = "operation_type"
    }
}

/// A customer list as Pinterest reports it.
public struct CustomerList: Decodable, Sendable, Equatable {
    public var id: String
    public var name: String?
    public var adAccountID: String?
    public var createdTime: Double?
    public var updatedTime: Double?
    public var numBatches: Int?
    public var numUploadedUserRecords: Int?
    public var numRemovedUserRecords: Int?
    /// PROCESSING, READY, TOO_SMALL or UPLOADING (kept as text: new values may come).
    public var status: String?
    public var type: String?

    enum CodingKeys: String, CodingKey {
        case id, name, status, type
        case adAccountID = "ad_account_id"
        case createdTime = "created_time"
        case updatedTime = "updated_time"
        case numBatches = "num_batches"
        case numUploadedUserRecords = "num_uploaded_user_records"
        case numRemovedUserRecords = "num_removed_user_records"
    }
}

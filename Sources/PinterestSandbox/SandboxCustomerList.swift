/// What the sandbox holds for one customer list: the content of one item of
/// `GET /_sandbox/customer_lists`. Lets a test check what actually landed, which Pinterest's own
/// API does not show (it has no way to read a list's records back).
public struct SandboxCustomerList: Sendable, Equatable {
    public var id: String
    public var adAccountID: String
    public var name: String
    /// `EMAIL`, `IDFA`, `MAID`, `LR_ID`, `DLX_ID` or `HASHED_PINNER_ID`, as given at creation.
    public var listType: String
    /// Distinct records currently in the list (`record_count`).
    public var recordCount: Int
    /// How many of those match a Pinterest user (`matched`).
    public var matched: Int
    /// Creates and updates applied to the list (`num_batches`).
    public var numBatches: Int
    /// Records received by creates and ADDs, duplicates included (`num_uploaded_user_records`).
    public var numUploadedUserRecords: Int
    /// Records received by REMOVEs, absent ones included (`num_removed_user_records`).
    public var numRemovedUserRecords: Int
    /// `PROCESSING`, `READY` or `TOO_SMALL`, as the v5 API answers it now.
    public var status: String
    /// Lowercase hex SHA-256 of ``records`` joined with `"\n"` (no trailing newline); the empty
    /// list's digest is the SHA-256 of the empty string (`records_digest`).
    public var recordsDigest: String
    /// The distinct records, sorted ascending by their UTF-8 bytes (`records`, only with
    /// `records=true` over HTTP).
    public var records: [String]

    public init(
        id: String, adAccountID: String, name: String, listType: String, recordCount: Int, matched: Int,
        numBatches: Int, numUploadedUserRecords: Int, numRemovedUserRecords: Int, status: String,
        recordsDigest: String, records: [String]
    ) {
        self.id = id
        self.adAccountID = adAccountID
        self.name = name
        self.listType = listType
        self.recordCount = recordCount
        self.matched = matched
        self.numBatches = numBatches
        self.numUploadedUserRecords = numUploadedUserRecords
        self.numRemovedUserRecords = numRemovedUserRecords
        self.status = status
        self.recordsDigest = recordsDigest
        self.records = records
    }

    /// The digest ``recordsDigest`` holds for `records` (which must already be sorted).
    static func digest(ofSortedRecords records: [String]) -> String {
        var hasher = SHA256()
        for (index, record) in records.enumerated() {
            if index > 0 { hasher.update(CollectionOfOne(0x0A)) }
            hasher.update(record.utf8)
        }
        return SHA256.hexString(hasher.finalize())
    }

    /// `records` sorted ascending by UTF-8 bytes, the order ``records`` and the digest use.
    static func sortedByBytes<S: Sequence>(_ records: S) -> [String] where S.Element == String {
        records.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}

/// Body of `conversion_tags/create` (schema `ConversionTagCreate`). The Automatic Enhanced
/// Match flags go at the top level here; answers nest them under `configs`. Nil fields are left
/// out (Pinterest's defaults: every flag false, `md_frequency` 1).
public struct ConversionTagCreate: Encodable, Sendable, Equatable {
    public var name: String
    /// AEM: email.
    public var aemEnabled: Bool?
    /// AEM: first and last name.
    public var aemFnlnEnabled: Bool?
    /// AEM: phone.
    public var aemPhEnabled: Bool?
    /// AEM: gender.
    public var aemGeEnabled: Bool?
    /// AEM: birthdate.
    public var aemDbEnabled: Bool?
    /// AEM: location.
    public var aemLocEnabled: Bool?
    /// AEM: external id.
    public var aemExternalIDEnabled: Bool?
    /// "Metadata ingestion frequency".
    public var mdFrequency: Double?

    public init(
        name: String, aemEnabled: Bool? = nil, aemFnlnEnabled: Bool? = nil, aemPhEnabled: Bool? = nil, aemGeEnabled: Bool? = nil,
        aemDbEnabled: Bool? = nil, aemLocEnabled: Bool? = nil, aemExternalIDEnabled: Bool? = nil, mdFrequency: Double? = nil
    ) {
        self.name = name
        self.aemEnabled = aemEnabled
        self.aemFnlnEnabled = aemFnlnEnabled
        self.aemPhEnabled = aemPhEnabled
        self.aemGeEnabled = aemGeEnabled
        self.aemDbEnabled = aemDbEnabled
        self.aemLocEnabled = aemLocEnabled
        self.aemExternalIDEnabled = aemExternalIDEnabled
        self.mdFrequency = mdFrequency
    }

    enum CodingKeys: String, CodingKey {
        case name
        case aemEnabled = "aem_enabled"
        case aemFnlnEnabled = "aem_fnln_enabled"
        case aemPhEnabled = "aem_ph_enabled"
        case aemGeEnabled = "aem_ge_enabled"
        case aemDbEnabled = "aem_db_enabled"
        case aemLocEnabled = "aem_loc_enabled"
        case aemExternalIDEnabled = "aem_external_id_enabled"
        case mdFrequency = "md_frequency"
    }
}

/// A conversion tag, the Pinterest tag (schema `ConversionTag`). Everything is optional: the
/// schema requires only `ad_account_id` and `name`.
public struct ConversionTag: Decodable, Sendable, Equatable {
    public var id: String?
    public var adAccountID: String?
    public var name: String?
    /// EntityStatus: ACTIVE, PAUSED, ARCHIVED, DRAFT, DELETED_DRAFT.
    public var status: String?
    /// The JavaScript the site must install before the tag sees anything.
    public var codeSnippet: String?
    /// UNKNOWN, NOT_VALIDATED, VALIDATING_IN_PROGRESS, VALIDATION_COMPLETE.
    public var enhancedMatchStatus: String?
    /// Milliseconds since the epoch, unlike the rest of the API.
    public var lastFiredTimeMs: Double?
    /// E.g. "3".
    public var version: String?
    public var configs: Configs?

    /// `ConversionTagConfigs`: the AEM flags as the tag has them.
    public struct Configs: Decodable, Sendable, Equatable {
        public var aemEnabled: Bool?
        public var aemFnlnEnabled: Bool?
        public var aemPhEnabled: Bool?
        public var aemGeEnabled: Bool?
        public var aemDbEnabled: Bool?
        public var aemLocEnabled: Bool?
        public var aemExternalIDEnabled: Bool?
        public var mdFrequency: Double?
        /// Advertiser subdomains configured for NoCodeCAPI calls.
        public var noCodeCapiDomains: [String]?

        enum CodingKeys: String, CodingKey {
            case aemEnabled = "aem_enabled"
            case aemFnlnEnabled = "aem_fnln_enabled"
            case aemPhEnabled = "aem_ph_enabled"
            case aemGeEnabled = "aem_ge_enabled"
            case aemDbEnabled = "aem_db_enabled"
            case aemLocEnabled = "aem_loc_enabled"
            case aemExternalIDEnabled = "aem_external_id_enabled"
            case mdFrequency = "md_frequency"
            case noCodeCapiDomains = "no_code_capi_domains"
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, name, status, version, configs
        case adAccountID = "ad_account_id"
        case codeSnippet = "code_snippet"
        case enhancedMatchStatus = "enhanced_match_status"
        case lastFiredTimeMs = "last_fired_time_ms"
    }
}

/// Third-party tracking URLs per event (schema `TrackingUrls`): up to 3 URLs of ≤2000
/// characters each. In an update, `TrackingURLs()` (`{}`) is Pinterest's way to clear them.
public struct TrackingURLs: Codable, Sendable, Equatable {
    public var impression: [String]?
    public var click: [String]?
    public var engagement: [String]?
    public var buyableButton: [String]?
    public var audienceVerification: [String]?

    public init(
        impression: [String]? = nil, click: [String]? = nil, engagement: [String]? = nil, buyableButton: [String]? = nil,
        audienceVerification: [String]? = nil
    ) {
        self.impression = impression
        self.click = click
        self.engagement = engagement
        self.buyableButton = buyableButton
        self.audienceVerification = audienceVerification
    }

    enum CodingKeys: String, CodingKey {
        case impression, click, engagement
        case buyableButton = "buyable_button"
        case audienceVerification = "audience_verification"
    }
}

/// An ad group's `optimization_goal_metadata` (schema `OptimizationGoalMetadata`): required
/// when the campaign's objective is WEB_CONVERSION (NOTES §6.1). Only the conversion-tag goal
/// is modelled (`frequency_goal_metadata` and `scrollup_goal_metadata` are not read).
public struct OptimizationGoalMetadata: Codable, Sendable, Equatable {
    public var conversionTagV3GoalMetadata: ConversionTagGoalMetadata?

    public init(conversionTagV3GoalMetadata: ConversionTagGoalMetadata? = nil) {
        self.conversionTagV3GoalMetadata = conversionTagV3GoalMetadata
    }

    /// Pinterest's schema marks none of these fields required; an answer whose
    /// `conversion_tag_v3_goal_metadata` lacks the tag id or the event reads as nil here rather
    /// than failing the whole ad group (or list) it came in.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        do {
            conversionTagV3GoalMetadata = try container.decodeIfPresent(ConversionTagGoalMetadata.self, forKey: .conversionTagV3GoalMetadata)
        } catch DecodingError.keyNotFound {
            conversionTagV3GoalMetadata = nil
        }
    }

    enum CodingKeys: String, CodingKey {
        case conversionTagV3GoalMetadata = "conversion_tag_v3_goal_metadata"
    }

    /// `conversion_tag_v3_goal_metadata`: optimise for an event of a conversion tag.
    public struct ConversionTagGoalMetadata: Codable, Sendable, Equatable {
        /// A digit string.
        public var conversionTagID: String
        /// PAGE_VISIT, SIGNUP, CHECKOUT, CUSTOM, VIEW_CATEGORY, SEARCH, ADD_TO_CART, WATCH_VIDEO, LEAD, APP_INSTALL.
        public var conversionEvent: String
        /// Micro-currency as a digit string, as Pinterest's schema has it.
        public var cpaGoalValueInMicroCurrency: String?
        public var attributionWindows: AttributionWindows?
        /// Needs AUTOMATIC_BID and CHECKOUT (NOTES §6.5).
        public var isRoasOptimized: Bool?
        /// ACTIVE, NOT_ACTIVE.
        public var learningModeType: String?
        /// Event name mapped to an oCPM model (e.g. INITIATE_CHECKOUT).
        public var reportingEvent: String?

        public init(
            conversionTagID: String, conversionEvent: String, cpaGoalValueInMicroCurrency: String? = nil,
            attributionWindows: AttributionWindows? = nil, isRoasOptimized: Bool? = nil, learningModeType: String? = nil,
            reportingEvent: String? = nil
        ) {
            self.conversionTagID = conversionTagID
            self.conversionEvent = conversionEvent
            self.cpaGoalValueInMicroCurrency = cpaGoalValueInMicroCurrency
            self.attributionWindows = attributionWindows
            self.isRoasOptimized = isRoasOptimized
            self.learningModeType = learningModeType
            self.reportingEvent = reportingEvent
        }

        enum CodingKeys: String, CodingKey {
            case conversionTagID = "conversion_tag_id"
            case conversionEvent = "conversion_event"
            case cpaGoalValueInMicroCurrency = "cpa_goal_value_in_micro_currency"
            case attributionWindows = "attribution_windows"
            case isRoasOptimized = "is_roas_optimized"
            case learningModeType = "learning_mode_type"
            case reportingEvent = "reporting_event"
        }
    }

    /// Days; Pinterest's analytics take 0, 1, 7, 14, 30 or 60.
    public struct AttributionWindows: Codable, Sendable, Equatable {
        public var clickWindowDays: Int?
        public var engagementWindowDays: Int?
        public var viewWindowDays: Int?

        public init(clickWindowDays: Int? = nil, engagementWindowDays: Int? = nil, viewWindowDays: Int? = nil) {
            self.clickWindowDays = clickWindowDays
            self.engagementWindowDays = engagementWindowDays
            self.viewWindowDays = viewWindowDays
        }

        enum CodingKeys: String, CodingKey {
            case clickWindowDays = "click_window_days"
            case engagementWindowDays = "engagement_window_days"
            case viewWindowDays = "view_window_days"
        }
    }
}

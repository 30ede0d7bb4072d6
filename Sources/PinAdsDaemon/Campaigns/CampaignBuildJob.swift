import PinAdsStore

/// `campaigns.build`: one attempt at creating a level and its missing ancestors.
struct CampaignBuildJob: JobHandler {
    static var kind: String { CampaignBuilder.buildKind }
    let retryPolicy = RetryPolicy.default
    let builder: CampaignBuilder

    /// The level to create: exactly one of the three ids is set.
    struct Payload: Codable, Sendable, Equatable {
        var campaignID: Int64?
        var adGroupID: Int64?
        var adID: Int64?

        init(campaignID: Int64? = nil, adGroupID: Int64? = nil, adID: Int64? = nil) {
            self.campaignID = campaignID
            self.adGroupID = adGroupID
            self.adID = adID
        }

        enum CodingKeys: String, CodingKey {
            case campaignID = "campaign_id"
            case adGroupID = "ad_group_id"
            case adID = "ad_id"
        }
    }

    /// What the build made (or found made): the campaign, the ad groups and ads it went
    /// through, and the level the payload named, flat (`ad_group`, `ad`), when it names one.
    struct Result: Codable, Sendable, Equatable {
        /// One row and its Pinterest id; `pinterest_id` is written even when null.
        struct Made: Codable, Sendable, Equatable {
            var id: Int64
            var pinterestID: String?

            init(id: Int64, pinterestID: String?) {
                self.id = id
                self.pinterestID = pinterestID
            }

            enum CodingKeys: String, CodingKey {
                case id
                case pinterestID = "pinterest_id"
            }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(id, forKey: .id)
                try container.encode(pinterestID, forKey: .pinterestID)
            }
        }

        var campaign: Made
        var adGroups: [Made] = []
        var ads: [Made] = []
        var adGroup: Made?
        var ad: Made?

        init(campaign: Made) { self.campaign = campaign }

        enum CodingKeys: String, CodingKey {
            case campaign, ads, ad
            case adGroups = "ad_groups"
            case adGroup = "ad_group"
        }
    }

    func run(_ payload: Payload, job: JobRecord, context: JobContext) async throws -> Result {
        try await builder.runBuild(payload)
    }
}

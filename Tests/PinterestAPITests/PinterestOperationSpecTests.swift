import Foundation
import PinterestAPI
import Testing

/// Each operation's id is an `operationId` of openapi.yaml and its category the
/// `x-ratelimit-category` the spec gives that operation.
@Suite("Operations against Pinterest's OpenAPI description")
struct PinterestOperationSpecTests {
    static let all: [PinterestOperation] = [
        .oauthToken, .oauthConversionToken, .adAccountsList, .userAccountGet, .customerListsCreate, .customerListsUpdate,
        .customerListsGet, .customerListsList, .audiencesCreate, .audiencesGet, .audiencesList, .campaignsCreate, .campaignsList,
        .adGroupsCreate, .adGroupsList, .adsCreate, .adsList, .eventsCreate, .campaignsAnalytics, .campaignsUpdate, .adGroupsUpdate,
        .adsUpdate, .conversionTagsList, .conversionTagsCreate, .conversionTagsGet, .keywordsCreate, .keywordsGet, .keywordsUpdate,
        .adGroupsAnalytics, .adsAnalytics,
    ]

    @Test(.enabled(if: ContractPaths.specPresent, "../shared/pinterest-api/openapi.yaml is absent"))
    func idsAndCategoriesAreTheSpecs() throws {
        let lines = try String(contentsOfFile: ContractPaths.spec, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(Set(Self.all.map(\.id)).count == Self.all.count, "no operation listed twice")
        for operation in Self.all {
            guard let start = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "operationId: \(operation.id)" }) else {
                Issue.record("\(operation.id) is not an operationId of the spec")
                continue
            }
            // The category is the first one after the operationId, before the next operation.
            let rest = lines[(start + 1)...].prefix { !$0.contains("operationId:") }
            let category = rest.first { $0.contains("x-ratelimit-category:") }?
                .split(separator: ":").last?.trimmingCharacters(in: .whitespaces)
            #expect(category == operation.category, "\(operation.id)")
        }
    }
}

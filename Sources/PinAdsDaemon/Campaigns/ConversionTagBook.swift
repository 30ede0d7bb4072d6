import Foundation
import Logging
import PinAdsStore
import PinterestAPI

/// A conversion tag of an ad account, as the daemon shows it.
struct ConversionTagView: Codable, Sendable, Equatable {
    var pinterestID: String
    var adAccountID: String
    var name: String
    var status: String?
    var codeSnippet: String?
    var enhancedMatchStatus: String?
    var lastFiredAt: Date?

    init(_ tag: ConversionTag, adAccountID: String) {
        pinterestID = tag.id ?? ""
        self.adAccountID = tag.adAccountID ?? adAccountID
        name = tag.name ?? ""
        status = tag.status
        codeSnippet = tag.codeSnippet
        enhancedMatchStatus = tag.enhancedMatchStatus
        // Pinterest gives this one in milliseconds, unlike the rest of its API.
        lastFiredAt = tag.lastFiredTimeMs.map { Date(timeIntervalSince1970: $0 / 1000) }
    }

    enum CodingKeys: String, CodingKey {
        case name, status
        case pinterestID = "id"
        case adAccountID = "ad_account_id"
        case codeSnippet = "code_snippet"
        case enhancedMatchStatus = "enhanced_match_status"
        case lastFiredAt = "last_fired_at"
    }
}

/// The ad accounts' conversion tags: listed and created at Pinterest, kept in the store so an
/// ad group's goal can be checked (a tag of the campaign's own ad account) before any call.
struct ConversionTagBook: Sendable {
    let store: Store
    let tokens: TokenManager
    let clock: any WallClock
    let logger: Logger
    let coding = PlanCoding()

    /// What Automatic Enhanced Match may read, by the names `conversion_tags.create` takes.
    static let enhancedMatchFields = ["email", "name", "phone", "gender", "birthdate", "location", "external_id"]

    /// The ad account's tags, read from Pinterest now.
    func list(adAccountID: String?) async throws -> [ConversionTagView] {
        let session = try await tokens.session(adAccountID: adAccountID)
        let tags = try await session.conversionTags().map { ConversionTagView($0, adAccountID: session.adAccountID) }
        let now = clock.now()
        try await store.replaceConversionTags(adAccountID: session.adAccountID, try tags.map { try record($0, now: now) })
        return tags
    }

    /// A new tag, or the ad account's tag of that name (Pinterest cannot delete tags, so a
    /// retried create must not make a second).
    func create(adAccountID: String?, name: String, enhancedMatch: [String]) async throws -> (tag: ConversionTagView, created: Bool) {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 256 else { throw InvalidInput(field: "name", reason: "must be 1 to 256 characters") }
        var flags = Set<String>()
        for (index, field) in enhancedMatch.enumerated() {
            guard Self.enhancedMatchFields.contains(field) else {
                throw InvalidInput(
                    field: "enhanced_match[\(index)]", reason: "must be one of \(Self.enhancedMatchFields.joined(separator: ", ")), got '\(field)'")
            }
            flags.insert(field)
        }
        if let existing = try await list(adAccountID: adAccountID).first(where: { $0.name == trimmed }) { return (existing, false) }
        let session = try await tokens.session(adAccountID: adAccountID)
        let made = try await session.createConversionTag(
            ConversionTagCreate(
                name: trimmed, aemEnabled: flags.contains("email"), aemFnlnEnabled: flags.contains("name"), aemPhEnabled: flags.contains("phone"),
                aemGeEnabled: flags.contains("gender"), aemDbEnabled: flags.contains("birthdate"), aemLocEnabled: flags.contains("location"),
                aemExternalIDEnabled: flags.contains("external_id")))
        let tag = ConversionTagView(made, adAccountID: session.adAccountID)
        try await store.upsertConversionTag(try record(tag, now: clock.now()))
        logger.notice("conversion tag created", metadata: ["ad_account_id": "\(tag.adAccountID)", "tag_id": "\(tag.pinterestID)"])
        return (tag, true)
    }

    /// The tag must be one of the ad account's: looked up in the store, and at Pinterest when
    /// the store does not know it as this account's.
    func check(_ tagID: String, adAccountID: String, field: String) async throws {
        if let known = try await store.conversionTag(pinterestID: tagID), known.adAccountID == adAccountID { return }
        let tags: [ConversionTagView]
        do {
            tags = try await list(adAccountID: adAccountID)
        } catch {
            throw InvalidInput(
                field: field,
                reason: "conversion tag \(tagID) is not known as a tag of ad account \(adAccountID), and Pinterest could not be asked (\(error)); try again")
        }
        guard tags.contains(where: { $0.pinterestID == tagID }) else {
            if let other = try await store.conversionTag(pinterestID: tagID), other.adAccountID != adAccountID {
                throw InvalidInput(
                    field: field,
                    reason: "conversion tag \(tagID) belongs to ad account \(other.adAccountID), not to the campaign's (\(adAccountID)); use one of its own tags (`pinads tags list --ad-account \(adAccountID)`)")
            }
            let names = tags.map { "\($0.pinterestID) (\($0.name))" }.joined(separator: ", ")
            throw InvalidInput(
                field: field,
                reason: "\(tagID) is not a conversion tag of ad account \(adAccountID)\(names.isEmpty ? " (it has none: `pinads tags create NAME`)" : "; its tags: \(names)")")
        }
    }

    private func record(_ tag: ConversionTagView, now: Date) throws -> ConversionTagRecord {
        ConversionTagRecord(
            pinterestID: tag.pinterestID, adAccountID: tag.adAccountID, name: tag.name, status: tag.status, body: try coding.encode(tag), readAt: now)
    }
}

import Foundation
import PinAdsStore
import PinterestAPI

// Keywords live beside their ad group at Pinterest (`/keywords`): created right after it, and
// kept equal to the plan by comparing with what Pinterest lists, so a crash between the ad
// group and its keywords, or a repeated attempt, creates each keyword once.

extension CampaignBuilder {
    /// The conversion tag of a goal must be one of the campaign's ad account.
    func checkConversionTag(_ goal: ConversionGoal, adAccountID: String, field: String) async throws {
        try await tags.check(goal.conversionTagID, adAccountID: adAccountID, field: field)
    }

    /// Makes the ad group's keywords at Pinterest equal to `desired`: those it lacks are
    /// created, those not wanted archived (Pinterest cannot change a keyword's value or match
    /// type, and archiving is how it removes one). Returns the keywords Pinterest has then.
    func syncKeywords(_ desired: [KeywordPlan], adGroupPinterestID: String, session: PinterestSession) async throws -> [KeywordReading] {
        func key(_ keyword: KeywordPlan) -> KeywordPlan { KeywordPlan(value: keyword.value.lowercased(), matchType: keyword.matchType) }
        let current = try await session.keywords(adGroupID: adGroupPinterestID).compactMap(KeywordReading.init)
        let wanted = Set(desired.map(key))
        let unwanted = current.filter { !wanted.contains(key($0.plan)) }
        let held = Set(current.map { key($0.plan) })
        let missing = desired.filter { !held.contains(key($0)) }
        var result = current.filter { wanted.contains(key($0.plan)) }
        // New ones first: a refused create leaves the ad group with its old keywords.
        if !missing.isEmpty {
            let answer = try await session.createKeywords(
                parentID: adGroupPinterestID, missing.map { KeywordSpec(value: $0.value, matchType: $0.matchType) })
            result += answer.keywords.compactMap(KeywordReading.init)
            if !answer.errors.isEmpty {
                let refused = answer.errors.map { "'\($0.value ?? "?")' (\($0.matchType ?? "?")): \($0.messages.joined(separator: "; "))" }
                throw UpdateRefusal(message: "Pinterest refused keywords: \(refused.joined(separator: ", "))")
            }
        }
        if !unwanted.isEmpty {
            let answer = try await session.updateKeywords(unwanted.map { KeywordUpdate(id: $0.id, archived: true) })
            if let error = answer.errors.first {
                throw UpdateRefusal(message: "Pinterest did not archive keyword '\(error.value ?? "?")': \(error.messages.joined(separator: "; "))")
            }
        }
        return result
    }

    /// Runs `body` while no other keyword change of the ad group runs (a build's and an
    /// update's would otherwise both create what is missing, or undo each other).
    func withKeywordLock<T: Sendable>(adGroupID: Int64, _ body: () async throws -> T) async throws -> T {
        while keywordSyncs[adGroupID] != nil {
            await withCheckedContinuation { keywordSyncs[adGroupID, default: []].append($0) }
        }
        keywordSyncs[adGroupID] = []
        defer {
            let waiting = keywordSyncs.removeValue(forKey: adGroupID) ?? []
            for waiter in waiting { waiter.resume() }
        }
        return try await body()
    }

    /// The keywords of an ad group just created (or whose creation was cut short): made, then
    /// the ad group read back with them. An update that set its keywords meanwhile has done it.
    func ensureKeywords(_ group: AdGroupBuild, pinterestID: String, session: PinterestSession) async throws {
        guard group.record.keywordsPending else { return }
        try await withKeywordLock(adGroupID: group.id) {
            guard let now = try await self.builds.adGroup(id: group.id), now.record.keywordsPending else { return }
            try await self.makeKeywords(now, pinterestID: pinterestID, session: session)
        }
    }

    private func makeKeywords(_ group: AdGroupBuild, pinterestID: String, session: PinterestSession) async throws {
        let keywords: [KeywordReading]
        do {
            keywords = try await syncKeywords(group.plan.keywords ?? [], adGroupPinterestID: pinterestID, session: session)
        } catch let refusal as UpdateRefusal {
            throw JobFailure("ad group \(group.id) was created, but its keywords were not: \(refusal.message); fix them with `pinads ad-group update \(group.id) --keyword …`", retryable: false)
        }
        if let read = try await session.readAdGroups(adGroupIDs: [pinterestID]).first {
            try await store.setReading(.adGroup, id: group.id, reading: try coding.encode(ObjectReading(read, keywords: keywords)), status: nil, now: clock.now())
        }
        try await store.setKeywordsPending(adGroupID: group.id, false, now: clock.now())
        logger.notice("keywords created at Pinterest", metadata: ["id": "\(group.id)", "keywords": "\(keywords.count)"])
    }
}

import Foundation
import Logging
import PinAdsProtocol
import PinAdsStore
import PinterestAPI

/// Creates campaign → ad group → ad hierarchies at Pinterest, safely: everything is validated
/// before any call, each level's row exists before Pinterest is asked and its Pinterest id is
/// stored the moment it is known, a create whose answer was lost is looked for at Pinterest
/// before it is sent again, and builds of one campaign run one at a time. Campaigns start
/// PAUSED unless told otherwise.
public actor CampaignBuilder {
    static let buildKind = "campaigns.build"

    let store: Store
    let tokens: TokenManager
    let client: PinterestClient
    let clock: any WallClock
    let logger: Logger
    private var queue: JobQueue?
    private let encoder = Wire.encoder()
    private let decoder = Wire.decoder()
    /// How long after a create was sent, at least, Pinterest is asked whether it made the
    /// object (a request cut off by a crash may still be processed for a moment).
    let settleTime: TimeInterval

    public init(
        store: Store, tokens: TokenManager, client: PinterestClient, clock: any WallClock, logger: Logger, settleTime: TimeInterval = 2
    ) {
        self.settleTime = settleTime
        self.store = store
        self.tokens = tokens
        self.client = client
        self.clock = clock
        self.logger = logger
    }

    public func attach(queue: JobQueue) { self.queue = queue }

    public nonisolated var jobHandlers: [any JobHandler] { [CampaignBuildJob(builder: self)] }

    // MARK: - Requests

    public func create(_ request: CreateCampaignRequest) async throws -> CampaignJobResult {
        let spec = try CampaignValidator(now: clock.now()).campaign(request.campaign)
        let target = try await tokens.resolve(adAccountID: spec.adAccountId)
        var stored = spec
        stored.adAccountId = target.adAccountID
        let record: BuildRecord, existed: Bool
        do {
            (record, existed) = try await store.insertCampaign(
                adAccountID: target.adAccountID, spec: try encode(stored), clientRequestID: request.clientRequestId, request: nil, now: clock.now())
        } catch let error as ClientRequestIDReused {
            throw ResponseError(
                code: .failedPrecondition,
                message: "client_request_id '\(request.clientRequestId ?? "")' was used for another campaign (\(error.campaignID)); use a new id for a new campaign",
                details: ["field": "client_request_id", "campaign_id": .int(error.campaignID)])
        }
        let job = record.state == .created ? nil : try await enqueue(.init(campaignID: record.id), campaign: record.id)
        if !existed { logger.notice("campaign queued for creation", metadata: ["campaign_id": "\(record.id)"]) }
        return CampaignJobResult(campaign: try campaignInfo(record), jobId: job)
    }

    public func createAdGroup(_ request: CreateAdGroupRequest) async throws -> AdGroupJobResult {
        let campaign = try await existing(.campaign, request.campaignId, field: "campaign_id")
        guard let campaignSpec = try campaign.spec.map(decodeCampaign) else {
            throw ResponseError.invalidArgument(
                field: "campaign_id", reason: "campaign \(campaign.id) is tracked for metrics only (made outside pinads); ad groups go in campaigns pinads created")
        }
        guard campaign.state != .error else {
            throw ResponseError(
                code: .failedPrecondition,
                message: "campaign \(campaign.id) was refused by Pinterest (\(campaign.errorMessage ?? "?")); an ad group cannot be added to it",
                details: ["field": "campaign_id"])
        }
        let spec = try CampaignValidator(now: clock.now()).adGroup(request.adGroup, campaign: campaignSpec)
        try await checkAudiences(spec.targeting, adAccountID: campaign.adAccountID ?? "", prefix: "ad_group.targeting")
        let record = try await store.insertChild(.adGroup, parentID: campaign.id, spec: try encode(spec), now: clock.now())
        let job = try await enqueue(.init(adGroupID: record.id), campaign: campaign.id)
        return AdGroupJobResult(adGroup: try adGroupInfo(record), jobId: job)
    }

    public func createAd(_ request: CreateAdRequest) async throws -> AdJobResult {
        let group = try await existing(.adGroup, request.adGroupId, field: "ad_group_id")
        guard group.state != .error else {
            throw ResponseError(
                code: .failedPrecondition,
                message: "ad group \(group.id) was refused by Pinterest (\(group.errorMessage ?? "?")); an ad cannot be added to it",
                details: ["field": "ad_group_id"])
        }
        let spec = try CampaignValidator(now: clock.now()).ad(request.ad)
        let record = try await store.insertChild(.ad, parentID: group.id, spec: try encode(spec), now: clock.now())
        let job = try await enqueue(.init(adID: record.id), campaign: group.parentID ?? 0)
        return AdJobResult(ad: try adInfo(record), jobId: job)
    }

    public func launch(_ request: LaunchCampaignRequest) async throws -> LaunchResult {
        let crid = request.clientRequestId.trimmingCharacters(in: .whitespaces)
        guard !crid.isEmpty, crid.count <= 128 else {
            throw ResponseError.invalidArgument(field: "client_request_id", reason: "must be 1 to 128 characters (a retry sends the same one)")
        }
        let validator = CampaignValidator(now: clock.now())
        let target = try await tokens.resolve(adAccountID: request.campaign.adAccountId)
        var campaign = try validator.campaign(request.campaign)
        campaign.adAccountId = target.adAccountID
        let group = try validator.adGroup(request.adGroup, campaign: campaign)
        let ad = try validator.ad(request.ad)
        try await checkAudiences(group.targeting, adAccountID: target.adAccountID, prefix: "ad_group.targeting")
        let (c, g, a, existed): (BuildRecord, BuildRecord, BuildRecord, Bool)
        do {
            (c, g, a, existed) = try await store.insertLaunch(
                adAccountID: target.adAccountID, campaign: try encode(campaign), adGroup: try encode(group), ad: try encode(ad), clientRequestID: crid,
                request: try encode(LaunchCampaignRequest(campaign: campaign, adGroup: group, ad: ad, clientRequestId: crid)), now: clock.now())
        } catch let error as ClientRequestIDReused {
            throw ResponseError(
                code: .failedPrecondition,
                message: "client_request_id '\(crid)' was used by another launch (campaign \(error.campaignID)) with a different body; use a new id for a new launch",
                details: ["field": "client_request_id", "campaign_id": .int(error.campaignID)])
        }
        var job: Int64?
        if a.state != .created {
            // A relaunch tries again what Pinterest refused before.
            for record in [c, g, a] where record.state == .error { try await store.resetBuildError(record.level, id: record.id, now: clock.now()) }
            job = try await enqueue(.init(adID: a.id), campaign: c.id)
        }
        if !existed { logger.notice("campaign launch queued", metadata: ["campaign_id": "\(c.id)"]) }
        return LaunchResult(
            campaign: try campaignInfo(try await reload(c)), adGroup: try adGroupInfo(try await reload(g)), ad: try adInfo(try await reload(a)),
            jobId: job, resumed: existed)
    }

    public func list(_ request: ListCampaignsRequest) async throws -> ListCampaignsResult {
        ListCampaignsResult(campaigns: try await store.buildRecords(.campaign, adAccountID: request.adAccountId).map(campaignInfo))
    }

    public func get(_ request: GetCampaignRequest) async throws -> CampaignDetail {
        var campaign = try await existing(.campaign, request.campaignId, field: "campaign_id")
        if request.refresh == true, let pinterestID = campaign.pinterestID, let account = campaign.adAccountID {
            let target = try await tokens.resolve(adAccountID: account)
            let client = self.client
            let found = try await pinterest {
                try await self.tokens.withToken(connectionID: target.connectionID) { token in
                    try await client.listCampaigns(token: token, adAccountID: account, campaignIDs: [pinterestID])
                }
            }.first
            try await store.setCampaignStatus(id: campaign.id, status: found.map { $0.summaryStatus ?? $0.status ?? "" }, now: clock.now())
            campaign = try await reload(campaign)
        }
        let groups = try await store.buildRecords(.adGroup, parentID: campaign.id)
        var ads: [AdInfo] = []
        for group in groups { ads += try await store.buildRecords(.ad, parentID: group.id).map(adInfo) }
        return CampaignDetail(campaign: try campaignInfo(campaign), adGroups: try groups.map(adGroupInfo), ads: ads)
    }

    public func listAdGroups(_ request: ListAdGroupsRequest) async throws -> ListAdGroupsResult {
        if let id = request.campaignId { _ = try await existing(.campaign, id, field: "campaign_id") }
        return ListAdGroupsResult(adGroups: try await store.buildRecords(.adGroup, parentID: request.campaignId).map(adGroupInfo))
    }

    public func listAds(_ request: ListAdsRequest) async throws -> ListAdsResult {
        if let id = request.adGroupId { _ = try await existing(.adGroup, id, field: "ad_group_id") }
        return ListAdsResult(ads: try await store.buildRecords(.ad, parentID: request.adGroupId).map(adInfo))
    }

    public func track(_ request: TrackCampaignRequest) async throws -> CampaignJobResult {
        guard !request.campaignId.isEmpty, request.campaignId.count <= 18, request.campaignId.allSatisfy(\.isNumber) else {
            throw ResponseError.invalidArgument(field: "campaign_id", reason: "must be Pinterest's campaign id (digits), got '\(request.campaignId)'")
        }
        let target = try await tokens.resolve(adAccountID: request.adAccountId)
        let (record, _) = try await store.trackCampaign(adAccountID: target.adAccountID, pinterestID: request.campaignId, now: clock.now())
        return CampaignJobResult(campaign: try campaignInfo(record), jobId: nil)
    }

    // MARK: - The build job

    /// Creates whatever is missing of the campaign the payload names (through any of its levels),
    /// top down: the campaign, then each PENDING ad group, then each PENDING ad. Builds of one
    /// campaign run one at a time and a new one coalesces into a queued one, so a job builds
    /// every pending row of its campaign, not only the row it was queued for. A level refused
    /// before is left in ERROR (and fails the job only when it is the one the payload names);
    /// the first failure is thrown after the other branches were tried.
    func runBuild(_ payload: CampaignBuildJob.Payload) async throws -> JSONValue {
        func load(_ level: BuildLevel, _ id: Int64) async throws -> BuildRecord {
            guard let record = try await store.buildRecord(level, id: id) else {
                throw JobFailure("\(level.name) \(id) no longer exists", retryable: false)
            }
            return record
        }
        var named: (level: BuildLevel, id: Int64)
        let campaign: BuildRecord
        if let id = payload.adID {
            let ad = try await load(.ad, id)
            let group = try await load(.adGroup, ad.parentID ?? 0)
            campaign = try await load(.campaign, group.parentID ?? 0)
            named = (.ad, id)
        } else if let id = payload.adGroupID {
            let group = try await load(.adGroup, id)
            campaign = try await load(.campaign, group.parentID ?? 0)
            named = (.adGroup, id)
        } else if let id = payload.campaignID {
            campaign = try await load(.campaign, id)
            named = (.campaign, id)
        } else {
            throw JobFailure("payload names no campaign_id, ad_group_id or ad_id", retryable: false)
        }
        guard let adAccountID = campaign.adAccountID else { throw JobFailure("campaign \(campaign.id) has no ad account", retryable: false) }
        let connectionID = try await tokens.resolve(adAccountID: adAccountID).connectionID
        var created: [String: JSONValue] = [:]
        var firstFailure: (any Error)?
        func isNamed(_ record: BuildRecord) -> Bool { record.level == named.level && record.id == named.id }

        let campaignID = try await ensure(campaign, adAccountID: adAccountID, connectionID: connectionID, parent: nil, created: created)
        created["campaign"] = ["id": .int(campaign.id), "pinterest_id": .string(campaignID)]
        var groupsMade: [JSONValue] = [], adsMade: [JSONValue] = []
        for group in try await store.buildRecords(.adGroup, parentID: campaign.id) {
            let adsOfGroup = try await store.buildRecords(.ad, parentID: group.id)
            let wanted = isNamed(group) || adsOfGroup.contains(where: isNamed)
            if group.state == .error && !wanted { continue }
            if group.state == .created, adsOfGroup.allSatisfy({ $0.state != .pending }) && !wanted {
                groupsMade.append(["id": .int(group.id), "pinterest_id": group.pinterestID.map(JSONValue.string) ?? .null])
                continue
            }
            let groupID: String
            do {
                groupID = try await ensure(group, adAccountID: adAccountID, connectionID: connectionID, parent: campaignID, created: created)
            } catch let error as ConnectionUnavailable {
                throw error
            } catch {
                if firstFailure == nil || wanted { firstFailure = error }
                continue
            }
            groupsMade.append(["id": .int(group.id), "pinterest_id": .string(groupID)])
            for ad in adsOfGroup where ad.state == .pending || (ad.state == .error && isNamed(ad)) {
                do {
                    let adID = try await ensure(
                        ad, adAccountID: adAccountID, connectionID: connectionID, parent: groupID,
                        created: created.merging(["ad_group": ["id": .int(group.id), "pinterest_id": .string(groupID)]]) { a, _ in a })
                    adsMade.append(["id": .int(ad.id), "pinterest_id": .string(adID)])
                } catch let error as ConnectionUnavailable {
                    throw error
                } catch {
                    if firstFailure == nil || isNamed(ad) { firstFailure = error }
                }
            }
        }
        if let firstFailure { throw firstFailure }
        created["ad_groups"] = .array(groupsMade)
        created["ads"] = .array(adsMade)
        // The named level, flat, for callers following one object.
        if named.level == .adGroup, let made = groupsMade.first(where: { $0["id"] == .int(named.id) }) { created["ad_group"] = made }
        if named.level == .ad, let made = adsMade.first(where: { $0["id"] == .int(named.id) }) {
            created["ad"] = made
            if let group = try await store.buildRecord(.ad, id: named.id)?.parentID,
                let madeGroup = groupsMade.first(where: { $0["id"] == .int(group) })
            {
                created["ad_group"] = madeGroup
            }
        }
        return .object(created)
    }

    /// The level's Pinterest id: the stored one, one found for a create whose answer was lost,
    /// or a new one.
    private func ensure(
        _ record: BuildRecord, adAccountID: String, connectionID: Int64, parent: String?, created: [String: JSONValue]
    ) async throws -> String {
        if record.state == .created, let id = record.pinterestID { return id }
        if record.state == .error {
            throw JobFailure(
                "\(record.level.name) \(record.id) was refused by Pinterest: \(record.errorMessage ?? "?"); launch again with the same client_request_id to retry",
                retryable: false)
        }
        let client = self.client
        let now = clock.now()
        if let since = record.pendingSince, since.addingTimeInterval(settleTime) > now {
            try await clock.sleep(until: since.addingTimeInterval(settleTime))
        }
        if let since = record.pendingSince, let found = try await findLost(record, since: since, adAccountID: adAccountID, connectionID: connectionID, parent: parent) {
            logger.notice("found the object an interrupted create made; using it", metadata: ["level": "\(record.level.name)", "id": "\(record.id)"])
            try await store.markBuildCreated(record.level, id: record.id, pinterestID: found, status: nil, now: now)
            return found
        }
        try await store.markBuildPending(record.level, id: record.id, since: now)
        do {
            let outcome: (id: String?, status: String?, exceptions: [PinterestItemException])
            switch record.level {
            case .campaign:
                let spec = try decodeCampaign(record.spec ?? "")
                let body = CampaignCreate(
                    adAccountID: adAccountID, name: spec.name, objectiveType: spec.objectiveType, status: spec.status ?? "PAUSED",
                    dailySpendCap: spec.dailySpendCap, lifetimeSpendCap: spec.lifetimeSpendCap, startTime: spec.startTime.map(Self.unix),
                    endTime: spec.endTime.map(Self.unix))
                let item = try await tokens.withToken(connectionID: connectionID) { token in
                    try await client.createCampaigns(token: token, adAccountID: adAccountID, [body])
                }.first
                outcome = (item?.created?.id, item?.created?.status, item?.exceptions ?? [])
            case .adGroup:
                let spec = try decoder.decode(AdGroupSpec.self, from: Data((record.spec ?? "").utf8))
                let targeting = try await targetingSpec(spec.targeting, adAccountID: adAccountID, adGroupID: record.id)
                let body = AdGroupCreate(
                    campaignID: parent ?? "", name: spec.name, billableEvent: spec.billableEvent, budgetInMicroCurrency: spec.budgetInMicroCurrency,
                    bidInMicroCurrency: spec.bidInMicroCurrency, budgetType: spec.budgetType, startTime: spec.startTime.map(Self.unix),
                    endTime: spec.endTime.map(Self.unix), status: spec.status, autoTargetingEnabled: spec.autoTargetingEnabled ?? false,
                    targetingSpec: targeting)
                let item = try await tokens.withToken(connectionID: connectionID) { token in
                    try await client.createAdGroups(token: token, adAccountID: adAccountID, [body])
                }.first
                outcome = (item?.created?.id, item?.created?.status, item?.exceptions ?? [])
            case .ad:
                let spec = try decoder.decode(AdSpec.self, from: Data((record.spec ?? "").utf8))
                let body = AdCreate(
                    adGroupID: parent ?? "", pinID: spec.pinId, creativeType: spec.creativeType, name: spec.name, status: spec.status,
                    destinationURL: spec.destinationUrl, clickTrackingURL: spec.clickTrackingUrl)
                let item = try await tokens.withToken(connectionID: connectionID) { token in
                    try await client.createAds(token: token, adAccountID: adAccountID, [body])
                }.first
                outcome = (item?.created?.id, item?.created?.status, item?.exceptions ?? [])
            }
            guard let id = outcome.id, outcome.exceptions.isEmpty else {
                let first = outcome.exceptions.first
                let message = "Pinterest refused \(record.level.name) \(record.id): \(first?.description ?? "no object and no exception in its answer")"
                // With no exception either, Pinterest may have made it: look for it before a retry.
                try await store.markBuildError(
                    record.level, id: record.id, message: message, code: first?.code, keepPending: first == nil, now: clock.now())
                throw JobFailure(message + Self.createdSoFar(created), retryable: false)
            }
            try await store.markBuildCreated(record.level, id: record.id, pinterestID: id, status: outcome.status, now: clock.now())
            logger.notice("created at Pinterest", metadata: ["level": "\(record.level.name)", "id": "\(record.id)"])
            return id
        } catch let error as PinterestError {
            if certainlyNotApplied(error) { try await store.clearBuildPending(record.level, id: record.id, now: clock.now()) }
            if !error.isRetryable {
                var garbled = false
                if case .malformedResponse = error { garbled = true }
                try await store.markBuildError(
                    record.level, id: record.id, message: error.description, code: error.pinterestCode, keepPending: garbled,
                    now: clock.now())
            }
            throw JobFailure("\(record.level.name) \(record.id): \(error.description)\(Self.createdSoFar(created))", retryable: error.isRetryable)
        } catch let error as ConnectionUnavailable {
            try await store.clearBuildPending(record.level, id: record.id, now: clock.now())
            throw error
        }
    }

    /// Looks at Pinterest for what a create sent at `since` made: same name and spec, made since
    /// then, and not already the Pinterest object of another row here.
    private func findLost(
        _ record: BuildRecord, since: Date, adAccountID: String, connectionID: Int64, parent: String?
    ) async throws -> String? {
        let client = self.client
        let known = try await store.knownPinterestIDs(record.level)
        switch record.level {
        case .campaign:
            let spec = try decodeCampaign(record.spec ?? "")
            let earliest = Int64(since.timeIntervalSince1970) - 300
            return try await tokens.withToken(connectionID: connectionID) { token in
                try await client.listCampaigns(token: token, adAccountID: adAccountID)
            }.first {
                !known.contains($0.id) && $0.name == spec.name && ($0.objectiveType == nil || $0.objectiveType == spec.objectiveType)
                    && ($0.createdTime ?? earliest) >= earliest
            }?.id
        case .adGroup:
            guard let parent else { return nil }
            let spec = try decoder.decode(AdGroupSpec.self, from: Data((record.spec ?? "").utf8))
            return try await tokens.withToken(connectionID: connectionID) { token in
                try await client.listAdGroups(token: token, adAccountID: adAccountID, campaignIDs: [parent])
            }.first {
                !known.contains($0.id) && $0.name == spec.name && ($0.billableEvent == nil || $0.billableEvent == spec.billableEvent)
                    && ($0.budgetInMicroCurrency == nil || $0.budgetInMicroCurrency == spec.budgetInMicroCurrency)
            }?.id
        case .ad:
            guard let parent else { return nil }
            let spec = try decoder.decode(AdSpec.self, from: Data((record.spec ?? "").utf8))
            return try await tokens.withToken(connectionID: connectionID) { token in
                try await client.listAds(token: token, adAccountID: adAccountID, adGroupIDs: [parent])
            }.first {
                !known.contains($0.id) && $0.pinID == spec.pinId && (spec.name == nil || $0.name == spec.name)
                    && ($0.creativeType == nil || $0.creativeType == spec.creativeType)
            }?.id
        }
    }

    /// Pinterest's targeting spec, audiences mapped to the Pinterest audience of each one's
    /// activation on this ad account.
    private func targetingSpec(_ targeting: TargetingSpec?, adAccountID: String, adGroupID: Int64) async throws -> [String: [String]] {
        guard let targeting else { return [:] }
        var spec: [String: [String]] = [:]
        func map(_ ids: [Int64]?) async throws -> [String]? {
            guard let ids, !ids.isEmpty else { return nil }
            var mapped: [String] = []
            for id in ids {
                guard let pinterestID = try await store.activation(audienceID: id, adAccountID: adAccountID)?.pinterestAudienceID else {
                    let message = "audience \(id) has no Pinterest audience on ad account \(adAccountID) (activate and sync it first)"
                    try await store.markBuildError(.adGroup, id: adGroupID, message: message, code: nil, now: clock.now())
                    throw JobFailure(message, retryable: false)
                }
                mapped.append(pinterestID)
            }
            return mapped
        }
        spec["AUDIENCE_INCLUDE"] = try await map(targeting.audiencesInclude)
        spec["AUDIENCE_EXCLUDE"] = try await map(targeting.audiencesExclude)
        spec["INTEREST"] = targeting.interests
        spec["AGE_BUCKET"] = targeting.ageBuckets
        spec["GENDER"] = targeting.genders
        spec["LOCATION"] = targeting.locations
        spec["LOCALE"] = targeting.locales
        spec["APPTYPE"] = targeting.devices
        return spec.filter { !$0.value.isEmpty }
    }

    /// Audiences named in targeting must be synced to the ad account already.
    private func checkAudiences(_ targeting: TargetingSpec?, adAccountID: String, prefix: String) async throws {
        for (key, ids) in [("audiences_include", targeting?.audiencesInclude ?? []), ("audiences_exclude", targeting?.audiencesExclude ?? [])] {
            for (index, id) in ids.enumerated() {
                let field = "\(prefix).\(key)[\(index)]"
                guard try await store.audience(id: id) != nil else {
                    throw ResponseError.invalidArgument(field: field, reason: "audience \(id) is not known to this daemon")
                }
                guard try await store.activation(audienceID: id, adAccountID: adAccountID)?.pinterestAudienceID != nil else {
                    throw ResponseError.invalidArgument(
                        field: field,
                        reason: "audience \(id) is not synced to ad account \(adAccountID) yet: `pinads audience activate \(id) --ad-account \(adAccountID)` and wait for its first sync")
                }
            }
        }
    }

    // MARK: - Helpers

    private func enqueue(_ payload: CampaignBuildJob.Payload, campaign: Int64) async throws -> Int64? {
        guard let queue else { return nil }
        return try await queue.enqueue(CampaignBuildJob.self, payload, serialKey: "campaign:\(campaign)").id
    }

    private func existing(_ level: BuildLevel, _ id: Int64, field: String) async throws -> BuildRecord {
        guard let record = try await store.buildRecord(level, id: id) else {
            throw ResponseError(
                code: .notFound, message: "\(level == .adGroup ? "ad group" : level.name) \(id) is not known to this daemon",
                details: ["field": .string(field)])
        }
        return record
    }

    private func reload(_ record: BuildRecord) async throws -> BuildRecord {
        try await store.buildRecord(record.level, id: record.id) ?? record
    }

    private func pinterest<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PinterestError {
            throw error
        }
    }

    private func encode(_ value: some Encodable) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    private func decodeCampaign(_ text: String) throws -> CampaignSpec {
        try decoder.decode(CampaignSpec.self, from: Data(text.utf8))
    }

    static func unix(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }

    private static func createdSoFar(_ created: [String: JSONValue]) -> String {
        guard !created.isEmpty else { return "" }
        let parts = created.keys.sorted().compactMap { key -> String? in
            guard case .string(let id)? = created[key]?["pinterest_id"] else { return nil }
            return "\(key) \(id)"
        }
        return "; already created at Pinterest: " + parts.joined(separator: ", ")
    }

    private func error(_ record: BuildRecord) -> BuildError? {
        record.errorMessage.map { BuildError(message: $0, pinterestCode: record.errorCode) }
    }

    private func state(_ record: BuildRecord) -> BuildState { BuildState(rawValue: record.state.rawValue) ?? .error }

    func campaignInfo(_ record: BuildRecord) throws -> CampaignInfo {
        CampaignInfo(
            id: record.id, adAccountId: record.adAccountID ?? "", spec: try record.spec.map(decodeCampaign), pinterestId: record.pinterestID,
            state: state(record), error: error(record), pinterestStatus: record.pinterestStatus, tracked: record.tracked,
            clientRequestId: record.clientRequestID, createdAt: record.createdAt, updatedAt: record.updatedAt)
    }

    func adGroupInfo(_ record: BuildRecord) throws -> AdGroupInfo {
        AdGroupInfo(
            id: record.id, campaignId: record.parentID ?? 0, spec: try decoder.decode(AdGroupSpec.self, from: Data((record.spec ?? "").utf8)),
            pinterestId: record.pinterestID, state: state(record), error: error(record), createdAt: record.createdAt, updatedAt: record.updatedAt)
    }

    func adInfo(_ record: BuildRecord) throws -> AdInfo {
        AdInfo(
            id: record.id, adGroupId: record.parentID ?? 0, spec: try decoder.decode(AdSpec.self, from: Data((record.spec ?? "").utf8)),
            pinterestId: record.pinterestID, state: state(record), error: error(record), createdAt: record.createdAt, updatedAt: record.updatedAt)
    }
}

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

    func run(_ payload: Payload, job: JobRecord, context: JobContext) async throws -> JSONValue {
        try await builder.runBuild(payload)
    }
}

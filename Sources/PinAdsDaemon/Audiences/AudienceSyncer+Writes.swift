import Foundation
import PinAdsStore
import PinterestAPI

/// The writes of a sync attempt and what it reads back. Each write is recorded on the
/// activation before it goes out and its effect committed after, so an attempt cut off between
/// the two asks Pinterest whether it landed instead of sending it again.
extension AudienceSyncer {
    /// Sends one chunk: the first creates the list. The write is recorded before it goes out
    /// and its effect committed after, in one transaction each.
    func send(_ chunk: [String], adding: Bool, _ attempt: inout Attempt) async throws {
        guard let lastHash = chunk.last else { return }
        let listID = attempt.activation.customerListID
        let kind: PendingWrite.Kind = listID == nil ? .createList : (adding ? .add : .remove)
        let before = adding ? attempt.activation.listUploaded : attempt.activation.listRemoved
        let pending = PendingWrite(kind: kind, lastHash: lastHash, count: chunk.count, counterBefore: before, startedAt: clock.now())
        try await commit(&attempt) { $0.pending = pending }

        let list: CustomerList
        do {
            if let listID {
                list = try await attempt.session.updateCustomerList(listID, adding ? .add : .remove, records: chunk)
            } else {
                list = try await attempt.session.createCustomerList(
                    CustomerListCreate(
                        name: attempt.activation.customerListName, records: chunk,
                        listType: CustomerListType(rawValue: attempt.audience.listType) ?? .email))
                logger.notice("customer list created", metadata: ["activation_id": "\(attempt.activation.id)"])
            }
        } catch {
            // An answer that says the write was refused: nothing to check later. Otherwise (a
            // timeout, a reset, a 5xx) the record stays, and the next attempt asks Pinterest.
            if certainlyNotApplied(error) { try await commit(&attempt) { $0.pending = nil } }
            throw error
        }
        try await commit(&attempt) { record in
            record.pending = nil
            if record.customerListID == nil { record.customerListID = list.id }
            Self.apply(chunkOf: chunk.count, adding: adding, lastHash: lastHash, to: &record)
            Self.take(counters: list, to: &record, fallbackUploaded: before + (adding ? chunk.count : 0), fallbackRemoved: before + (adding ? 0 : chunk.count))
        }
        await reportProgress(attempt)
    }

    func createPinterestAudience(_ attempt: inout Attempt) async throws {
        guard let listID = attempt.activation.customerListID else { return }
        try await commit(&attempt) { $0.pending = PendingWrite(kind: .createAudience, lastHash: nil, count: 0, counterBefore: 0, startedAt: self.clock.now()) }
        let body = AudienceCreate.customerList(
            name: attempt.activation.customerListName, customerListID: listID, description: "Synced by pinads from audience \(attempt.audience.id)")
        let created: Audience
        do {
            created = try await attempt.session.createAudience(body)
        } catch {
            if certainlyNotApplied(error) { try await commit(&attempt) { $0.pending = nil } }
            throw error
        }
        try await commit(&attempt) { record in
            record.pending = nil
            record.pinterestAudienceID = created.id
            record.audienceStatus = created.status
        }
        logger.notice("Pinterest audience created", metadata: ["activation_id": "\(attempt.activation.id)"])
    }

    /// Asks Pinterest whether a write whose outcome was not recorded landed, and commits what it
    /// did (or forgets the write, so it is sent again).
    func resolve(_ pending: PendingWrite, _ attempt: inout Attempt) async throws {
        let checkAt = plan.checkTime(of: pending)
        if checkAt > clock.now() { try await clock.sleep(until: checkAt) }
        let name = attempt.activation.customerListName
        switch pending.kind {
        case .createList:
            let lists = try await attempt.session.customerLists()
            if let found = lists.first(where: { $0.name == name }) {
                logger.notice("found the customer list an interrupted create made; using it", metadata: ["activation_id": "\(attempt.activation.id)"])
                try await commit(&attempt) { record in
                    record.pending = nil
                    record.customerListID = found.id
                    Self.apply(chunkOf: pending.count, adding: true, lastHash: pending.lastHash ?? "", to: &record)
                    Self.take(counters: found, to: &record, fallbackUploaded: pending.count, fallbackRemoved: 0)
                }
            } else {
                try await commit(&attempt) { $0.pending = nil }
            }
        case .add, .remove:
            guard let listID = attempt.activation.customerListID else {
                try await commit(&attempt) { $0.pending = nil }
                return
            }
            let list = try await attempt.session.customerList(listID)
            let adding = pending.kind == .add
            let counter = adding ? list.numUploadedUserRecords : list.numRemovedUserRecords
            let landed = counter.map { ActivationSyncPlan.landed(pending, counterNow: $0) } ?? false
            logger.notice(
                "checked a list write whose answer was lost", metadata: ["activation_id": "\(attempt.activation.id)", "landed": "\(landed)"])
            try await commit(&attempt) { record in
                record.pending = nil
                if landed { Self.apply(chunkOf: pending.count, adding: adding, lastHash: pending.lastHash ?? "", to: &record) }
                Self.take(counters: list, to: &record, fallbackUploaded: record.listUploaded, fallbackRemoved: record.listRemoved)
            }
            if landed { await reportProgress(attempt) }
        case .createAudience:
            let audiences = try await attempt.session.audiences()
            let found = audiences.first { $0.name == name && $0.audienceType == "CUSTOMER_LIST" }
            try await commit(&attempt) { record in
                record.pending = nil
                if let found {
                    record.pinterestAudienceID = found.id
                    record.audienceStatus = found.status
                }
            }
        }
    }

    /// Reads the list's and the audience's status back from Pinterest.
    func readStatuses(_ attempt: inout Attempt) async throws {
        guard let listID = attempt.activation.customerListID else { return }
        let list = try await attempt.session.customerList(listID)
        var audienceStatus = attempt.activation.audienceStatus
        if let audienceID = attempt.activation.pinterestAudienceID {
            audienceStatus = try await attempt.session.audience(audienceID).status ?? audienceStatus
        }
        try await commit(&attempt) { [audienceStatus] record in
            Self.take(counters: list, to: &record, fallbackUploaded: record.listUploaded, fallbackRemoved: record.listRemoved)
            record.audienceStatus = audienceStatus
        }
    }

    // MARK: - Helpers

    func commit(_ attempt: inout Attempt, _ change: @escaping @Sendable (inout ActivationRecord) -> Void) async throws {
        guard let updated = try await store.updateActivation(id: attempt.activation.id, now: clock.now(), change) else {
            throw JobFailure("activation \(attempt.activation.id) was deleted during its sync", retryable: false)
        }
        attempt.activation = updated
    }

    func record(_ activationID: Int64, _ change: @escaping @Sendable (inout ActivationRecord) -> Void) async throws {
        try await store.updateActivation(id: activationID, now: clock.now(), change)
    }

    func reportProgress(_ attempt: Attempt) async {
        guard let operation = attempt.activation.operation else { return }
        let done = Int64(operation.added + operation.removed)
        await attempt.context.reportProgress(
            done: done, total: attempt.total.map { max($0, done) },
            message: "\(operation.phase == .remove ? "removing" : "adding"): \(operation.added) added, \(operation.removed) removed")
    }

    private static func apply(chunkOf count: Int, adding: Bool, lastHash: String, to record: inout ActivationRecord) {
        record.operation?.cursor = lastHash
        if adding {
            record.operation?.added += count
            record.recordsAdded += count
        } else {
            record.operation?.removed += count
            record.recordsRemoved += count
        }
    }

    private static func take(counters list: CustomerList, to record: inout ActivationRecord, fallbackUploaded: Int, fallbackRemoved: Int) {
        record.listUploaded = list.numUploadedUserRecords ?? fallbackUploaded
        record.listRemoved = list.numRemovedUserRecords ?? fallbackRemoved
        if let status = list.status { record.listStatus = status }
    }
}

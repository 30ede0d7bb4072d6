import Foundation
import PinAdsProtocol
import PinAdsStore

/// `audiences.*` methods: audiences and their members (kept as hashes) here; activations, syncs
/// and actalikes through the `AudienceSyncer` (`AudienceMethods+Activations.swift`).
struct AudienceMethods: Sendable {
    static let maximumMembersPerRequest = 100_000

    let store: Store
    let clock: any WallClock
    let syncer: AudienceSyncer

    func create(_ request: CreateAudienceRequest) async throws -> AudienceResult {
        let name = request.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 256 else {
            throw ResponseError.invalidArgument(field: "name", reason: "must be 1 to 256 characters")
        }
        let listType = request.listType ?? MemberKind.email.rawValue
        guard MemberKind(rawValue: listType) != nil else {
            throw ResponseError.invalidArgument(field: "list_type", reason: "must be EMAIL, MAID or IDFA, got '\(listType)'")
        }
        do {
            return AudienceResult(
                audience: AudienceInfo(
                    try await syncer.describe(
                        try await store.createAudience(name: name, listType: listType, description: request.description, now: clock.now()))))
        } catch is AudienceNameTaken {
            throw ResponseError(
                code: .alreadyExists, message: "an audience named '\(name)' already exists; `pinads call audiences.list` shows it",
                details: ["field": "name"])
        }
    }

    func get(_ request: GetAudienceRequest) async throws -> AudienceResult {
        AudienceResult(audience: AudienceInfo(try await syncer.describe(try await existing(request.audienceId))))
    }

    func list(_ request: ListAudiencesRequest) async throws -> ListAudiencesResult {
        var audiences: [AudienceInfo] = []
        for record in try await store.audiences() { audiences.append(AudienceInfo(try await syncer.describe(record))) }
        return ListAudiencesResult(audiences: audiences)
    }

    func delete(_ request: DeleteAudienceRequest) async throws -> DeleteAudienceResult {
        let described = AudienceInfo(try await syncer.describe(try await existing(request.audienceId)))
        guard let record = try await store.deleteAudience(id: request.audienceId, now: clock.now()) else {
            throw ResponseError.notFound("audience", id: String(request.audienceId))
        }
        var audience = described
        audience.memberCount = record.memberCount
        audience.activations = audience.activations.map { activation in
            var activation = activation
            activation.active = false
            return activation
        }
        return DeleteAudienceResult(
            audience: audience,
            note: "deleted here with its members, and no longer synced; customer lists and audiences already at Pinterest are left as they are (Pinterest has no delete for customer lists)")
    }

    func add(_ request: AddMembersRequest) async throws -> MembersChangeResult {
        try await change(audienceID: request.audienceId, members: request.members, present: true)
    }

    func remove(_ request: RemoveMembersRequest) async throws -> MembersChangeResult {
        try await change(audienceID: request.audienceId, members: request.members, present: false)
    }

    /// Normalizes and hashes every member (the raw values go no further), then applies the valid
    /// ones in one transaction; invalid ones are reported by index.
    private func change(audienceID: Int64, members: [String], present: Bool) async throws -> MembersChangeResult {
        guard members.count <= Self.maximumMembersPerRequest else {
            throw ResponseError.invalidArgument(
                field: "members", reason: "at most \(Self.maximumMembersPerRequest) per request, got \(members.count); send them in chunks")
        }
        let audience = try await existing(audienceID)
        let normalizer = MemberNormalizer(kind: MemberKind(rawValue: audience.listType) ?? .email)
        var hashes: [MemberHash] = []
        hashes.reserveCapacity(members.count)
        var rejected: [RejectedMember] = []
        for (index, member) in members.enumerated() {
            switch normalizer.digest(member) {
            case .success(let hash): hashes.append(hash)
            case .failure(let reason): rejected.append(RejectedMember(index: index, reason: reason.description))
            }
        }
        guard let change = try await store.changeMembers(audienceID: audienceID, hashes: hashes, present: present, now: clock.now()) else {
            throw ResponseError.notFound("audience", id: String(audienceID))
        }
        if change.added + change.removed > 0 { await syncer.membersChanged(audienceID: audienceID) }
        return MembersChangeResult(added: change.added, removed: change.removed, unchanged: change.unchanged, rejected: rejected)
    }

    private func existing(_ id: Int64) async throws -> AudienceRecord {
        guard let record = try await store.audience(id: id) else { throw ResponseError.notFound("audience", id: String(id)) }
        return record
    }
}

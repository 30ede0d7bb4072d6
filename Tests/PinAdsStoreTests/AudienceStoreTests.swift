import Foundation
import GRDB
import Testing

@testable import PinAdsStore

@Suite("Audience store")
struct AudienceStoreTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func hash(_ n: UInt64) -> MemberHash { MemberHash(w0: n, w1: ~n, w2: n &* 31, w3: 7) }

    @Test func memberHashesRoundTripAndSortAsTheirHex() throws {
        let text = "00ff" + String(repeating: "a1", count: 30)
        let hash = try #require(MemberHash(hex: text.uppercased()))
        #expect(hash.hex == text)
        #expect(MemberHash(hex: String(text.dropLast())) == nil && MemberHash(hex: text + "0") == nil && MemberHash(hex: "zz" + text.dropFirst(2)) == nil)
        let hashes = (0..<50).map { Self.hash(UInt64($0) &* 0x9E37_79B9_7F4A_7C15) }
        #expect(hashes.sorted().map(\.hex) == hashes.map(\.hex).sorted())
        #expect(hash.withBytes { Array($0) }.count == 32 && hash.withBytes { MemberHash(bytes: $0) } == hash)
    }

    @Test func membersAreCountedAndVersioned() async throws {
        let t = try TemporaryStore()
        let audience = try await t.store.createAudience(name: "buyers", listType: "EMAIL", description: nil, now: now)
        #expect(audience.version == 0 && audience.memberCount == 0)
        let a = Self.hash(0xa), b = Self.hash(0xb), c = Self.hash(0xc)
        let added = try #require(try await t.store.changeMembers(audienceID: audience.id, hashes: [a, b, b], present: true, now: now))
        #expect(added == MembershipChange(added: 2, removed: 0, unchanged: 1))
        let again = try #require(try await t.store.changeMembers(audienceID: audience.id, hashes: [a, c], present: true, now: now))
        #expect(again.added == 1 && again.unchanged == 1)
        let removed = try #require(try await t.store.changeMembers(audienceID: audience.id, hashes: [b, Self.hash(0xd)], present: false, now: now))
        #expect(removed.removed == 1 && removed.unchanged == 1)
        let after = try #require(try await t.store.audience(id: audience.id))
        #expect(after.memberCount == 2)
        #expect(after.version == 3, "one version per call that changed something")
        let nothing = try #require(try await t.store.changeMembers(audienceID: audience.id, hashes: [a], present: true, now: now))
        #expect(nothing.unchanged == 1)
        #expect(try await t.store.audience(id: audience.id)?.version == 3, "no change, no new version")
        // Re-adding a removed member is an add again.
        #expect(try await t.store.changeMembers(audienceID: audience.id, hashes: [b], present: true, now: now)?.added == 1)
    }

    @Test func namesAreUniqueAmongLiveAudiencesAndDeleteIsLocal() async throws {
        let t = try TemporaryStore()
        let first = try await t.store.createAudience(name: "vip", listType: "EMAIL", description: "top buyers", now: now)
        await #expect(throws: AudienceNameTaken.self) { try await t.store.createAudience(name: "vip", listType: "MAID", description: nil, now: now) }
        _ = try await t.store.changeMembers(audienceID: first.id, hashes: [Self.hash(0xe)], present: true, now: now)
        #expect(try await t.store.deleteAudience(id: first.id, now: now)?.id == first.id)
        #expect(try await t.store.audience(id: first.id) == nil)
        #expect(try await t.store.changeMembers(audienceID: first.id, hashes: [], present: true, now: now) == nil)
        #expect(try await t.store.audiences().isEmpty)
        // The name is free again.
        #expect(try await t.store.createAudience(name: "vip", listType: "EMAIL", description: nil, now: now).id != first.id)
    }
}

@Suite("Store migrations")
struct MigrationTests {
    @Test func memberHashesMoveFromHexTextToBlobsWithTheirVersions() async throws {
        let directory = NSTemporaryDirectory() + "pinads-migrate-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/pinads.db"
        let hexes = ["ab", "01", "ff"].map { String(repeating: $0, count: 32) }
        do {
            // A store as the previous release left it.
            let queue = try DatabaseQueue(path: path)
            try Store.migrator.migrate(queue, upTo: "v5_activations")
            try await queue.write { db in
                try db.execute(sql: "INSERT INTO audiences (name, list_type, version, member_count, created_at, updated_at) VALUES ('a', 'EMAIL', 2, 2, 0, 0)")
                try db.execute(sql: "INSERT INTO audience_members VALUES (1, ?, 1, 1), (1, ?, 1, 2), (1, ?, 0, 2)", arguments: [hexes[0], hexes[1], hexes[2]])
            }
        }
        let store = try Store(path: path)
        #expect(try await store.presentMemberHashes(audienceID: 1) == [hexes[1], hexes[0]], "hash order, as before")
        #expect(try await store.memberChunk(audienceID: 1, present: false, afterVersion: 1, upToVersion: 2, afterHash: "", limit: 10) == [hexes[2]])
        #expect(try await store.pendingChangeCount(audienceID: 1, syncedVersion: 1) == 2, "version 2 changed two members")
        let readded = try #require(MemberHash(hex: hexes[2]))
        let next = try await store.changeMembers(audienceID: 1, hashes: [readded], present: true, now: Date())
        #expect(next?.added == 1)
    }
}

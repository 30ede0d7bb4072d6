import Foundation
import PinAdsProtocol
import Testing

@testable import PinAdsDaemon

/// Who may connect, with what role: `--allow-uid` and `--allow-group` entries, and a peer's
/// grant from its uid and groups.
@Suite("Access policy")
struct AccessPolicyTests {
    let users = ["shop": UInt32(1001), "cron": 1002]
    let groups = ["www-data": UInt32(33), "ops": 2000]

    func parse(uids: [String] = [], groups groupEntries: [String] = []) throws(AccessPolicy.EntryError) -> AccessPolicy {
        try AccessPolicy.parse(uids: uids, groups: groupEntries, ownUID: 500, user: { users[$0] }, group: { groups[$0] })
    }

    @Test func entriesTakeNamesOrNumbersAndARole() throws {
        let policy = try parse(uids: ["shop", "1500:admin"], groups: ["www-data", "2000:admin", "33:admin"])
        #expect(policy.uids == [1001: .client, 1500: .admin])
        #expect(policy.groups.map(\.gid) == [33, 2000] && policy.groups.map(\.role) == [.admin, .admin], "a group given twice keeps its best role")
        #expect(policy.socketGroup == 33, "the first group given owns the socket")
        #expect(AccessPolicy.entries("www-data:client, ops:admin") == ["www-data:client", "ops:admin"])
    }

    @Test func badEntriesNameTheFlagAndTheFix() {
        func refusal(_ body: () throws -> AccessPolicy) -> AccessPolicy.EntryError? {
            do {
                _ = try body()
                return nil
            } catch {
                return error as? AccessPolicy.EntryError
            }
        }
        #expect(refusal { try parse(groups: ["nosuch"]) }?.description == "--allow-group 'nosuch': no such group (give a group name or a numeric gid)")
        #expect(refusal { try parse(uids: ["shop:root"]) }?.reason.contains("client (the default) or admin") == true)
        #expect(refusal { try parse(uids: ["500"]) }?.reason.contains("own user") == true)
        #expect(refusal { try parse(uids: [":admin"]) }?.flag == "--allow-uid")
    }

    @Test func aPeerGetsTheBestRoleOfItsUidAndGroups() throws {
        let policy = try parse(uids: ["cron:admin"], groups: ["www-data", "ops:admin"])
        #expect(policy.grant(uid: 500, gid: 500, groups: []) == .init(role: .owner, grantedBy: "owner"))
        #expect(policy.grant(uid: 1001, gid: 33, groups: []) == .init(role: .client, grantedBy: "group 33"), "its primary group")
        #expect(policy.grant(uid: 1001, gid: 1001, groups: [7, 33]) == .init(role: .client, grantedBy: "group 33"), "a supplementary group")
        #expect(policy.grant(uid: 1001, gid: 1001, groups: [33, 2000])?.role == .admin)
        #expect(policy.grant(uid: 1002, gid: 1002, groups: [33]) == .init(role: .admin, grantedBy: "uid"))
        #expect(policy.grant(uid: 1003, gid: 1003, groups: [7]) == nil, "in no allowed group: refused")
        #expect(AccessPolicy(ownUID: 500).grant(uid: 1001, gid: 33, groups: []) == nil, "nobody else without flags")
    }

    @Test func rolesAreDeclaredForEveryMethod() {
        let client: Set<String> = [
            "conversions.send", "conversions.stats", "conversions.get", "conversions.list", "audiences.add_members", "audiences.remove_members",
            "audiences.get", "audiences.list", "audiences.activations", "audiences.sync", "campaigns.list", "campaigns.get", "campaigns.metrics",
            "ad_accounts.list", "jobs.get", "jobs.list", "jobs.watch", "system.health", "system.status", "system.methods", "system.whoami",
        ]
        #expect(Set(MethodRegistry.roles.filter { $0.value == .client }.keys) == client)
        #expect(MethodRegistry.roles.count == MethodRegistry.names.count)
        for method in ["connections.connect", "connections.set_conversion_token", "schedule.run", "audiences.create", "audiences.delete",
            "audiences.activate", "campaigns.launch", "campaigns.update", "jobs.retry", "jobs.cancel", "connections.set_default_ad_account"]
        {
            #expect(MethodRegistry.roles[method] == .admin, "\(method)")
        }
        #expect(MethodRole.owner.may(.admin) && MethodRole.admin.may(.client) && !MethodRole.client.may(.admin))
    }

    @Test func theProcessGroupsComeFromProc() {
        let mine = AccessPolicy.groups(ofProcess: getpid())
        var expected = [gid_t](repeating: 0, count: 256)
        let count = getgroups(Int32(expected.count), &expected)
        #expect(Set(mine) == Set(expected.prefix(Int(max(0, count)))))
        #expect(AccessPolicy.groups(ofProcess: -1).isEmpty)
    }
}

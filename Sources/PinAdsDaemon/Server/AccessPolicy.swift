#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PinAdsProtocol

/// Who may connect to the daemon's socket, and with what role: its own user (`owner`, every
/// method), and the users and groups allowed by `--allow-uid` and `--allow-group` (`client`,
/// the data-plane methods, or with `:admin` every method). Anyone else is refused at connect.
/// Pure: the peer's uid and groups come from the kernel (SO_PEERCRED, the peer process's
/// groups), names are resolved when the policy is made.
public struct AccessPolicy: Sendable, Equatable {
    public var ownUID: UInt32
    /// Allowed users by uid, with their role.
    public var uids: [UInt32: MethodRole]
    /// Allowed groups by gid, with their role, in the order given (the first owns the socket).
    public var groups: [(gid: UInt32, role: MethodRole)]

    public init(ownUID: UInt32 = getuid(), uids: [UInt32: MethodRole] = [:], groups: [(gid: UInt32, role: MethodRole)] = []) {
        self.ownUID = ownUID
        self.uids = uids
        self.groups = groups
    }

    public static func == (lhs: AccessPolicy, rhs: AccessPolicy) -> Bool {
        lhs.ownUID == rhs.ownUID && lhs.uids == rhs.uids && lhs.groups.map(\.gid) == rhs.groups.map(\.gid)
            && lhs.groups.map(\.role) == rhs.groups.map(\.role)
    }

    /// The group the socket belongs to (mode 0660) when groups are allowed.
    public var socketGroup: UInt32? { groups.first?.gid }

    /// A peer's role and what gave it.
    public struct Grant: Sendable, Equatable {
        public var role: MethodRole
        /// `owner`, `uid`, or `group <gid>`.
        public var grantedBy: String
    }

    /// The peer's role: the best of its uid's and its groups' (primary and supplementary);
    /// nil when it is none of them.
    public func grant(uid: UInt32, gid: UInt32, groups peerGroups: [UInt32]) -> Grant? {
        if uid == ownUID { return Grant(role: .owner, grantedBy: "owner") }
        var best: Grant?
        if let role = uids[uid] { best = Grant(role: role, grantedBy: "uid") }
        let held = Set([gid] + peerGroups)
        for (group, role) in groups where held.contains(group) {
            if best.map({ role > $0.role }) ?? true { best = Grant(role: role, grantedBy: "group \(group)") }
        }
        return best
    }

    /// Why a `--allow-uid`/`--allow-group` entry cannot be used.
    public struct EntryError: Error, CustomStringConvertible, Equatable {
        public var flag: String
        public var entry: String
        public var reason: String
        public var description: String { "\(flag) '\(entry)': \(reason)" }
    }

    /// The policy of `--allow-uid` and `--allow-group` entries, `NAME_OR_ID[:ROLE]` each (ROLE
    /// `client`, the default, or `admin`). `user` and `group` resolve names.
    public static func parse(
        uids uidEntries: [String], groups groupEntries: [String], ownUID: UInt32 = getuid(),
        user: (String) -> UInt32? = AccessPolicy.lookUpUser, group: (String) -> UInt32? = AccessPolicy.lookUpGroup
    ) throws(EntryError) -> AccessPolicy {
        var policy = AccessPolicy(ownUID: ownUID)
        for entry in uidEntries {
            let (name, role) = try split(entry, flag: "--allow-uid")
            guard let uid = UInt32(name) ?? user(name) else {
                throw EntryError(flag: "--allow-uid", entry: entry, reason: "no such user (give a user name or a numeric uid)")
            }
            guard uid != ownUID else {
                throw EntryError(flag: "--allow-uid", entry: entry, reason: "uid \(uid) is the daemon's own user, which may call every method already")
            }
            policy.uids[uid] = max(policy.uids[uid] ?? role, role)
        }
        for entry in groupEntries {
            let (name, role) = try split(entry, flag: "--allow-group")
            guard let gid = UInt32(name) ?? group(name) else {
                throw EntryError(flag: "--allow-group", entry: entry, reason: "no such group (give a group name or a numeric gid)")
            }
            if let index = policy.groups.firstIndex(where: { $0.gid == gid }) {
                policy.groups[index].role = max(policy.groups[index].role, role)
            } else {
                policy.groups.append((gid, role))
            }
        }
        return policy
    }

    private static func split(_ entry: String, flag: String) throws(EntryError) -> (String, MethodRole) {
        let parts = entry.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let name = parts[0].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw EntryError(flag: flag, entry: entry, reason: "names no user or group") }
        guard parts.count == 2 else { return (name, .client) }
        switch parts[1] {
        case "client": return (name, .client)
        case "admin": return (name, .admin)
        default: throw EntryError(flag: flag, entry: entry, reason: "the role must be client (the default) or admin, got '\(parts[1])'")
        }
    }

    /// Entries of an environment variable: comma- or space-separated.
    public static func entries(_ text: String?) -> [String] {
        (text ?? "").split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
    }

    public static func lookUpUser(_ name: String) -> UInt32? {
        guard let entry = getpwnam(name) else { return nil }
        return entry.pointee.pw_uid
    }

    public static func lookUpGroup(_ name: String) -> UInt32? {
        guard let entry = getgrnam(name) else { return nil }
        return entry.pointee.gr_gid
    }

    /// The supplementary groups of a process, from `/proc/PID/status` (its `Groups:` line);
    /// when that cannot be read (the process is gone already), the groups the system gives its
    /// user (`getgrouplist`), or none.
    static func groups(ofProcess pid: Int32, uid: UInt32? = nil) -> [UInt32] {
        if pid > 0, let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) {
            for line in text.split(separator: "\n") where line.hasPrefix("Groups:") {
                return line.dropFirst("Groups:".count).split(whereSeparator: \.isWhitespace).compactMap { UInt32($0) }
            }
        }
        guard let uid, let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return [] }
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(name, entry.pointee.pw_gid, &groups, &count) < 0 {
            groups = [gid_t](repeating: 0, count: Int(count))
            guard getgrouplist(name, entry.pointee.pw_gid, &groups, &count) >= 0 else { return [] }
        }
        return Array(groups.prefix(Int(count)))
    }

    /// The first folder above the socket that members of `gid` cannot pass (neither theirs with
    /// x for the group nor x for others), nil when they can reach it; e.g. `/run/user/1000`
    /// (0700), where a user service's runtime folder lives.
    static func unreachableFolder(above socketPath: String, gid: UInt32) -> String? {
        var folder = (socketPath as NSString).deletingLastPathComponent
        while !folder.isEmpty {
            var info = stat()
            if stat(folder, &info) == 0 {
                let passable = info.st_mode & 0o001 != 0 || (info.st_gid == gid && info.st_mode & 0o010 != 0)
                if !passable { return folder }
            }
            if folder == "/" { break }
            folder = (folder as NSString).deletingLastPathComponent
        }
        return nil
    }
}

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import PinAdsStore
import Testing

@testable import PinAdsDaemon

/// The state directory's rules (StrictModes): the pure decision from stat results, then the
/// thin I/O part on temporary folders.
@Suite("State directory")
struct StateDirectoryTests {
    static let me: UInt32 = 1000
    static let folderPath = "/home/ana/.local/state/pinads"

    private func folder(_ mode: UInt32, owner: UInt32 = me, kind: StateEntryStatus.Kind = .directory) throws(StateDirectoryError)
        -> StateDirectoryRules.Verdict
    {
        try StateDirectoryRules.folder(StateEntryStatus(kind: kind, owner: owner, mode: mode), path: Self.folderPath, uid: Self.me)
    }

    private func file(_ file: StateFile, _ mode: UInt32, owner: UInt32 = me, kind: StateEntryStatus.Kind = .regularFile) throws(StateDirectoryError)
        -> StateDirectoryRules.Verdict
    {
        try StateDirectoryRules.file(
            StateEntryStatus(kind: kind, owner: owner, mode: mode), file, path: Self.folderPath + "/" + file.name, uid: Self.me)
    }

    // MARK: The decision: the folder

    @Test func anOwnerOnlyFolderIsAccepted() throws {
        #expect(try folder(0o700) == .accept)
    }

    @Test func aFolderOnlyTooOpenForReadingIsTightened() throws {
        #expect(try folder(0o755) == .tighten(from: 0o755, to: 0o700))
        #expect(try folder(0o750) == .tighten(from: 0o750, to: 0o700))
        #expect(try folder(0o711) == .tighten(from: 0o711, to: 0o700))
    }

    @Test func aFolderOthersMayWriteInIsRefused() {
        for mode: UInt32 in [0o770, 0o775, 0o777, 0o702, 0o1777] {
            #expect(throws: StateDirectoryError.writableByOthers(path: Self.folderPath, what: "state directory", mode: mode)) {
                try folder(mode)
            }
        }
    }

    @Test func aFolderOfAnotherUserIsRefusedWhateverItsMode() {
        #expect(throws: StateDirectoryError.wrongOwner(path: Self.folderPath, what: "state directory", owner: 1001, expected: Self.me)) {
            try folder(0o700, owner: 1001)
        }
        // Root's folder is not the user's either.
        #expect(throws: StateDirectoryError.wrongOwner(path: Self.folderPath, what: "state directory", owner: 0, expected: Self.me)) {
            try folder(0o777, owner: 0)
        }
    }

    @Test func asRootTheOwnerMustBeRoot() throws {
        let status = StateEntryStatus(kind: .directory, owner: 1000, mode: 0o700)
        #expect(throws: StateDirectoryError.wrongOwner(path: "/var/lib/pinads", what: "state directory", owner: 1000, expected: 0)) {
            try StateDirectoryRules.folder(status, path: "/var/lib/pinads", uid: 0)
        }
        let rootOwned = StateEntryStatus(kind: .directory, owner: 0, mode: 0o700)
        #expect(try StateDirectoryRules.folder(rootOwned, path: "/var/lib/pinads", uid: 0) == .accept)
    }

    @Test func aSymlinkOrAFileIsNotAStateFolder() {
        #expect(throws: StateDirectoryError.symlink(path: Self.folderPath, what: "state directory")) { try folder(0o777, kind: .symlink) }
        #expect(throws: StateDirectoryError.wrongKind(path: Self.folderPath, what: "state directory", expected: "a folder")) {
            try folder(0o600, kind: .regularFile)
        }
    }

    // MARK: The decision: the files

    @Test func ownerOnlyFilesAreAccepted() throws {
        for entry in StateFile.allCases {
            #expect(try file(entry, 0o600) == .accept, "\(entry)")
            #expect(try file(entry, 0o400) == .accept, "\(entry)")
        }
    }

    @Test func aFileOthersMayWriteToIsRefused() {
        for entry in StateFile.allCases {
            for mode: UInt32 in [0o666, 0o620, 0o602, 0o664] {
                #expect(throws: StateDirectoryError.writableByOthers(path: Self.folderPath + "/" + entry.name, what: entry.what, mode: mode)) {
                    try file(entry, mode)
                }
            }
        }
    }

    @Test func aFileOnlyTooOpenForReadingIsTightenedExceptTheKey() throws {
        for entry in StateFile.allCases where entry != .key {
            #expect(try file(entry, 0o644) == .tighten(from: 0o644, to: 0o600), "\(entry)")
            #expect(try file(entry, 0o640) == .tighten(from: 0o640, to: 0o600), "\(entry)")
        }
        #expect(throws: StateDirectoryError.readableByOthers(path: Self.folderPath + "/pinads.key", what: "secrets key", mode: 0o644)) {
            try file(.key, 0o644)
        }
    }

    @Test func aFileOfAnotherUserASymlinkOrAFolderIsRefused() {
        for entry in StateFile.allCases {
            let path = Self.folderPath + "/" + entry.name
            #expect(throws: StateDirectoryError.wrongOwner(path: path, what: entry.what, owner: 0, expected: Self.me)) {
                try file(entry, 0o600, owner: 0)
            }
            #expect(throws: StateDirectoryError.symlink(path: path, what: entry.what)) { try file(entry, 0o777, kind: .symlink) }
            #expect(throws: StateDirectoryError.wrongKind(path: path, what: entry.what, expected: "a regular file")) {
                try file(entry, 0o700, kind: .directory)
            }
            #expect(throws: StateDirectoryError.wrongKind(path: path, what: entry.what, expected: "a regular file")) {
                try file(entry, 0o600, kind: .other)
            }
        }
    }

    @Test func errorsNameThePathWhatWasFoundAndTheFix() {
        let lock = Self.folderPath + "/pinadsd.lock"
        let cases: [(StateDirectoryError, [String])] = [
            (.writableByOthers(path: Self.folderPath, what: "state directory", mode: 0o775), [Self.folderPath, "775", "`chmod 700 \(Self.folderPath)`"]),
            (.wrongOwner(path: Self.folderPath, what: "state directory", owner: 65534, expected: 0), [Self.folderPath, "uid 65534", "uid 0", "`chown 0 \(Self.folderPath)`"]),
            (.symlink(path: Self.folderPath, what: "state directory"), [Self.folderPath, "symbolic link", "remove the symlink"]),
            (.symlink(path: lock, what: "lock file"), [lock, "symbolic link", "`rm \(lock)`", "target is left alone"]),
            (.writableByOthers(path: Self.folderPath + "/pinads.db", what: "database", mode: 0o666), ["pinads.db", "666", "`chmod 600 \(Self.folderPath)/pinads.db`"]),
            (.wrongOwner(path: Self.folderPath + "/pinads.key", what: "secrets key", owner: 65534, expected: 0), ["pinads.key", "uid 65534", "`rm \(Self.folderPath)/pinads.key`", "chown 0"]),
            (.readableByOthers(path: Self.folderPath + "/pinads.key", what: "secrets key", mode: 0o644), ["pinads.key", "644", "`chmod 600"]),
        ]
        for (error, parts) in cases {
            for part in parts { #expect(error.description.contains(part), "\(error.description) lacks \(part)") }
        }
    }

    // MARK: The I/O part

    private let logger = Logger(label: "test")

    private func temporaryFolder() throws -> String {
        var template = Array((NSTemporaryDirectory() + "pinads-state-XXXXXX").utf8CString)
        let made: String? = template.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, mkdtemp(base) != nil else { return nil }
            return String(cString: base)
        }
        guard let made else { throw StateDirectoryTestFailure("mkdtemp failed: errno \(errno)") }
        return made
    }

    private func mode(_ path: String) -> UInt32 {
        var info = stat()
        guard lstat(path, &info) == 0 else { return 0 }
        return UInt32(info.st_mode & 0o7777)
    }

    @Test func aMissingFolderIsMadeOwnerOnlyWithItsParents() throws {
        let base = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let path = base + "/a/b/state"
        let state = try StateDirectory.prepare(path, logger: logger)
        #expect(state.path == path)
        #expect(mode(path) == 0o700)
        #expect(mode(base + "/a") == 0o700)
    }

    @Test func aReadableFolderIsTightenedAndAWritableOneLeftAsItIs() throws {
        let base = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: base) }
        chmod(base, 0o755)
        _ = try StateDirectory.prepare(base, logger: logger)
        #expect(mode(base) == 0o700)

        chmod(base, 0o770)
        #expect(throws: StateDirectoryError.writableByOthers(path: base, what: "state directory", mode: 0o770)) {
            try StateDirectory.prepare(base, logger: logger)
        }
        #expect(mode(base) == 0o770, "a refused folder is not changed")
    }

    @Test func foldersAboveMayBeRootsOrOursAndWritableByOthersOnlyWhenSticky() throws {
        func ancestor(_ mode: UInt32, owner: UInt32) throws(StateDirectoryError) {
            try StateDirectoryRules.ancestor(
                StateEntryStatus(kind: .directory, owner: owner, mode: mode), path: "/home/ana", stateDirectory: Self.folderPath, uid: Self.me)
        }
        try ancestor(0o755, owner: 0)
        try ancestor(0o700, owner: Self.me)
        try ancestor(0o1777, owner: 0)  // /tmp
        #expect(throws: StateDirectoryError.unsafeAncestor(path: "/home/ana", stateDirectory: Self.folderPath, owner: 1001, mode: 0o755)) {
            try ancestor(0o755, owner: 1001)
        }
        #expect(throws: StateDirectoryError.unsafeAncestor(path: "/home/ana", stateDirectory: Self.folderPath, owner: Self.me, mode: 0o775)) {
            try ancestor(0o775, owner: Self.me)
        }
    }

    @Test func aStateFolderUnderAFolderOthersMayWriteInIsRefused() throws {
        let base = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: base) }
        chmod(base, 0o777)
        let path = base + "/state"
        #expect(throws: StateDirectoryError.unsafeAncestor(path: base, stateDirectory: path, owner: UInt32(geteuid()), mode: 0o777)) {
            try StateDirectory.prepare(path, logger: logger)
        }
        // With the sticky bit nobody else may rename or remove it: accepted.
        chmod(base, 0o1777)
        _ = try StateDirectory.prepare(path, logger: logger)
        let message = StateDirectoryError.unsafeAncestor(path: base, stateDirectory: path, owner: 1001, mode: 0o777).description
        #expect(message.contains(base) && message.contains("uid 1001") && message.contains("777") && message.contains("--state-dir"))
    }

    @Test func aSymlinkedFolderIsRefused() throws {
        let base = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: base) }
        try FileManager.default.createDirectory(atPath: base + "/real", withIntermediateDirectories: false)
        symlink(base + "/real", base + "/link")
        #expect(throws: StateDirectoryError.symlink(path: base + "/link", what: "state directory")) {
            try StateDirectory.prepare(base + "/link", logger: logger)
        }
    }

    @Test func aSymlinkedFileIsNeverOpenedNorItsTargetWritten() throws {
        let base = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: base) }
        chmod(base, 0o700)
        let target = base + "/precious"
        let content = Data("keep me\n".utf8)
        _ = FileManager.default.createFile(atPath: target, contents: content)
        for file in StateFile.allCases {
            let path = base + "/" + file.name
            symlink(target, path)
            #expect(throws: StateDirectoryError.symlink(path: path, what: file.what)) { try StateDirectory.prepare(base, logger: logger) }
            let state = StateDirectory(path: base, uid: UInt32(geteuid()))
            #expect(throws: StateDirectoryError.symlink(path: path, what: file.what)) {
                try state.open(file, access: O_RDWR, create: true, logger: logger)
            }
            unlink(path)
        }
        // The lock goes through the same open.
        symlink(target, base + "/pinadsd.lock")
        #expect(throws: StateDirectoryError.symlink(path: base + "/pinadsd.lock", what: "lock file")) {
            try InstanceGuard.lockStateDirectory(StateDirectory(path: base, uid: UInt32(geteuid())), logger: logger)
        }
        // So does the key.
        symlink(target, base + "/pinads.key")
        #expect(throws: VaultError.unsafeKeyFile(.symlink(path: base + "/pinads.key", what: "secrets key"))) {
            try TokenVault.open(stateDirectory: base, environment: [:])
        }
        // And the database.
        symlink(target, base + "/pinads.db")
        #expect(throws: StoreError.self) { try Store(path: base + "/pinads.db") }
        #expect(FileManager.default.contents(atPath: target) == content, "the symlinks' target is untouched")
    }

    @Test func newFilesAreMadeOwnerOnlyAndReadableExistingOnesTightened() throws {
        let base = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let state = try StateDirectory.prepare(base, logger: logger)
        let fd = try #require(try state.open(.lock, access: O_RDWR, create: true, logger: logger))
        close(fd)
        #expect(mode(base + "/pinadsd.lock") == 0o600)
        #expect(try state.open(.database, access: O_RDONLY, create: false, logger: logger) == nil, "no file, no create: nil")

        _ = FileManager.default.createFile(atPath: base + "/pinads.db", contents: Data())
        chmod(base + "/pinads.db", 0o644)
        _ = try StateDirectory.prepare(base, logger: logger)
        #expect(mode(base + "/pinads.db") == 0o600)

        chmod(base + "/pinads.db", 0o666)
        #expect(throws: StateDirectoryError.writableByOthers(path: base + "/pinads.db", what: "database", mode: 0o666)) {
            try StateDirectory.prepare(base, logger: logger)
        }
        chmod(base + "/pinads.db", 0o600)
        _ = FileManager.default.createFile(atPath: base + "/pinads.db-wal", contents: Data())
        chmod(base + "/pinads.db-wal", 0o666)
        #expect(throws: StateDirectoryError.writableByOthers(path: base + "/pinads.db-wal", what: "database's write-ahead log", mode: 0o666)) {
            try StateDirectory.prepare(base, logger: logger)
        }
    }

    @Test func theLockRecordsThePidOverAnOldOne() throws {
        let base = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let state = try StateDirectory.prepare(base, logger: logger)
        _ = FileManager.default.createFile(atPath: base + "/pinadsd.lock", contents: Data("123456789012\n".utf8))
        chmod(base + "/pinadsd.lock", 0o600)
        let fd = try InstanceGuard.lockStateDirectory(state, logger: logger)
        defer { close(fd) }
        #expect(FileManager.default.contents(atPath: base + "/pinadsd.lock") == Data("\(getpid())\n".utf8))
    }
}

struct StateDirectoryTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PinAdsClient
import PinAdsProtocol
import Testing

/// The real `pinadsd` on state directories another user prepared (StrictModes: each refused at
/// start, naming the path, what was found and the fix, and nothing written through a symlink),
/// on a folder only too open for reading (tightened), and on a full disk at start.
@Suite("State directory end to end")
struct StateDirectoryEndToEndTests {
    /// The uid that plays the other user.
    static let stranger: uid_t = 65534

    /// Runs `pinadsd` on the daemon's paths and expects it to refuse to start.
    private func refusedStart(_ daemon: Daemon, environment: [String: String] = [:]) async throws -> CommandResult {
        let start = try await runCommand(
            Binaries.pinadsd, ["--socket", daemon.socketPath, "--state-dir", daemon.stateDirectory],
            environment: Daemon.baseEnvironment.merging(environment) { _, new in new }, timeout: 30)
        #expect(start.status == 1, "pinadsd started: \(start.stdout)\(start.stderr)")
        #expect(!start.stderr.contains("Fatal error"), "\(start.stderr)")
        #expect(!FileManager.default.fileExists(atPath: daemon.socketPath), "no socket was bound")
        return start
    }

    private func mode(_ path: String) -> mode_t {
        var info = stat()
        guard lstat(path, &info) == 0 else { return 0 }
        return info.st_mode & 0o7777
    }

    private func entries(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    // MARK: Refused

    @Test(.enabled(if: getuid() == 0, "needs root to give the folder to another uid (chown)"))
    func aFolderOwnedByAnotherUserIsRefused() async throws {
        let daemon = try Daemon()
        try FileManager.default.createDirectory(atPath: daemon.stateDirectory, withIntermediateDirectories: false)
        chmod(daemon.stateDirectory, 0o700)
        #expect(chown(daemon.stateDirectory, Self.stranger, Self.stranger) == 0)
        let start = try await refusedStart(daemon)
        #expect(start.stderr.contains("state directory \(daemon.stateDirectory)"), "\(start.stderr)")
        #expect(start.stderr.contains("belongs to uid \(Self.stranger), not to uid 0"), "\(start.stderr)")
        #expect(start.stderr.contains("`chown 0 \(daemon.stateDirectory)`"), "\(start.stderr)")
        #expect(entries(daemon.stateDirectory).isEmpty, "nothing was written in it: \(entries(daemon.stateDirectory))")
    }

    @Test func aGroupWritableFolderIsRefused() async throws {
        let daemon = try Daemon()
        try FileManager.default.createDirectory(atPath: daemon.stateDirectory, withIntermediateDirectories: false)
        chmod(daemon.stateDirectory, 0o770)
        let start = try await refusedStart(daemon)
        #expect(start.stderr.contains("state directory \(daemon.stateDirectory)"), "\(start.stderr)")
        #expect(start.stderr.contains("mode 770"), "\(start.stderr)")
        #expect(start.stderr.contains("`chmod 700 \(daemon.stateDirectory)`"), "\(start.stderr)")
        #expect(mode(daemon.stateDirectory) == 0o770, "a refused folder is left as it was")
        #expect(entries(daemon.stateDirectory).isEmpty, "nothing was written in it: \(entries(daemon.stateDirectory))")
    }

    /// The planted lock symlink of the issue: the daemon used to truncate its target and write
    /// its pid into it.
    @Test func aSymlinkedLockFileIsRefusedAndItsTargetUntouched() async throws {
        let daemon = try Daemon()
        try FileManager.default.createDirectory(atPath: daemon.stateDirectory, withIntermediateDirectories: false)
        chmod(daemon.stateDirectory, 0o700)
        let target = daemon.folder.path + "/victim"
        let content = Data("a file the planter wants overwritten\n".utf8)
        #expect(FileManager.default.createFile(atPath: target, contents: content))
        let lock = daemon.stateDirectory + "/pinadsd.lock"
        #expect(symlink(target, lock) == 0)
        var before = stat()
        #expect(stat(target, &before) == 0)

        let start = try await refusedStart(daemon)
        #expect(start.stderr.contains("lock file \(lock)"), "\(start.stderr)")
        #expect(start.stderr.contains("symbolic link"), "\(start.stderr)")
        #expect(start.stderr.contains("`rm \(lock)`"), "\(start.stderr)")
        #expect(FileManager.default.contents(atPath: target) == content, "the target's content is untouched")
        var after = stat()
        #expect(stat(target, &after) == 0)
        #expect(after.st_size == before.st_size, "the target's size is untouched")
        #expect(after.st_mtim.tv_sec == before.st_mtim.tv_sec && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec, "the target was not written")
        #expect(entries(daemon.stateDirectory) == ["pinadsd.lock"], "nothing else was made: \(entries(daemon.stateDirectory))")
    }

    /// The planted key of the issue: as root the daemon used it, and the planter could then open
    /// every sealed token.
    @Test(.enabled(if: getuid() == 0, "needs root to give the key to another uid (chown)"))
    func aKeyOwnedByAnotherUserIsRefused() async throws {
        let daemon = try Daemon()
        try FileManager.default.createDirectory(atPath: daemon.stateDirectory, withIntermediateDirectories: false)
        chmod(daemon.stateDirectory, 0o700)
        let key = daemon.stateDirectory + "/pinads.key"
        #expect(FileManager.default.createFile(atPath: key, contents: Data(repeating: 7, count: 32)))
        chmod(key, 0o600)
        #expect(chown(key, Self.stranger, Self.stranger) == 0)
        let start = try await refusedStart(daemon)
        #expect(start.stderr.contains("secrets key \(key)"), "\(start.stderr)")
        #expect(start.stderr.contains("belongs to uid \(Self.stranger), not to uid 0"), "\(start.stderr)")
        #expect(start.stderr.contains("`rm \(key)`"), "\(start.stderr)")
        #expect(entries(daemon.stateDirectory) == ["pinads.key"], "no database was made beside it: \(entries(daemon.stateDirectory))")
    }

    /// systemd's credentials folder is systemd's: its key is read as given (owned by another uid
    /// as root sees it, mode 0440), and no key is made in the state directory.
    @Test func aKeyFromSystemdCredentialsIsReadAsGiven() async throws {
        let daemon = try Daemon()
        let credentials = daemon.folder.path + "/credentials"
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: false)
        let key = credentials + "/pinads.key"
        #expect(FileManager.default.createFile(atPath: key, contents: Data(repeating: 9, count: 32)))
        chmod(key, 0o440)
        if getuid() == 0 { #expect(chown(key, Self.stranger, Self.stranger) == 0) }
        try await daemon.start(environment: ["CREDENTIALS_DIRECTORY": credentials])
        #expect(!FileManager.default.fileExists(atPath: daemon.stateDirectory + "/pinads.key"))
        #expect(mode(key) == 0o440, "systemd's file is left as it is")
        #expect(try await daemon.stop() == 0)
    }

    /// A database others may write to (the issue's 0666 pinads.db, which made SQLite create
    /// 0666 -wal and -shm files): refused, and no -wal or -shm is made from it.
    @Test func aWorldWritableDatabaseIsRefused() async throws {
        // Planted before the first start.
        let planted = try Daemon()
        try FileManager.default.createDirectory(atPath: planted.stateDirectory, withIntermediateDirectories: false)
        chmod(planted.stateDirectory, 0o700)
        let plantedDatabase = planted.stateDirectory + "/pinads.db"
        #expect(FileManager.default.createFile(atPath: plantedDatabase, contents: Data()))
        #expect(chmod(plantedDatabase, 0o666) == 0)
        let first = try await refusedStart(planted)
        #expect(first.stderr.contains("database \(plantedDatabase)"), "\(first.stderr)")
        #expect(first.stderr.contains("mode 666"), "\(first.stderr)")
        #expect(first.stderr.contains("`chmod 600 \(plantedDatabase)`"), "\(first.stderr)")
        #expect(entries(planted.stateDirectory) == ["pinads.db"], "no -wal, -shm, lock or key was made: \(entries(planted.stateDirectory))")
        #expect(mode(plantedDatabase) == 0o666, "a refused file is left as it was")

        // A daemon's own database opened to others later.
        let daemon = try Daemon()
        try await daemon.start()
        _ = try daemon.call(CreateAudienceRequest(name: "kept"))
        #expect(try await daemon.stop() == 0)
        let database = daemon.stateDirectory + "/pinads.db"
        #expect(chmod(database, 0o666) == 0)
        let start = try await refusedStart(daemon)
        #expect(start.stderr.contains("database \(database)") && start.stderr.contains("mode 666"), "\(start.stderr)")
        for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: database + suffix) {
            #expect(mode(database + suffix) == 0o600, "\(suffix) stays 0600")
        }

        // A planted world-writable -wal beside a private database: refused too.
        #expect(chmod(database, 0o600) == 0)
        if !FileManager.default.fileExists(atPath: database + "-wal") {
            #expect(FileManager.default.createFile(atPath: database + "-wal", contents: Data()))
        }
        #expect(chmod(database + "-wal", 0o666) == 0)
        let again = try await refusedStart(daemon)
        #expect(again.stderr.contains("write-ahead log \(database)-wal") && again.stderr.contains("mode 666"), "\(again.stderr)")

        // Once fixed as the message says, the daemon starts with its data.
        #expect(chmod(database + "-wal", 0o600) == 0)
        try await daemon.start()
        #expect(try daemon.call(ListAudiencesRequest()).audiences.map(\.name) == ["kept"])
        #expect(try await daemon.stop() == 0)
    }

    // MARK: Tightened

    /// A state folder only too open for reading (0755) and a database readable by others are
    /// made owner-only, logged, and the daemon starts with its data.
    @Test func aFolderOnlyTooOpenForReadingIsTightenedAndTheDaemonStarts() async throws {
        let daemon = try Daemon()
        try FileManager.default.createDirectory(atPath: daemon.stateDirectory, withIntermediateDirectories: false)
        chmod(daemon.stateDirectory, 0o755)
        try await daemon.start()
        #expect(mode(daemon.stateDirectory) == 0o700)
        #expect(daemon.log.contains("made it owner-only") && daemon.log.contains("mode_was=755"), "\(daemon.log)")
        _ = try daemon.call(CreateAudienceRequest(name: "kept"))
        #expect(try await daemon.stop() == 0)

        chmod(daemon.stateDirectory, 0o755)
        chmod(daemon.stateDirectory + "/pinads.db", 0o644)
        try await daemon.start()
        #expect(mode(daemon.stateDirectory) == 0o700)
        #expect(mode(daemon.stateDirectory + "/pinads.db") == 0o600)
        for name in entries(daemon.stateDirectory) {
            #expect(mode(daemon.stateDirectory + "/" + name) & 0o077 == 0, "\(name): \(String(mode(daemon.stateDirectory + "/" + name), radix: 8))")
        }
        #expect(try daemon.call(ListAudiencesRequest()).audiences.map(\.name) == ["kept"])
        #expect(try await daemon.stop() == 0)
    }

    // MARK: A full disk at start

    /// The issue's restart on a full state directory (it exited 1 with `SQLite error 13:
    /// database or disk is full - while executing COMMIT TRANSACTION`, which systemd's Restart=
    /// would loop on): a daemon killed with a job running leaves writes for the next start (the
    /// job's requeue). Started on the full tmpfs it serves: reads and health work (health names
    /// the full state directory), writes answer UNAVAILABLE; once the filler is gone, writes
    /// work and the interrupted job runs to its end, in the same process.
    @Test(.enabled(if: TmpfsMount.available, "needs root and the right to mount a tmpfs (CAP_SYS_ADMIN)"))
    func aDaemonStartsOnAFullStateDirectoryAndWritesOnceThereIsRoom() async throws {
        let folder = try TemporaryFolder()
        let daemon = try Daemon(folder: folder)
        let mount = try TmpfsMount(at: daemon.stateDirectory, size: "24m")
        defer {
            if let process = daemon.process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
            mount.unmount()
        }
        try await daemon.start()
        let audience = try daemon.call(CreateAudienceRequest(name: "before")).audience
        let job = try daemon.call(SelfTestRequest(steps: 30, stepMs: 100)).job
        try await eventually("the job runs") { try daemon.call(GetJobRequest(id: job.id)).job.state == .running }
        #expect(try await daemon.stop(signal: SIGKILL) != 0)

        let filler = try mount.fill()
        try await daemon.start()
        let pid = daemon.pid

        try await expectReadsButNoWrites(daemon, audience: audience)
        #expect(daemon.log.contains("requeued once there is room"), "\(daemon.log)")

        // Room again: writes work within a deadline, without a restart, and the interrupted job
        // is requeued and finishes.
        try FileManager.default.removeItem(atPath: filler)
        try await eventually("a write succeeds once there is room") {
            try await daemon.pinads("audience", "create", "after").status == 0
        }
        try await eventually("health is ok again") { try daemon.call(HealthRequest()).status == "ok" }
        try await eventually("the interrupted job is requeued and succeeds", timeout: 30) {
            try daemon.call(GetJobRequest(id: job.id)).job.state == .succeeded
        }
        #expect(try daemon.call(ListAudiencesRequest()).audiences.map(\.name).sorted() == ["after", "before"])
        #expect(daemon.pid == pid && daemon.process?.isRunning == true, "the same process")
        #expect(try await daemon.stop() == 0)
    }

    /// The same after a clean stop (SIGTERM, as `systemctl restart` sends) instead of a crash:
    /// the write-ahead log and its shared-memory index must still be there, since a start on a
    /// full disk could not make them again (SQLite deletes them when the last connection
    /// closes; the store's connections are never closed before exit, and each one asks SQLite
    /// to keep them even if it were).
    @Test(.enabled(if: TmpfsMount.available, "needs root and the right to mount a tmpfs (CAP_SYS_ADMIN)"))
    func aDaemonStoppedCleanlyStartsOnAFullStateDirectory() async throws {
        let folder = try TemporaryFolder()
        let daemon = try Daemon(folder: folder)
        let mount = try TmpfsMount(at: daemon.stateDirectory, size: "24m")
        defer {
            if let process = daemon.process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
            mount.unmount()
        }
        try await daemon.start()
        let audience = try daemon.call(CreateAudienceRequest(name: "before")).audience
        #expect(try await daemon.stop() == 0)

        let filler = try mount.fill()
        try await daemon.start()
        try await expectReadsButNoWrites(daemon, audience: audience)
        try FileManager.default.removeItem(atPath: filler)
        try await eventually("a write succeeds once there is room") {
            try await daemon.pinads("audience", "create", "after").status == 0
        }
        #expect(try await daemon.stop() == 0)
    }

    /// On a full state directory: health is degraded and names it, reads work, writes (API and
    /// CLI) answer UNAVAILABLE naming the problem.
    private func expectReadsButNoWrites(_ daemon: Daemon, audience: AudienceInfo) async throws {
        let health = try daemon.call(HealthRequest())
        #expect(health.status == "degraded", "\(health)")
        #expect(health.problems.map(\.code) == ["store_full"], "\(health.problems)")
        #expect(health.problems.first?.object == HealthObject(kind: "store", id: daemon.stateDirectory + "/pinads.db"))
        #expect(health.problems.first?.message.contains("the state directory \(daemon.stateDirectory) is full") == true, "\(health.problems)")
        #expect(health.store.status == "ok", "the store reads: \(health.store)")
        #expect(try daemon.call(GetAudienceRequest(audienceId: audience.id)).audience.name == "before")
        #expect(try daemon.call(ListAudiencesRequest()).audiences.count == 1)
        guard case .error(let refused) = try daemon.client().call(CreateAudienceRequest(name: "refused")) else {
            throw TestFailure("a write succeeded on a full disk")
        }
        #expect(refused.code == .unavailable, "\(refused)")
        #expect(refused.message.contains("the state directory \(daemon.stateDirectory) is full"), "\(refused.message)")
        let cli = try await daemon.pinads("audience", "create", "refused")
        #expect(cli.status == 1 && cli.stderr.contains("UNAVAILABLE") && cli.stderr.contains("is full"), "\(cli.stderr)")
    }
}

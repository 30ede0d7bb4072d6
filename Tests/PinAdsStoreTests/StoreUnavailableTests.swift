import Foundation
import GRDB
import Testing

@testable import PinAdsStore

/// Which store errors are about the state directory (answered UNAVAILABLE by the daemon) and
/// what they say. A running daemon cannot see its directory turn read-only (Linux refuses the
/// remount while the database is open for writing), so SQLITE_READONLY is checked here; a full
/// disk is checked end to end in ReliabilityEndToEndTests.
@Suite("Store errors about the state directory")
struct StoreUnavailableTests {
    @Test func fullReadOnlyAndIOErrorsNameTheDirectory() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let directory = (store.path as NSString).deletingLastPathComponent

        let full = try #require(store.unavailability(DatabaseError(resultCode: .SQLITE_FULL, message: "database or disk is full")))
        #expect(full.problem == .full)
        #expect(full.description.hasPrefix("the state directory \(directory) is full"))

        let readOnly = try #require(store.unavailability(DatabaseError(resultCode: .SQLITE_READONLY_DBMOVED, message: "attempt to write a readonly database")))
        #expect(readOnly.problem == .readOnly)
        #expect(readOnly.description.hasPrefix("the state directory \(directory) is read-only"))

        // An I/O error on a healthy, writable file system is reported as such.
        let io = try #require(store.unavailability(DatabaseError(resultCode: .SQLITE_IOERR_WRITE, message: "disk I/O error")))
        #expect(io.problem == .io)
        #expect(io.description.contains(directory) && io.description.contains("disk I/O error"))

        // Errors about the request or the code are not the directory's fault.
        #expect(store.unavailability(DatabaseError(resultCode: .SQLITE_CONSTRAINT_UNIQUE)) == nil)
        #expect(store.unavailability(DatabaseError(resultCode: .SQLITE_ERROR, message: "no such table")) == nil)
        #expect(store.unavailability(CancellationError()) == nil)
    }
}

import Foundation
import GRDB

// A connection's Pinterest user is the token's user (`GET /v5/user_account`), not the owner of
// its first ad account: two users who share an ad account (Business Access) are two connections.

extension Store {
    /// v16: the token's user on each connection, and each ad account's owner (to choose which
    /// connection serves an ad account several reach). `user_key` stays as it was: the secrets of
    /// a row are sealed under it. Rows made before hold no user id until the daemon asks
    /// Pinterest (at start, and when the same user connects again).
    static func registerConnectionIdentityMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v16_connection_pinterest_user") { db in
            try db.execute(
                sql: """
                    ALTER TABLE connections ADD COLUMN pinterest_user_id TEXT;
                    ALTER TABLE connections ADD COLUMN pinterest_username TEXT;
                    CREATE UNIQUE INDEX connections_by_pinterest_user ON connections (pinterest_user_id)
                        WHERE pinterest_user_id IS NOT NULL;
                    ALTER TABLE ad_accounts ADD COLUMN owner_id TEXT;
                    """)
        }
    }

    /// The connection of this Pinterest user, whatever its state.
    public func connection(pinterestUserID: String) async throws -> ConnectionRecord? {
        try await writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT \(Self.connectionColumns) FROM connections WHERE pinterest_user_id = ?", arguments: [pinterestUserID]
            ).map(Self.connection(from:))
        }
    }

    /// The connection made under `userKey` (its sealing key; before v16, the guess of its user).
    public func connection(userKey: String) async throws -> ConnectionRecord? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.connectionColumns) FROM connections WHERE user_key = ?", arguments: [userKey])
                .map(Self.connection(from:))
        }
    }

    /// Records whose Pinterest user a connection made before v16 belongs to. False, and nothing
    /// changed, when another connection already holds that user (or this one holds another).
    public func setPinterestUser(connectionID: Int64, userID: String, username: String?) async throws -> Bool {
        try await writer.write { db in
            let holder = try Int64.fetchOne(db, sql: "SELECT id FROM connections WHERE pinterest_user_id = ?", arguments: [userID])
            if let holder, holder != connectionID { return false }
            try db.execute(
                sql: """
                    UPDATE connections SET pinterest_user_id = ?, pinterest_username = COALESCE(?, pinterest_username)
                    WHERE id = ? AND (pinterest_user_id IS NULL OR pinterest_user_id = ?)
                    """,
                arguments: [userID, username, connectionID, userID])
            return db.changesCount > 0
        }
    }
}

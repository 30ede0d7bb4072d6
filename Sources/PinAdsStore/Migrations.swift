import GRDB

extension Store {
    /// Every schema change, in order. Append only.
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()

        migrator.registerMigration("v1_jobs") { db in
            try db.execute(
                sql: """
                    CREATE TABLE jobs (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        kind TEXT NOT NULL,
                        payload TEXT NOT NULL,
                        state TEXT NOT NULL
                            CHECK (state IN ('queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled')),
                        attempts INTEGER NOT NULL DEFAULT 0,
                        max_attempts INTEGER NOT NULL,
                        next_run_at INTEGER NOT NULL,
                        last_error TEXT,
                        progress_done INTEGER,
                        progress_total INTEGER,
                        progress_message TEXT,
                        result TEXT,
                        cancel_requested INTEGER NOT NULL DEFAULT 0,
                        dedupe_key TEXT UNIQUE,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        started_at INTEGER,
                        finished_at INTEGER
                    );
                    CREATE INDEX jobs_runnable ON jobs (state, next_run_at);
                    CREATE INDEX jobs_kind ON jobs (kind, id);
                    """
            )
        }

        Store.registerScheduleMigration(&migrator)

        migrator.registerMigration("v3_connections") { db in
            try db.execute(
                sql: """
                    CREATE TABLE connections (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        user_key TEXT NOT NULL UNIQUE,
                        name TEXT,
                        state TEXT NOT NULL CHECK (state IN ('active', 'unauthorized', 'disconnected')),
                        state_reason TEXT,
                        is_default INTEGER NOT NULL DEFAULT 0,
                        default_ad_account_id TEXT,
                        access_token_sealed TEXT,
                        access_expires_at INTEGER,
                        refresh_token_sealed TEXT,
                        refresh_expires_at INTEGER,
                        client_id TEXT,
                        client_secret_sealed TEXT,
                        token_fingerprint TEXT,
                        last_refresh_at INTEGER,
                        last_refresh_error TEXT,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL
                    );
                    CREATE TABLE ad_accounts (
                        connection_id INTEGER NOT NULL REFERENCES connections (id),
                        id TEXT NOT NULL,
                        name TEXT,
                        currency TEXT,
                        country TEXT,
                        updated_at INTEGER NOT NULL,
                        PRIMARY KEY (connection_id, id)
                    );
                    CREATE INDEX ad_accounts_by_id ON ad_accounts (id);
                    ALTER TABLE jobs ADD COLUMN blocked_on TEXT;
                    CREATE INDEX jobs_blocked ON jobs (blocked_on) WHERE blocked_on IS NOT NULL;
                    """
            )
        }

        migrator.registerMigration("v4_audiences") { db in
            try db.execute(
                sql: """
                    CREATE TABLE audiences (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        name TEXT NOT NULL,
                        list_type TEXT NOT NULL CHECK (list_type IN ('EMAIL', 'MAID', 'IDFA')),
                        description TEXT,
                        version INTEGER NOT NULL DEFAULT 0,
                        member_count INTEGER NOT NULL DEFAULT 0,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        deleted_at INTEGER
                    );
                    CREATE UNIQUE INDEX audiences_live_name ON audiences (name) WHERE deleted_at IS NULL;
                    -- Only hashes: raw emails and device ids never reach the disk. `version` is the
                    -- audience version of the member's last change, so a sync sends what changed
                    -- since the version it last sent (present = 1: ADD, 0: REMOVE).
                    CREATE TABLE audience_members (
                        audience_id INTEGER NOT NULL REFERENCES audiences (id),
                        member_hash TEXT NOT NULL,
                        present INTEGER NOT NULL,
                        version INTEGER NOT NULL,
                        PRIMARY KEY (audience_id, member_hash)
                    ) WITHOUT ROWID;
                    CREATE INDEX audience_members_changes ON audience_members (audience_id, version);
                    """
            )
        }

        return migrator
    }()
}

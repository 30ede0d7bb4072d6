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

        return migrator
    }()
}

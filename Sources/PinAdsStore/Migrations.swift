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

        return migrator
    }()
}

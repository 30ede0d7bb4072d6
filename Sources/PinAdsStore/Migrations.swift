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

        migrator.registerMigration("v5_activations") { db in
            try db.execute(
                sql: """
                    -- Jobs with the same serial key run one at a time, and a new one coalesces into
                    -- one already queued (e.g. one sync per activation).
                    ALTER TABLE jobs ADD COLUMN serial_key TEXT;
                    CREATE INDEX jobs_serial ON jobs (serial_key, state) WHERE serial_key IS NOT NULL;

                    -- An audience kept in sync on one ad account. `op_*` is the sync in progress,
                    -- committed per chunk; `pending_*` is a write sent (or about to be) whose
                    -- outcome is not known yet, checked against Pinterest before anything is resent.
                    CREATE TABLE audience_activations (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        audience_id INTEGER NOT NULL REFERENCES audiences (id),
                        ad_account_id TEXT NOT NULL,
                        connection_id INTEGER NOT NULL REFERENCES connections (id),
                        active INTEGER NOT NULL DEFAULT 1,
                        state TEXT NOT NULL CHECK (state IN ('NOT_SYNCED', 'SYNCING', 'SYNCED', 'ERROR')),
                        error_message TEXT,
                        error_code INTEGER,
                        error_at INTEGER,
                        customer_list_name TEXT NOT NULL,
                        customer_list_id TEXT,
                        pinterest_audience_id TEXT,
                        list_status TEXT,
                        audience_status TEXT,
                        list_uploaded INTEGER NOT NULL DEFAULT 0,
                        list_removed INTEGER NOT NULL DEFAULT 0,
                        synced_version INTEGER NOT NULL DEFAULT 0,
                        records_added INTEGER NOT NULL DEFAULT 0,
                        records_removed INTEGER NOT NULL DEFAULT 0,
                        op_target_version INTEGER,
                        op_phase TEXT CHECK (op_phase IN ('ADD', 'REMOVE', 'AUDIENCE')),
                        op_cursor TEXT,
                        op_added INTEGER NOT NULL DEFAULT 0,
                        op_removed INTEGER NOT NULL DEFAULT 0,
                        pending_kind TEXT CHECK (pending_kind IN ('CREATE_LIST', 'ADD', 'REMOVE', 'CREATE_AUDIENCE')),
                        pending_last_hash TEXT,
                        pending_count INTEGER,
                        pending_counter_before INTEGER,
                        pending_started_at INTEGER,
                        last_synced_at INTEGER,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        UNIQUE (audience_id, ad_account_id)
                    );

                    CREATE TABLE audience_actalikes (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        audience_id INTEGER NOT NULL REFERENCES audiences (id),
                        activation_id INTEGER NOT NULL REFERENCES audience_activations (id),
                        ad_account_id TEXT NOT NULL,
                        name TEXT NOT NULL,
                        country TEXT NOT NULL,
                        percentage INTEGER NOT NULL,
                        pinterest_audience_id TEXT,
                        status TEXT,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        UNIQUE (activation_id, country, percentage)
                    );
                    """
            )
        }

        // Member hashes as their 32 bytes instead of 64 hex characters: half the index, and
        // comparisons of fixed-size blobs. Same order (lowercase hex sorts as its bytes), so
        // sync cursors kept as hex stay valid. The index on (audience_id, version) goes: it
        // cost a third of every import, and syncs read members in hash order anyway. How many
        // members each version changed is kept in audience_changes instead.
        migrator.registerMigration("v6_member_hash_blobs") { db in
            try db.execute(
                sql: """
                    CREATE TABLE audience_members_new (
                        audience_id INTEGER NOT NULL REFERENCES audiences (id),
                        member_hash BLOB NOT NULL CHECK (length(member_hash) = 32),
                        present INTEGER NOT NULL,
                        version INTEGER NOT NULL,
                        PRIMARY KEY (audience_id, member_hash)
                    ) WITHOUT ROWID;
                    """)
            let insert = try db.makeStatement(sql: "INSERT INTO audience_members_new VALUES (?, ?, ?, ?)")
            let rows = try Row.fetchCursor(db, sql: "SELECT audience_id, member_hash, present, version FROM audience_members")
            while let row = try rows.next() {
                let text: String = row["member_hash"]
                guard let hash = MemberHash(hex: text) else {
                    throw StoreError.database(path: "", underlying: "a stored member hash is not 64 hex digits; the store is damaged")
                }
                try insert.execute(arguments: [row["audience_id"], hash.data, row["present"], row["version"]])
            }
            try db.execute(
                sql: """
                    CREATE TABLE audience_changes (
                        audience_id INTEGER NOT NULL REFERENCES audiences (id),
                        version INTEGER NOT NULL,
                        changed INTEGER NOT NULL,
                        PRIMARY KEY (audience_id, version)
                    ) WITHOUT ROWID;
                    INSERT INTO audience_changes (audience_id, version, changed)
                        SELECT audience_id, version, COUNT(*) FROM audience_members_new GROUP BY audience_id, version;
                    DROP TABLE audience_members;
                    ALTER TABLE audience_members_new RENAME TO audience_members;
                    """)
        }

        // Campaign → ad group → ad, each row made before Pinterest is asked, its Pinterest id
        // stored the moment it is known; `pending_since` marks a create sent whose answer was
        // not recorded (the next attempt looks for it at Pinterest before creating again).
        migrator.registerMigration("v7_campaigns") { db in
            try db.execute(
                sql: """
                    CREATE TABLE campaigns (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        ad_account_id TEXT NOT NULL,
                        spec TEXT,
                        request TEXT,
                        client_request_id TEXT UNIQUE,
                        pinterest_id TEXT,
                        state TEXT NOT NULL CHECK (state IN ('PENDING', 'CREATED', 'ERROR')),
                        error_message TEXT,
                        error_code INTEGER,
                        pinterest_status TEXT,
                        tracked INTEGER NOT NULL DEFAULT 1,
                        pending_since INTEGER,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL
                    );
                    CREATE UNIQUE INDEX campaigns_pinterest ON campaigns (ad_account_id, pinterest_id) WHERE pinterest_id IS NOT NULL;
                    CREATE TABLE ad_groups (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
                        spec TEXT NOT NULL,
                        pinterest_id TEXT,
                        state TEXT NOT NULL CHECK (state IN ('PENDING', 'CREATED', 'ERROR')),
                        error_message TEXT,
                        error_code INTEGER,
                        pending_since INTEGER,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL
                    );
                    CREATE INDEX ad_groups_campaign ON ad_groups (campaign_id);
                    CREATE TABLE ads (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        ad_group_id INTEGER NOT NULL REFERENCES ad_groups (id),
                        spec TEXT NOT NULL,
                        pinterest_id TEXT,
                        state TEXT NOT NULL CHECK (state IN ('PENDING', 'CREATED', 'ERROR')),
                        error_message TEXT,
                        error_code INTEGER,
                        pending_since INTEGER,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL
                    );
                    CREATE INDEX ads_ad_group ON ads (ad_group_id);
                    CREATE TABLE campaign_metrics (
                        campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
                        date TEXT NOT NULL,
                        spend_micro INTEGER NOT NULL,
                        impressions INTEGER NOT NULL,
                        clicks INTEGER NOT NULL,
                        saves INTEGER NOT NULL,
                        conversions INTEGER,
                        conversion_value_micro INTEGER,
                        pulled_at INTEGER NOT NULL,
                        PRIMARY KEY (campaign_id, date)
                    ) WITHOUT ROWID;
                    """)
        }

        // The conversions outbox: each event stored as Pinterest will receive it (hashed), one
        // row per (ad account, test, name, event id) so a repeat inside 48 hours is a duplicate.
        migrator.registerMigration("v8_conversions") { db in
            try db.execute(
                sql: """
                    CREATE TABLE conversion_events (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        ad_account_id TEXT NOT NULL,
                        test INTEGER NOT NULL,
                        event_name TEXT NOT NULL,
                        event_id TEXT NOT NULL,
                        body TEXT NOT NULL,
                        state TEXT NOT NULL CHECK (state IN ('queued', 'in_flight', 'sent', 'failed')),
                        attempts INTEGER NOT NULL DEFAULT 0,
                        message TEXT,
                        accepted_at INTEGER NOT NULL,
                        next_attempt_at INTEGER NOT NULL,
                        answered_at INTEGER
                    );
                    CREATE UNIQUE INDEX conversion_events_dedupe ON conversion_events (ad_account_id, test, event_name, event_id);
                    CREATE INDEX conversion_events_queue ON conversion_events (ad_account_id, test, state, next_attempt_at, id);
                    CREATE TABLE conversion_counters (
                        ad_account_id TEXT NOT NULL PRIMARY KEY,
                        duplicates INTEGER NOT NULL DEFAULT 0,
                        rejected INTEGER NOT NULL DEFAULT 0
                    );
                    """)
        }

        // Conversion tokens (sealed), per ad account: events go with them instead of OAuth.
        migrator.registerMigration("v9_conversion_tokens") { db in
            try db.execute(
                sql: """
                    CREATE TABLE conversion_tokens (
                        ad_account_id TEXT NOT NULL PRIMARY KEY,
                        connection_id INTEGER NOT NULL REFERENCES connections (id),
                        token_sealed TEXT NOT NULL,
                        fingerprint TEXT NOT NULL,
                        source TEXT NOT NULL,
                        updated_at INTEGER NOT NULL
                    );
                    """)
        }

        // The queue index holds only queued events: taking a batch removes its entries and
        // answering it touches no index at all (before, each state change moved an entry).
        migrator.registerMigration("v10_conversion_queue_partial") { db in
            try db.execute(
                sql: """
                    DROP INDEX conversion_events_queue;
                    CREATE INDEX conversion_events_due ON conversion_events (ad_account_id, test, next_attempt_at, id) WHERE state = 'queued';
                    CREATE INDEX conversion_events_in_flight ON conversion_events (state) WHERE state = 'in_flight';
                    """)
        }

        // One chain per serial key (e.g. per audience activation): at most one unfinished job of
        // a key has begun (run an attempt), and the next waits for it to finish, also while it
        // waits for a retry or is requeued after a crash. Before, a job queued behind a running
        // one could begin while that one waited, and both went on as two chains. Those left by
        // an older daemon keep the oldest as the head; the others go back to not begun (their
        // attempts still counted), to run after it.
        migrator.registerMigration("v11_jobs_one_begun_per_serial_key") { db in
            try db.execute(
                sql: """
                    UPDATE jobs SET started_at = NULL
                    WHERE serial_key IS NOT NULL AND state IN ('queued', 'waiting', 'running') AND started_at IS NOT NULL
                        AND EXISTS (
                            SELECT 1 FROM jobs AS other
                            WHERE other.serial_key = jobs.serial_key AND other.id < jobs.id
                                AND other.state IN ('queued', 'waiting', 'running') AND other.started_at IS NOT NULL);
                    CREATE UNIQUE INDEX jobs_one_begun_per_serial_key ON jobs (serial_key)
                        WHERE serial_key IS NOT NULL AND state IN ('queued', 'waiting', 'running') AND started_at IS NOT NULL;
                    """)
        }

        // Syncs of an activation that gave up in a row (they wait 1 min, doubling, up to a day),
        // kept with the activation rather than in each job's payload, so a successful sync
        // resets them whichever job ran it. An activation Pinterest is up to date with is
        // SYNCED: one an older daemon left in ERROR (a restart cut short a job whose sync had
        // committed) is settled.
        migrator.registerMigration("v12_activations_retry_round") { db in
            try db.execute(
                sql: """
                    ALTER TABLE audience_activations ADD COLUMN retry_round INTEGER NOT NULL DEFAULT 0;
                    UPDATE audience_activations
                    SET state = 'SYNCED', error_message = NULL, error_code = NULL, error_at = NULL
                    WHERE state <> 'SYNCED' AND op_target_version IS NULL AND pending_kind IS NULL
                        AND customer_list_id IS NOT NULL AND pinterest_audience_id IS NOT NULL
                        AND synced_version >= (SELECT version FROM audiences WHERE audiences.id = audience_activations.audience_id);
                    """)
        }

        // A refresh is recorded before it is sent and cleared with its outcome, so a refusal
        // that follows a lost answer is told from a revoked token, across restarts too; and a
        // connection whose refresh was lost that way says so until it is reconnected.
        migrator.registerMigration("v13_connection_refresh_in_flight") { db in
            try db.execute(
                sql: """
                    ALTER TABLE connections ADD COLUMN refresh_sent_at INTEGER;
                    ALTER TABLE connections ADD COLUMN refresh_lost_at INTEGER;
                    """)
        }

        // Batches in flight live in the dispatcher's memory and stay `queued` here until their
        // answer is stored, so the `in_flight` state (of daemons before v10's) retires: rows an
        // old daemon left in it go back to the queue (they may reach Pinterest twice, with the
        // same event_id, which Pinterest drops), its index goes, and the state's CHECK no longer
        // admits it. SQLite changes a CHECK only by rebuilding the table; the AUTOINCREMENT
        // sequence is carried over so no id is used twice.
        migrator.registerMigration("v14_conversions_no_in_flight") { db in
            try db.execute(
                sql: """
                    DROP INDEX conversion_events_in_flight;
                    CREATE TABLE conversion_events_v14 (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        ad_account_id TEXT NOT NULL,
                        test INTEGER NOT NULL,
                        event_name TEXT NOT NULL,
                        event_id TEXT NOT NULL,
                        body TEXT NOT NULL,
                        state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed')),
                        attempts INTEGER NOT NULL DEFAULT 0,
                        message TEXT,
                        accepted_at INTEGER NOT NULL,
                        next_attempt_at INTEGER NOT NULL,
                        answered_at INTEGER
                    );
                    INSERT INTO conversion_events_v14
                        (id, ad_account_id, test, event_name, event_id, body, state, attempts, message, accepted_at, next_attempt_at, answered_at)
                    SELECT id, ad_account_id, test, event_name, event_id, body,
                        CASE state WHEN 'in_flight' THEN 'queued' ELSE state END,
                        attempts, message, accepted_at, next_attempt_at, answered_at
                    FROM conversion_events;
                    UPDATE sqlite_sequence SET seq = MAX(seq, (SELECT seq FROM sqlite_sequence WHERE name = 'conversion_events'))
                    WHERE name = 'conversion_events_v14' AND EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'conversion_events');
                    INSERT INTO sqlite_sequence (name, seq)
                    SELECT 'conversion_events_v14', seq FROM sqlite_sequence
                    WHERE name = 'conversion_events' AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'conversion_events_v14');
                    DROP TABLE conversion_events;
                    ALTER TABLE conversion_events_v14 RENAME TO conversion_events;
                    CREATE UNIQUE INDEX conversion_events_dedupe ON conversion_events (ad_account_id, test, event_name, event_id);
                    CREATE INDEX conversion_events_due ON conversion_events (ad_account_id, test, next_attempt_at, id) WHERE state = 'queued';
                    """)
        }

        // One event's fate (`conversions.get`/`list`): how many later submissions repeated it,
        // and Pinterest's refusals found without reading the sent ones.
        migrator.registerMigration("v15_conversion_event_lookups") { db in
            try db.execute(
                sql: """
                    ALTER TABLE conversion_events ADD COLUMN duplicates INTEGER NOT NULL DEFAULT 0;
                    CREATE INDEX conversion_events_failed ON conversion_events (ad_account_id, id) WHERE state = 'failed';
                    """)
        }

        // The token's Pinterest user on each connection, the owner on each ad account (issue 16).
        Store.registerConnectionIdentityMigration(&migrator)

        // Running campaigns after their launch (issue 17).
        Store.registerCampaignOperationsMigration(&migrator)

        return migrator
    }()
}

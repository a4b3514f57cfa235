import GRDB

/// One named step of the schema. Names are recorded in `schema_migrations` once applied.
public struct TranscriptMigration: Sendable {
    /// Unique, stable name; never renamed once released.
    public var name: String
    /// Applies the step inside the migration transaction.
    public var apply: @Sendable (Database) throws -> Void

    /// A migration that runs `apply`.
    public init(_ name: String, apply: @escaping @Sendable (Database) throws -> Void) {
        self.name = name
        self.apply = apply
    }

    /// A migration that runs one SQL script.
    public init(_ name: String, sql: String) {
        self.init(name) { db in try db.execute(sql: sql) }
    }
}

/// The schema of the transcript database as an append-only list of named migrations.
///
/// To change the schema, append an entry to `all`; never edit or reorder released entries, since
/// databases in the field have already applied them. A database that has applied a name missing
/// from this list was written by a newer runbook and is refused without being modified.
///
/// GRDB's `DatabaseMigrator` reads the applied migrations outside its write transaction, so two
/// processes opening a new database at the same moment could both try to create the tables.
/// `SQLiteTranscriptStore` therefore runs this list itself, inside a single `BEGIN IMMEDIATE`
/// transaction that re-reads the applied names once it holds the write lock.
public enum TranscriptMigrations {
    /// Every migration, in order. Later issues append here (one line each).
    public static let all: [TranscriptMigration] = [
        TranscriptMigration("v1-incidents-events-outputs", sql: v1),
        TranscriptMigration("v1-search", sql: v1Search),
        TranscriptMigration("v2-escalation-timers-outbox", sql: EscalationMigrations.v2),
        TranscriptMigration("v3-output-encoding", sql: v3OutputEncoding),
        TranscriptMigration("v4-escalator", sql: EscalationMigrations.v4),
        TranscriptMigration("v5-driver-lease", sql: v5DriverLease),
        TranscriptMigration("v6-incident-key-unique", sql: v6IncidentKeyUnique),
        TranscriptMigration("v7-share-links", sql: v7ShareLinks),
    ]

    /// The table that records applied migration names.
    static let ledger = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            name TEXT PRIMARY KEY NOT NULL,
            applied_at_ms INTEGER NOT NULL
        )
        """

    static let v1 = """
        CREATE TABLE incidents (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            title TEXT NOT NULL,
            runbook TEXT NOT NULL,
            environment TEXT NOT NULL,
            severity TEXT NOT NULL CHECK (severity IN ('P0', 'P1', 'P2', 'P3')),
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'mitigated', 'resolved', 'abandoned')),
            is_drill INTEGER NOT NULL DEFAULT 0 CHECK (is_drill IN (0, 1)),
            declared_at_ms INTEGER NOT NULL,
            acknowledged_at_ms INTEGER,
            mitigated_at_ms INTEGER,
            resolved_at_ms INTEGER,
            host TEXT NOT NULL,
            user TEXT NOT NULL,
            policy_snapshot TEXT CHECK (policy_snapshot IS NULL OR json_valid(policy_snapshot))
        );
        CREATE INDEX incidents_by_status ON incidents(status);

        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            incident INTEGER NOT NULL REFERENCES incidents(id),
            seq INTEGER NOT NULL CHECK (seq >= 1),
            ts_ms INTEGER NOT NULL,
            actor TEXT NOT NULL,
            type TEXT NOT NULL,
            step_id TEXT,
            payload TEXT NOT NULL CHECK (json_valid(payload)),
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL,
            UNIQUE (incident, seq)
        );
        CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only; record a correction as a new event'); END;
        CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only; record a correction as a new event'); END;
        CREATE TRIGGER incidents_no_delete BEFORE DELETE ON incidents
        BEGIN SELECT RAISE(ABORT, 'incidents are never deleted'); END;

        CREATE TABLE outputs (
            incident INTEGER NOT NULL,
            command_seq INTEGER NOT NULL,
            chunk_index INTEGER NOT NULL CHECK (chunk_index >= 0),
            offset_ms INTEGER NOT NULL,
            data BLOB NOT NULL,
            PRIMARY KEY (incident, command_seq, chunk_index),
            FOREIGN KEY (incident, command_seq) REFERENCES events(incident, seq)
        ) WITHOUT ROWID;
        CREATE TRIGGER outputs_no_update BEFORE UPDATE ON outputs
        BEGIN SELECT RAISE(ABORT, 'outputs are append-only'); END;
        CREATE TRIGGER outputs_no_delete BEFORE DELETE ON outputs
        BEGIN SELECT RAISE(ABORT, 'outputs are append-only'); END;
        """

    static let v1Search = """
        CREATE TABLE search_documents (
            id INTEGER PRIMARY KEY,
            incident INTEGER NOT NULL REFERENCES incidents(id),
            seq INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('command', 'output', 'note')),
            step_id TEXT,
            ts_ms INTEGER NOT NULL,
            text TEXT NOT NULL
        );
        CREATE INDEX search_documents_by_time ON search_documents(ts_ms);
        CREATE VIRTUAL TABLE search_index USING fts5(
            text, content = 'search_documents', content_rowid = 'id', tokenize = 'porter unicode61'
        );
        """

    /// Output chunks may be stored deflated; `size` is the original length (0 on rows written before this).
    static let v3OutputEncoding = """
        ALTER TABLE outputs ADD COLUMN encoding TEXT NOT NULL DEFAULT 'raw';
        ALTER TABLE outputs ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
        """

    /// `driver_leases`: one row per incident a session ever drove, the lock that makes one process its driver.
    /// `token` grows by one with every new holder, so a holder that lost the lease finds out at its next renewal.
    static let v5DriverLease = """
        CREATE TABLE driver_leases (
            incident INTEGER PRIMARY KEY REFERENCES incidents(id),
            token INTEGER NOT NULL,
            holder TEXT NOT NULL,
            pid INTEGER NOT NULL,
            host TEXT NOT NULL,
            since_ms INTEGER NOT NULL,
            heartbeat_ms INTEGER NOT NULL,
            released_ms INTEGER
        );
        """

    /// `incidents.incident_key` unique, as PostgreSQL's `UNIQUE` column is: two `runbook serve` processes on one
    /// file can then never declare one alert group's incident twice (the second declaration is refused, and the
    /// intake adds to the first). A database that already holds a key twice keeps the first incident's; each later
    /// one gets `~ID` appended in the column (the declaration event, which the hash chain covers, is untouched).
    static let v6IncidentKeyUnique = """
        UPDATE incidents SET incident_key = incident_key || '~' || id
            WHERE incident_key IS NOT NULL AND EXISTS (
                SELECT 1 FROM incidents AS earlier
                WHERE earlier.incident_key = incidents.incident_key AND earlier.id < incidents.id);
        CREATE UNIQUE INDEX incidents_by_key ON incidents(incident_key);
        """

    /// The share links of `runbook serve`'s incident pages (`ShareLinkStore`): the SHA-256 of each link's id, never
    /// the id. Revoking deletes the row.
    static let v7ShareLinks = """
        CREATE TABLE share_links (
            digest TEXT PRIMARY KEY NOT NULL,
            incident INTEGER NOT NULL REFERENCES incidents(id),
            created_ms INTEGER NOT NULL
        );
        CREATE INDEX share_links_by_incident ON share_links(incident);
        """
}

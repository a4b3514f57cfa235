import Foundation
import PostgresNIO
import RunbookKit

/// The PostgreSQL schema as an append-only list of named migrations, as `TranscriptMigrations` is for SQLite.
///
/// To change the schema, append an entry to `all`; never edit or reorder released entries. Names are recorded in
/// `schema_migrations`. The list runs in one transaction that first takes a transaction-scoped advisory lock, so
/// several machines opening a new database at once apply it once. A database that has applied a name missing from
/// this list was written by a newer runbook and is refused without being modified.
public enum PostgresMigrations {
    /// Every migration, in order: its name and its statements (one statement each: the extended query protocol
    /// takes one at a time).
    public static let all: [(name: String, statements: [String])] = [
        ("pg1-incidents-events-outputs", pg1),
        ("pg1-append-only", pg1AppendOnly),
        ("pg2-timers-outbox", pg2TimersOutbox),
        ("pg2-escalator-lease", pg2EscalatorLease),
        ("pg2-driver-leases", pg2DriverLeases),
        ("pg2-search", pg2Search),
        ("pg3-notify", pg3Notify),
        ("pg4-share-links", pg4ShareLinks),
    ]

    /// The share links of `runbook serve`'s incident pages (`ShareLinkStore`): the SHA-256 of each link's id, never
    /// the id. Revoking deletes the row.
    static let pg4ShareLinks = [
        """
        CREATE TABLE share_links (
            digest TEXT PRIMARY KEY,
            incident BIGINT NOT NULL REFERENCES incidents (id),
            created_ms BIGINT NOT NULL
        )
        """,
        "CREATE INDEX share_links_by_incident ON share_links (incident)",
    ]

    /// The advisory-lock key that serializes migrations (any constant that no other code uses).
    static let lockKey: Int64 = 0x7275_6e62_6f6f_6b31

    /// Applies the migrations the database lacks; with `migrating: false` (evidence: `incidents`) it changes
    /// nothing, and a database without the schema is `PostgresStoreError.noTranscript`.
    static func apply(_ store: PostgresTranscriptStore, migrating: Bool = true) throws {
        try store.transaction {
            if !migrating {
                let ledger = try store.query("SELECT to_regclass('schema_migrations') IS NOT NULL")
                guard try ledger.first?.decode(Bool.self) ?? false else {
                    throw PostgresStoreError.noTranscript(location: store.location.description)
                }
                let applied = Set(
                    try store.query("SELECT name FROM schema_migrations").map { try $0.decode(String.self) })
                let unknown = applied.subtracting(all.map(\.name))
                guard unknown.isEmpty else {
                    throw PostgresStoreError.newerSchema(
                        location: store.location.description, unknownMigrations: unknown.sorted())
                }
                return
            }
            try store.query("SELECT pg_advisory_xact_lock(\(lockKey))")
            // Created only when missing, never with IF NOT EXISTS: an application role without CREATE on the
            // schema (docs/team-store.md, "Roles and grants") opens an up-to-date database with no DDL at all.
            let ledger = try store.query("SELECT to_regclass('schema_migrations') IS NOT NULL")
            if try !(ledger.first?.decode(Bool.self) ?? false) {
                try store.query("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at_ms BIGINT NOT NULL)")
            }
            let applied = Set(try store.query("SELECT name FROM schema_migrations").map { try $0.decode(String.self) })
            let unknown = applied.subtracting(all.map(\.name))
            guard unknown.isEmpty else {
                throw PostgresStoreError.newerSchema(
                    location: store.location.description, unknownMigrations: unknown.sorted())
            }
            let now = Int64((Date().timeIntervalSince1970 * 1000).rounded())
            for migration in all where !applied.contains(migration.name) {
                for statement in migration.statements { try store.query(PostgresQuery(unsafeSQL: statement)) }
                try store.query(
                    "INSERT INTO schema_migrations (name, applied_at_ms) VALUES (\(migration.name), \(now))")
            }
        }
    }

    static let pg1 = [
        """
        CREATE TABLE incidents (
            id BIGSERIAL PRIMARY KEY,
            title TEXT NOT NULL,
            runbook TEXT NOT NULL,
            environment TEXT NOT NULL,
            severity TEXT NOT NULL CHECK (severity IN ('P0', 'P1', 'P2', 'P3')),
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'mitigated', 'resolved', 'abandoned')),
            is_drill BOOLEAN NOT NULL DEFAULT false,
            declared_at_ms BIGINT NOT NULL,
            acknowledged_at_ms BIGINT,
            mitigated_at_ms BIGINT,
            resolved_at_ms BIGINT,
            host TEXT NOT NULL,
            "user" TEXT NOT NULL,
            policy_snapshot TEXT,
            incident_key TEXT UNIQUE,
            clock_speed DOUBLE PRECISION NOT NULL DEFAULT 1,
            clock_origin_ms BIGINT
        )
        """,
        """
        CREATE TABLE events (
            incident BIGINT NOT NULL REFERENCES incidents (id),
            seq BIGINT NOT NULL CHECK (seq >= 1),
            ts_ms BIGINT NOT NULL,
            actor TEXT NOT NULL,
            type TEXT NOT NULL,
            step_id TEXT,
            payload TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL,
            PRIMARY KEY (incident, seq)
        )
        """,
        """
        CREATE TABLE outputs (
            incident BIGINT NOT NULL,
            command_seq BIGINT NOT NULL,
            chunk_index BIGINT NOT NULL,
            offset_ms BIGINT NOT NULL,
            data BYTEA NOT NULL,
            PRIMARY KEY (incident, command_seq, chunk_index),
            FOREIGN KEY (incident, command_seq) REFERENCES events (incident, seq)
        )
        """,
    ]

    static let pg1AppendOnly = [
        """
        CREATE FUNCTION runbook_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the % table is append-only: % is refused', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END
        $$
        """,
        """
        CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
            FOR EACH ROW EXECUTE FUNCTION runbook_append_only()
        """,
        """
        CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
            FOR EACH STATEMENT EXECUTE FUNCTION runbook_append_only()
        """,
        """
        CREATE TRIGGER outputs_append_only BEFORE UPDATE OR DELETE ON outputs
            FOR EACH ROW EXECUTE FUNCTION runbook_append_only()
        """,
        """
        CREATE TRIGGER outputs_no_truncate BEFORE TRUNCATE ON outputs
            FOR EACH STATEMENT EXECUTE FUNCTION runbook_append_only()
        """,
    ]

    /// The escalation tables, as the SQLite store's `v2-escalation-timers-outbox` and `v4-escalator` have them:
    /// `timers` keeps every armed timer (one row per generation, at most one pending per incident; `due_real_ms`
    /// is its deadline on the wall clock, what the escalator waits for), and `notification_outbox` one row per
    /// notification and channel until it is delivered or given up.
    static let pg2TimersOutbox = [
        """
        CREATE TABLE timers (
            id BIGSERIAL PRIMARY KEY,
            incident BIGINT NOT NULL REFERENCES incidents (id),
            kind TEXT NOT NULL CHECK (kind IN ('response', 'repeat')),
            deadline_ms BIGINT NOT NULL,
            generation BIGINT NOT NULL CHECK (generation >= 1),
            repeat BIGINT NOT NULL DEFAULT 0 CHECK (repeat >= 0),
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'fired', 'cancelled', 'superseded')),
            created_ms BIGINT NOT NULL,
            closed_ms BIGINT,
            due_real_ms BIGINT,
            UNIQUE (incident, generation)
        )
        """,
        "CREATE UNIQUE INDEX timers_one_pending_per_incident ON timers (incident) WHERE status = 'pending'",
        "CREATE INDEX timers_pending_by_deadline ON timers (deadline_ms) WHERE status = 'pending'",
        "CREATE INDEX timers_pending_by_real_due ON timers (due_real_ms) WHERE status = 'pending'",
        """
        CREATE TABLE notification_outbox (
            id BIGSERIAL PRIMARY KEY,
            incident BIGINT NOT NULL REFERENCES incidents (id),
            channel TEXT NOT NULL,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL CHECK (payload::json IS NOT NULL),
            attempts BIGINT NOT NULL DEFAULT 0,
            next_attempt_ms BIGINT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
            last_error TEXT,
            created_ms BIGINT NOT NULL,
            event_seq BIGINT
        )
        """,
        """
        CREATE INDEX notification_outbox_due ON notification_outbox (next_attempt_ms)
            WHERE status IN ('pending', 'sending')
        """,
        "CREATE INDEX notification_outbox_by_incident_channel ON notification_outbox (incident, channel, id)",
    ]

    /// One row: who is the store's escalator. `token` grows by one with every new holder (the fencing token that
    /// every write of an escalator checks); who may take it is decided by a session-level advisory lock
    /// (`PostgresTranscriptStore.acquireEscalatorLease`).
    static let pg2EscalatorLease = [
        """
        CREATE TABLE escalator_lease (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            token BIGINT NOT NULL,
            pid BIGINT NOT NULL,
            host TEXT NOT NULL,
            started_ms BIGINT NOT NULL,
            heartbeat_ms BIGINT NOT NULL,
            released_ms BIGINT
        )
        """
    ]

    /// One row per incident a session ever drove: the lock that makes one process its driver, on any machine.
    static let pg2DriverLeases = [
        """
        CREATE TABLE driver_leases (
            incident BIGINT PRIMARY KEY REFERENCES incidents (id),
            token BIGINT NOT NULL,
            holder TEXT NOT NULL,
            pid BIGINT NOT NULL,
            host TEXT NOT NULL,
            since_ms BIGINT NOT NULL,
            heartbeat_ms BIGINT NOT NULL,
            released_ms BIGINT
        )
        """
    ]

    /// The search index: one document per command, note and command output (`SearchDocument`), its words in a
    /// generated `tsvector` (the `english` configuration) under a GIN index. Commands and notes recorded before this
    /// migration are indexed by it.
    static let pg2Search = [
        """
        CREATE TABLE search_documents (
            id BIGSERIAL PRIMARY KEY,
            incident BIGINT NOT NULL REFERENCES incidents (id),
            seq BIGINT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('command', 'output', 'note')),
            step_id TEXT,
            ts_ms BIGINT NOT NULL,
            text TEXT NOT NULL,
            document tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, text)) STORED
        )
        """,
        "CREATE INDEX search_documents_words ON search_documents USING GIN (document)",
        "CREATE INDEX search_documents_by_time ON search_documents (ts_ms)",
        """
        INSERT INTO search_documents (incident, seq, kind, step_id, ts_ms, text)
        SELECT incident, seq, CASE type WHEN 'command.started' THEN 'command' ELSE 'note' END, step_id, ts_ms,
            payload::json ->> CASE type WHEN 'command.started' THEN 'command' ELSE 'text' END
        FROM events
        WHERE type IN ('command.started', 'note.added')
            AND payload::json ->> CASE type WHEN 'command.started' THEN 'command' ELSE 'text' END IS NOT NULL
        ORDER BY incident, seq
        """,
    ]

    /// Followers (`runbook follow`) LISTEN on `runbook_incident_<id>`: every inserted event, and every statement's
    /// output chunks of one command, notify it at commit with `<schema> events <seq>` or `<schema> outputs
    /// <command_seq>` (a listener ignores other schemas' incidents of the same number). PostgreSQL folds identical
    /// notifications of one transaction, so a batch of chunks is one notification.
    static let pg3Notify = [
        """
        CREATE FUNCTION runbook_notify_event() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('runbook_incident_' || NEW.incident, TG_TABLE_SCHEMA || ' events ' || NEW.seq);
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE FUNCTION runbook_notify_output() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('runbook_incident_' || NEW.incident, TG_TABLE_SCHEMA || ' outputs ' || NEW.command_seq);
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER events_notify AFTER INSERT ON events
            FOR EACH ROW EXECUTE FUNCTION runbook_notify_event()
        """,
        """
        CREATE TRIGGER outputs_notify AFTER INSERT ON outputs
            FOR EACH ROW EXECUTE FUNCTION runbook_notify_output()
        """,
    ]
}

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
        ("pg3-notify", pg3Notify),
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

import GRDB

/// The escalation tables, appended to `TranscriptMigrations.all` as `v2-escalation-timers-outbox`.
///
/// `timers` keeps every armed timer (one row per generation); a partial unique index allows at most one
/// pending timer per incident. `notification_outbox` holds one row per notification and channel until it is
/// delivered or given up; its payload is the channel-neutral notification, never a secret.
enum EscalationMigrations {
    static let v2 = """
        CREATE TABLE timers (
            id INTEGER PRIMARY KEY,
            incident INTEGER NOT NULL REFERENCES incidents(id),
            kind TEXT NOT NULL CHECK (kind IN ('response', 'repeat')),
            deadline_ms INTEGER NOT NULL,
            generation INTEGER NOT NULL CHECK (generation >= 1),
            repeat INTEGER NOT NULL DEFAULT 0 CHECK (repeat >= 0),
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'fired', 'cancelled', 'superseded')),
            created_ms INTEGER NOT NULL,
            closed_ms INTEGER,
            UNIQUE (incident, generation)
        );
        CREATE UNIQUE INDEX timers_one_pending_per_incident ON timers(incident) WHERE status = 'pending';
        CREATE INDEX timers_pending_by_deadline ON timers(deadline_ms) WHERE status = 'pending';

        CREATE TABLE notification_outbox (
            id INTEGER PRIMARY KEY,
            incident INTEGER NOT NULL REFERENCES incidents(id),
            channel TEXT NOT NULL,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL CHECK (json_valid(payload)),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_ms INTEGER NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
            last_error TEXT,
            created_ms INTEGER NOT NULL,
            event_seq INTEGER
        );
        CREATE INDEX notification_outbox_due ON notification_outbox(next_attempt_ms)
            WHERE status IN ('pending', 'sending');
        """
}

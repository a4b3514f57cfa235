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

    /// The escalator process (`v4-escalator`).
    ///
    /// - `incidents.incident_key`: a random id drawn at declaration, so that `dedup_key`s of two databases (both
    ///   numbering incidents from 1) never collide. Older incidents get one drawn by the migration.
    /// - `incidents.clock_speed` / `clock_origin_ms`: the incident clock (a drill's `ScaledClock`), so that the
    ///   escalator, which is not the drill's process, fires a drill's timers on the drill clock.
    /// - `timers.due_real_ms`: the wall-clock instant a timer is due (its deadline is on the incident clock), which
    ///   is what the escalator sleeps until.
    /// - `escalator_lease`: one row, the lock that makes the escalator one per store. `token` grows by one with every
    ///   new holder and every write of the escalator checks it, so a stale escalator can never commit.
    static let v4 = """
        ALTER TABLE incidents ADD COLUMN incident_key TEXT;
        UPDATE incidents SET incident_key = lower(hex(randomblob(16)));
        ALTER TABLE incidents ADD COLUMN clock_speed REAL NOT NULL DEFAULT 1 CHECK (clock_speed > 0);
        ALTER TABLE incidents ADD COLUMN clock_origin_ms INTEGER;
        UPDATE incidents SET
            clock_speed = coalesce((SELECT json_extract(e.payload, '$.drill_setup.speed') FROM events e
                WHERE e.incident = incidents.id AND e.seq = 1 AND e.type = 'incident.declared'), 1),
            clock_origin_ms = (SELECT CAST(json_extract(e.payload, '$.drill_setup.clock_origin_ms') AS INTEGER)
                FROM events e WHERE e.incident = incidents.id AND e.seq = 1 AND e.type = 'incident.declared');

        ALTER TABLE timers ADD COLUMN due_real_ms INTEGER;
        UPDATE timers SET due_real_ms = (SELECT CASE WHEN i.clock_origin_ms IS NULL OR i.clock_speed = 1
                THEN timers.deadline_ms
                ELSE i.clock_origin_ms + CAST((timers.deadline_ms - i.clock_origin_ms) / i.clock_speed AS INTEGER) END
            FROM incidents i WHERE i.id = timers.incident);
        CREATE INDEX timers_pending_by_real_due ON timers(due_real_ms) WHERE status = 'pending';

        CREATE TABLE escalator_lease (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            token INTEGER NOT NULL,
            pid INTEGER NOT NULL,
            host TEXT NOT NULL,
            started_ms INTEGER NOT NULL,
            heartbeat_ms INTEGER NOT NULL,
            released_ms INTEGER
        );
        CREATE INDEX notification_outbox_by_incident_channel ON notification_outbox(incident, channel, id);
        """
}

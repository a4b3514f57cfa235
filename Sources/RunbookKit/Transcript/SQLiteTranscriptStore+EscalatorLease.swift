import Foundation
import GRDB

/// Who holds the store's escalator lease, as stored in `escalator_lease`.
public struct EscalatorLease: Sendable, Hashable {
    /// Grows by one with every new holder: the fencing token.
    public var token: Int64
    public var pid: Int32
    public var host: String
    public var startedAt: Date
    /// The holder's last sign of life.
    public var heartbeatAt: Date
    /// Set when the holder stopped cleanly.
    public var releasedAt: Date?

    public init(token: Int64, pid: Int32, host: String, startedAt: Date, heartbeatAt: Date, releasedAt: Date? = nil) {
        self.token = token
        self.pid = pid
        self.host = host
        self.startedAt = startedAt
        self.heartbeatAt = heartbeatAt
        self.releasedAt = releasedAt
    }

    /// Whether the holder counts as running at `now`: not released, and a heartbeat within `staleAfter`.
    public func isLive(at now: Date, staleAfter: TimeInterval) -> Bool {
        releasedAt == nil && now.timeIntervalSince(heartbeatAt) <= staleAfter
    }
}

/// What the escalator needs beyond `EscalationStore`: the lease that makes it one per store, and its fencing.
public protocol EscalatorStore: EscalationStore {
    /// The lease as stored, if any escalator ever ran on this store.
    func escalatorLease() throws -> EscalatorLease?
    /// Takes the lease when nobody live holds it; the new fencing token, or `nil`.
    func acquireEscalatorLease(
        pid: Int32, host: String, at now: Date, staleAfter: TimeInterval, isAlive: (Int32) -> Bool
    ) throws -> Int64?
    /// A sign of life; `false` when the lease was taken over.
    func heartbeatEscalatorLease(token: Int64, at now: Date) throws -> Bool
    /// Gives the lease up cleanly.
    func releaseEscalatorLease(token: Int64, at now: Date) throws
    /// Open incidents, pending timers and undelivered notifications.
    func escalatorWorkload() throws -> (openIncidents: Int, pendingTimers: Int, pendingNotifications: Int)
    /// Every later write of this store instance checks the lease still holds this token.
    var fencingToken: Int64? { get set }
    /// How often a second escalator on this store, run as a service, retries as a standby instead of exiting
    /// (PostgreSQL: escalators on several machines); `nil` when it exits (an SQLite file is on one machine).
    var escalatorStandbyRetry: TimeInterval? { get }
}

extension EscalatorStore {
    /// A second escalator exits.
    public var escalatorStandbyRetry: TimeInterval? { nil }
}

extension SQLiteTranscriptStore: EscalatorStore {
    /// The lease as stored, if any escalator ever ran on this store.
    public func escalatorLease() throws -> EscalatorLease? {
        try read { db in try Self.lease(db) }
    }

    /// Takes the lease when nobody holds it: no row, a released one, a heartbeat older than `staleAfter`, or a
    /// holder on this host whose process is gone (`isAlive` says). Returns the new fencing token, or `nil` when a
    /// live escalator holds it. Rows a previous holder was sending go back to pending: at most that one
    /// notification is sent twice, none is lost.
    public func acquireEscalatorLease(
        pid: Int32, host: String, at now: Date, staleAfter: TimeInterval, isAlive: (Int32) -> Bool
    ) throws -> Int64? {
        let milliseconds = Self.milliseconds(now)
        return try write { db -> Int64? in
            let current = try Self.lease(db)
            if let current, current.isLive(at: now, staleAfter: staleAfter),
                !(current.host == host && !isAlive(current.pid))
            {
                return nil
            }
            let token = (current?.token ?? 0) + 1
            try db.execute(
                sql: """
                    INSERT INTO escalator_lease (id, token, pid, host, started_ms, heartbeat_ms, released_ms)
                    VALUES (1, :token, :pid, :host, :now, :now, NULL)
                    ON CONFLICT (id) DO UPDATE SET token = :token, pid = :pid, host = :host, started_ms = :now,
                        heartbeat_ms = :now, released_ms = NULL
                    """,
                arguments: ["token": token, "pid": Int64(pid), "host": host, "now": milliseconds])
            try db.execute(sql: "UPDATE notification_outbox SET status = 'pending' WHERE status = 'sending'")
            return token
        }
    }

    /// Records a sign of life of the holder of `token`; `false` when the lease was taken over (fenced).
    public func heartbeatEscalatorLease(token: Int64, at now: Date) throws -> Bool {
        try write { db in
            try db.execute(
                sql: "UPDATE escalator_lease SET heartbeat_ms = ? WHERE id = 1 AND token = ?",
                arguments: [Self.milliseconds(now), token])
            return db.changesCount == 1
        }
    }

    /// Gives the lease up cleanly (a new escalator may take it at once).
    public func releaseEscalatorLease(token: Int64, at now: Date) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE escalator_lease SET released_ms = ? WHERE id = 1 AND token = ?",
                arguments: [Self.milliseconds(now), token])
        }
    }

    /// Open incidents and undelivered notifications: what keeps an escalator busy.
    public func escalatorWorkload() throws -> (openIncidents: Int, pendingTimers: Int, pendingNotifications: Int) {
        try read { db in
            let open =
                try Int.fetchOne(db, sql: "SELECT count(*) FROM incidents WHERE status IN ('open', 'mitigated')") ?? 0
            let timers = try Int.fetchOne(db, sql: "SELECT count(*) FROM timers WHERE status = 'pending'") ?? 0
            let outbox =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM notification_outbox WHERE status IN ('pending', 'sending')") ?? 0
            return (open, timers, outbox)
        }
    }

    private static func lease(_ db: Database) throws -> EscalatorLease? {
        try Row.fetchOne(db, sql: "SELECT * FROM escalator_lease WHERE id = 1").map { row in
            EscalatorLease(
                token: row["token"], pid: Int32(truncatingIfNeeded: row["pid"] as Int64), host: row["host"],
                startedAt: date(row["started_ms"]), heartbeatAt: date(row["heartbeat_ms"]),
                releasedAt: (row["released_ms"] as Int64?).map(date))
        }
    }
}

import Foundation
import PostgresNIO
import RunbookKit

/// The escalator's lease and the driver leases on PostgreSQL.
///
/// Escalators on several machines elect one with a session-level advisory lock (`pg_try_advisory_lock`), held on
/// this store's connection for the life of the escalator: when its process dies (a SIGKILL closes its connection),
/// the server frees the lock, and a standby that retries takes it. The row `escalator_lease` carries the fencing
/// token: the new holder adds one to it, and every write transaction of an escalator's store checks it under a
/// share lock of that row (`fencingToken`), so an escalator that lost its session can never commit afterwards.
extension PostgresTranscriptStore: EscalatorStore, DriverLeaseStore {
    /// The escalator lock's key: a constant in the high half, the `escalator_lease` table's oid in the low half,
    /// so that each schema (a store per team) elects its own escalator.
    static let escalatorLockKey = "((1919052645::bigint << 32) | 'escalator_lease'::regclass::oid::bigint)"

    /// Every later write transaction of this store checks that the escalator's lease still holds this token
    /// (`TranscriptError.fenced` otherwise).
    public var fencingToken: Int64? {
        get { stateLock.withLock { fence } }
        set { stateLock.withLock { fence = newValue } }
    }

    /// Inside `transaction`: the fence check, which share-locks the lease row until the transaction ends.
    func checkFence() throws {
        guard let fence = fencingToken else { return }
        let held = try query("SELECT token FROM escalator_lease WHERE id = 1 FOR SHARE").first?.decode(Int64.self)
        guard held == fence else {
            throw TranscriptError.fenced(path: location.description, token: fence, holder: held)
        }
    }

    public func escalatorLease() throws -> EscalatorLease? {
        try reading { try fetchEscalatorLease(locking: false) }
    }

    /// Takes the lease when this session gets the advisory lock (no other escalator's session holds it), whatever
    /// the row says: `staleAfter` and `isAlive` are the SQLite store's way to tell a dead holder, and the server
    /// tells it here. Returns the new fencing token, or `nil` while another escalator's session holds the lock.
    /// Rows a previous holder was sending go back to pending: at most that one notification is sent twice, none is
    /// lost.
    public func acquireEscalatorLease(
        pid: Int32, host: String, at now: Date, staleAfter: TimeInterval, isAlive: (Int32) -> Bool
    ) throws -> Int64? {
        let alreadyHeld = stateLock.withLock { holdsEscalatorLock }
        if !alreadyHeld {
            let locked = try reading {
                try query("SELECT pg_try_advisory_lock(\(unescaped: Self.escalatorLockKey))").first?.decode(Bool.self)
            }
            guard locked == true else { return nil }
            stateLock.withLock { holdsEscalatorLock = true }
        }
        let milliseconds = Self.milliseconds(now)
        do {
            // A holder that hangs (a paused process or machine) would keep its session, so the lock, forever: the
            // server ends this session once it stays idle, in a transaction or not, for twice `staleAfter` (an
            // escalator queries several times a second), and a standby takes over.
            let idle = "\(max(1, Int((staleAfter * 2).rounded(.up))))s"
            try reading {
                try query(
                    """
                    SELECT set_config('idle_session_timeout', \(idle), false),
                        set_config('idle_in_transaction_session_timeout', \(idle), false)
                    """)
            }
            return try transaction {
                let token = (try fetchEscalatorLease(locking: true)?.token ?? 0) + 1
                try query(
                    """
                    INSERT INTO escalator_lease (id, token, pid, host, started_ms, heartbeat_ms, released_ms)
                    VALUES (1, \(token), \(Int64(pid)), \(host), \(milliseconds), \(milliseconds), NULL)
                    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token, pid = EXCLUDED.pid, host = EXCLUDED.host,
                        started_ms = EXCLUDED.started_ms, heartbeat_ms = EXCLUDED.heartbeat_ms, released_ms = NULL
                    """)
                try query("UPDATE notification_outbox SET status = 'pending' WHERE status = 'sending'")
                return token
            }
        } catch {
            if !alreadyHeld { try? unlockEscalatorLock() }
            throw error
        }
    }

    /// Records a sign of life of the holder of `token`; `false` when the lease was taken over (fenced), or when
    /// this store's session is gone (its advisory lock with it: a standby takes or took over).
    public func heartbeatEscalatorLease(token: Int64, at now: Date) throws -> Bool {
        do {
            // After a reconnect (the server restarted, or ended an idle session) the election's lock went with the
            // old session: take it again, or another escalator has it and this one stops.
            if !stateLock.withLock({ holdsEscalatorLock }) {
                let locked = try reading {
                    try query("SELECT pg_try_advisory_lock(\(unescaped: Self.escalatorLockKey))").first?.decode(
                        Bool.self)
                }
                guard locked == true else { return false }
                stateLock.withLock { holdsEscalatorLock = true }
            }
            return try transaction {
                !(try query(
                    """
                    UPDATE escalator_lease SET heartbeat_ms = \(Self.milliseconds(now))
                    WHERE id = 1 AND token = \(token)
                    RETURNING id
                    """
                ).isEmpty)
            }
        } catch let error as PostgresStoreError where connectionIsClosed {
            _ = error
            stateLock.withLock { holdsEscalatorLock = false }
            return false
        }
    }

    /// Gives the lease up cleanly, and the advisory lock with it: a standby takes over at its next try.
    public func releaseEscalatorLease(token: Int64, at now: Date) throws {
        try transaction {
            try query(
                """
                UPDATE escalator_lease SET released_ms = \(Self.milliseconds(now)) WHERE id = 1 AND token = \(token)
                """)
        }
        try unlockEscalatorLock()
    }

    public func escalatorWorkload() throws -> (openIncidents: Int, pendingTimers: Int, pendingNotifications: Int) {
        try snapshot {
            let counts = try query(
                """
                SELECT (SELECT count(*) FROM incidents WHERE status IN ('open', 'mitigated')),
                    (SELECT count(*) FROM timers WHERE status = 'pending'),
                    (SELECT count(*) FROM notification_outbox WHERE status IN ('pending', 'sending'))
                """
            ).first?.decode((Int64, Int64, Int64).self)
            return (Int(counts?.0 ?? 0), Int(counts?.1 ?? 0), Int(counts?.2 ?? 0))
        }
    }

    /// A standby escalator on a PostgreSQL store waits and retries this often (the lock is freed the moment its
    /// holder's session ends).
    public var escalatorStandbyRetry: TimeInterval? { 1 }

    private func unlockEscalatorLock() throws {
        guard stateLock.withLock({ holdsEscalatorLock }) else { return }
        try reading { try query("SELECT pg_advisory_unlock(\(unescaped: Self.escalatorLockKey))") }
        stateLock.withLock { holdsEscalatorLock = false }
    }

    private func fetchEscalatorLease(locking: Bool) throws -> EscalatorLease? {
        try query(
            """
            SELECT token, pid, host, started_ms, heartbeat_ms, released_ms FROM escalator_lease WHERE id = 1
            \(unescaped: locking ? "FOR UPDATE" : "")
            """
        ).first.map { row in
            let (token, pid, host, started, heartbeat, released) = try row.decode(
                (Int64, Int64, String, Int64, Int64, Int64?).self)
            return EscalatorLease(
                token: token, pid: Int32(truncatingIfNeeded: pid), host: host, startedAt: Self.date(started),
                heartbeatAt: Self.date(heartbeat), releasedAt: released.map(Self.date))
        }
    }

    // MARK: Driver leases

    public func driverLease(incidentID: Int64) throws -> DriverLease? {
        try reading { try fetchDriverLease(incidentID: incidentID, locking: false) }
    }

    /// Takes the lease unless a live holder has it (`DriverLeaseAcquisition.deciding`), or from anyone with
    /// `force`. The incident's row is locked first, so two machines asking at once queue, and the second decides on
    /// the lease the first wrote.
    public func acquireDriverLease(
        incidentID: Int64, holder: String, pid: Int32, host: String, at now: Date, staleAfter: TimeInterval,
        force: Bool, isAlive: (Int32) -> Bool
    ) throws -> DriverLeaseAcquisition {
        let milliseconds = Self.milliseconds(now)
        return try transaction {
            guard !(try query("SELECT id FROM incidents WHERE id = \(incidentID) FOR UPDATE")).isEmpty else {
                throw TranscriptError.unknownIncident(id: incidentID, path: location.description)
            }
            let decision = DriverLeaseAcquisition.deciding(
                current: try fetchDriverLease(incidentID: incidentID, locking: true), incidentID: incidentID,
                holder: holder, pid: pid, host: host, at: Self.date(milliseconds), staleAfter: staleAfter,
                force: force, isAlive: isAlive)
            guard case .acquired(let taken, _) = decision else { return decision }
            try query(
                """
                INSERT INTO driver_leases (incident, token, holder, pid, host, since_ms, heartbeat_ms, released_ms)
                VALUES (\(incidentID), \(taken.token), \(holder), \(Int64(pid)), \(host), \(milliseconds),
                    \(milliseconds), NULL)
                ON CONFLICT (incident) DO UPDATE SET token = EXCLUDED.token, holder = EXCLUDED.holder,
                    pid = EXCLUDED.pid, host = EXCLUDED.host, since_ms = EXCLUDED.since_ms,
                    heartbeat_ms = EXCLUDED.heartbeat_ms, released_ms = NULL
                """)
            return decision
        }
    }

    public func renewDriverLease(incidentID: Int64, token: Int64, at now: Date) throws -> Bool {
        try transaction {
            !(try query(
                """
                UPDATE driver_leases SET heartbeat_ms = \(Self.milliseconds(now))
                WHERE incident = \(incidentID) AND token = \(token) AND released_ms IS NULL
                RETURNING incident
                """
            ).isEmpty)
        }
    }

    public func releaseDriverLease(incidentID: Int64, token: Int64, at now: Date) throws {
        try transaction {
            try query(
                """
                UPDATE driver_leases SET released_ms = \(Self.milliseconds(now))
                WHERE incident = \(incidentID) AND token = \(token)
                """)
        }
    }

    private func fetchDriverLease(incidentID: Int64, locking: Bool) throws -> DriverLease? {
        try query(
            """
            SELECT token, holder, pid, host, since_ms, heartbeat_ms, released_ms FROM driver_leases
            WHERE incident = \(incidentID) \(unescaped: locking ? "FOR UPDATE" : "")
            """
        ).first.map { row in
            let (token, holder, pid, host, since, heartbeat, released) = try row.decode(
                (Int64, String, Int64, String, Int64, Int64, Int64?).self)
            return DriverLease(
                incidentID: incidentID, token: token, holder: holder, pid: Int32(truncatingIfNeeded: pid), host: host,
                since: Self.date(since), heartbeatAt: Self.date(heartbeat), releasedAt: released.map(Self.date))
        }
    }
}

extension PostgresTranscriptStore: TeamStore {}

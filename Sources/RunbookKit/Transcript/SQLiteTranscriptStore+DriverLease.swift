import Foundation
import GRDB

extension SQLiteTranscriptStore: DriverLeaseStore {
    /// The incident's lease as stored, if a session ever drove it.
    public func driverLease(incidentID: Int64) throws -> DriverLease? {
        try read { db in try Self.driverLease(db, incidentID: incidentID) }
    }

    /// Takes the lease when nobody live holds it (no row, a released one, a heartbeat older than `staleAfter`, or
    /// a holder on this host whose process is gone), or from anyone with `force`. One `BEGIN IMMEDIATE`
    /// transaction, so two processes never both take it.
    public func acquireDriverLease(
        incidentID: Int64, holder: String, pid: Int32, host: String, at now: Date, staleAfter: TimeInterval,
        force: Bool, isAlive: (Int32) -> Bool
    ) throws -> DriverLeaseAcquisition {
        let milliseconds = Self.milliseconds(now)
        return try write { db -> DriverLeaseAcquisition in
            let decision = DriverLeaseAcquisition.deciding(
                current: try Self.driverLease(db, incidentID: incidentID), incidentID: incidentID, holder: holder,
                pid: pid, host: host, at: Self.date(milliseconds), staleAfter: staleAfter, force: force,
                isAlive: isAlive)
            guard case .acquired(let taken, _) = decision else { return decision }
            try db.execute(
                sql: """
                    INSERT INTO driver_leases (incident, token, holder, pid, host, since_ms, heartbeat_ms, released_ms)
                    VALUES (:incident, :token, :holder, :pid, :host, :now, :now, NULL)
                    ON CONFLICT (incident) DO UPDATE SET token = :token, holder = :holder, pid = :pid, host = :host,
                        since_ms = :now, heartbeat_ms = :now, released_ms = NULL
                    """,
                arguments: [
                    "incident": incidentID, "token": taken.token, "holder": holder, "pid": Int64(pid), "host": host,
                    "now": milliseconds,
                ])
            return decision
        }
    }

    /// Records a sign of life of the holder of `token`; `false` when the lease was taken over or released.
    public func renewDriverLease(incidentID: Int64, token: Int64, at now: Date) throws -> Bool {
        try write { db in
            try db.execute(
                sql: """
                    UPDATE driver_leases SET heartbeat_ms = ?
                    WHERE incident = ? AND token = ? AND released_ms IS NULL
                    """,
                arguments: [Self.milliseconds(now), incidentID, token])
            return db.changesCount == 1
        }
    }

    /// Gives the lease up cleanly (the next `resume` takes it at once).
    public func releaseDriverLease(incidentID: Int64, token: Int64, at now: Date) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE driver_leases SET released_ms = ? WHERE incident = ? AND token = ?",
                arguments: [Self.milliseconds(now), incidentID, token])
        }
    }

    private static func driverLease(_ db: Database, incidentID: Int64) throws -> DriverLease? {
        try Row.fetchOne(db, sql: "SELECT * FROM driver_leases WHERE incident = ?", arguments: [incidentID]).map {
            row in
            DriverLease(
                incidentID: incidentID, token: row["token"], holder: row["holder"],
                pid: Int32(truncatingIfNeeded: row["pid"] as Int64), host: row["host"], since: date(row["since_ms"]),
                heartbeatAt: date(row["heartbeat_ms"]), releasedAt: (row["released_ms"] as Int64?).map(date))
        }
    }
}

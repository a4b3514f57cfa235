import Foundation

/// Who drives an incident (`start`, `resume`, `drill`), as stored in `driver_leases`.
public struct DriverLease: Sendable, Hashable {
    /// The incident driven.
    public var incidentID: Int64
    /// Grows by one with every new holder: a holder whose token is gone lost the lease.
    public var token: Int64
    /// `user@host` of the holder.
    public var holder: String
    public var pid: Int32
    public var host: String
    /// When the holder took the lease.
    public var since: Date
    /// The holder's last sign of life.
    public var heartbeatAt: Date
    /// Set when the holder stopped cleanly.
    public var releasedAt: Date?

    /// Creates a lease from its stored fields.
    public init(
        incidentID: Int64, token: Int64, holder: String, pid: Int32, host: String, since: Date, heartbeatAt: Date,
        releasedAt: Date? = nil
    ) {
        self.incidentID = incidentID
        self.token = token
        self.holder = holder
        self.pid = pid
        self.host = host
        self.since = since
        self.heartbeatAt = heartbeatAt
        self.releasedAt = releasedAt
    }

    /// Whether the holder counts as driving at `now`: not released, a heartbeat within `staleAfter`, and, when it
    /// runs on `host`, a process that still exists (`isAlive`).
    public func isLive(
        at now: Date, staleAfter: TimeInterval, host currentHost: String, isAlive: (Int32) -> Bool
    ) -> Bool {
        guard releasedAt == nil, now.timeIntervalSince(heartbeatAt) <= staleAfter else { return false }
        return host != currentHost || isAlive(pid)
    }

    /// `alice@bastion (pid 4242 on bastion) since 2026-12-04 20:15:16Z`: who, where and since when.
    public var description: String {
        "\(holder) (pid \(pid) on \(host)) since \(UTCTimestamp.text(since))"
    }
}

/// The store side of driver leases: one live driver per incident.
public protocol DriverLeaseStore: AnyObject {
    /// The incident's lease as stored, if a session ever drove it.
    func driverLease(incidentID: Int64) throws -> DriverLease?
    /// Takes the incident's lease for this process unless a live holder has it (see `DriverLease.isLive`);
    /// `force` takes it from a live holder too. Returns the lease taken and the one it replaced, or the live
    /// lease that refused it.
    func acquireDriverLease(
        incidentID: Int64, holder: String, pid: Int32, host: String, at now: Date, staleAfter: TimeInterval,
        force: Bool, isAlive: (Int32) -> Bool
    ) throws -> DriverLeaseAcquisition
    /// A sign of life; `false` when the lease was taken over or released.
    func renewDriverLease(incidentID: Int64, token: Int64, at now: Date) throws -> Bool
    /// Gives the lease up cleanly: the next `resume` takes it at once.
    func releaseDriverLease(incidentID: Int64, token: Int64, at now: Date) throws
}

/// What `acquireDriverLease` did.
public enum DriverLeaseAcquisition: Sendable, Hashable {
    /// Taken; `previous` is the lease it replaced, when one was live (a take-over).
    case acquired(DriverLease, previous: DriverLease?)
    /// A live holder has it.
    case held(DriverLease)
}

extension DriverLeaseAcquisition {
    /// What `acquireDriverLease` decides, given the lease as stored (read under the backend's lock): held by a live
    /// holder (unless `force`), or taken with the next token. The backend writes the lease when it is `.acquired`.
    public static func deciding(
        current: DriverLease?, incidentID: Int64, holder: String, pid: Int32, host: String, at now: Date,
        staleAfter: TimeInterval, force: Bool, isAlive: (Int32) -> Bool
    ) -> DriverLeaseAcquisition {
        let live = current.flatMap {
            $0.isLive(at: now, staleAfter: staleAfter, host: host, isAlive: isAlive) ? $0 : nil
        }
        if let live, !force { return .held(live) }
        let taken = DriverLease(
            incidentID: incidentID, token: (current?.token ?? 0) + 1, holder: holder, pid: pid, host: host, since: now,
            heartbeatAt: now)
        return .acquired(taken, previous: live)
    }
}

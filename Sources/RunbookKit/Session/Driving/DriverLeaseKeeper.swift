import Foundation

/// Holds this process's driver lease on one incident: renews it every few seconds on a thread of its own (a
/// long command never lets it go stale), tells the session when another process took it, and releases it on exit.
public final class DriverLeaseKeeper: @unchecked Sendable {
    /// A heartbeat older than this counts as a dead holder (another host cannot ask whether the process exists).
    public static let staleAfter: TimeInterval = 30
    /// How often the lease is renewed while the session runs.
    public static let renewalInterval: TimeInterval = 2

    /// The lease as taken.
    public let lease: DriverLease
    let store: any DriverLeaseStore
    let wallClock: any Clock
    private let lock = NSLock()
    private var lostFlag = false
    private var timer: DispatchSourceTimer?

    init(store: any DriverLeaseStore, lease: DriverLease, wallClock: any Clock) {
        self.store = store
        self.lease = lease
        self.wallClock = wallClock
    }

    /// Takes `incidentID`'s lease for this process. A live holder refuses it (`SessionError.incidentDriven`)
    /// unless `takeOver` returns `true` when asked with that holder; a dead one (its process gone on this host, or
    /// no heartbeat for `staleAfter`) gives it up at once. Returns the keeper, renewing, and the lease taken over.
    public static func acquire(
        store: any DriverLeaseStore, incidentID: Int64, identity: ResponderIdentity,
        pid: Int32 = getpid(), wallClock: any Clock = SystemClock(),
        isAlive: (Int32) -> Bool = Escalator.processIsAlive, takeOver: ((DriverLease) throws -> Bool)? = nil
    ) throws -> (DriverLeaseKeeper, takenOver: DriverLease?) {
        var force = false
        while true {
            let outcome = try store.acquireDriverLease(
                incidentID: incidentID, holder: identity.actor, pid: pid, host: identity.host, at: wallClock.now(),
                staleAfter: staleAfter, force: force, isAlive: isAlive)
            switch outcome {
            case .acquired(let lease, let previous):
                let keeper = DriverLeaseKeeper(store: store, lease: lease, wallClock: wallClock)
                keeper.startRenewing()
                return (keeper, previous)
            case .held(let holder):
                guard let takeOver, !force else { throw SessionError.incidentDriven(holder) }
                guard try takeOver(holder) else { throw SessionError.takeOverDeclined(incidentID: incidentID) }
                force = true
            }
        }
    }

    /// Whether another process took the lease (seen at the last renewal).
    public var isLost: Bool { lock.withLock { lostFlag } }

    /// Renews the lease now; throws `SessionError.driverLeaseLost` naming the new holder when it was taken.
    public func check() throws {
        guard try renew() else {
            let holder = try? store.driverLease(incidentID: lease.incidentID)
            throw SessionError.driverLeaseLost(
                incidentID: lease.incidentID, holder: holder.flatMap { $0.token == lease.token ? nil : $0 })
        }
    }

    /// Stops renewing and gives the lease up, unless it was lost (then it is someone else's).
    public func release() {
        lock.withLock {
            timer?.cancel()
            timer = nil
        }
        try? store.releaseDriverLease(incidentID: lease.incidentID, token: lease.token, at: wallClock.now())
    }

    @discardableResult
    private func renew() throws -> Bool {
        if isLost { return false }
        let held = try store.renewDriverLease(incidentID: lease.incidentID, token: lease.token, at: wallClock.now())
        if !held { lock.withLock { lostFlag = true } }
        return held
    }

    private func startRenewing() {
        let source = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "runbook.driver-lease"))
        source.schedule(deadline: .now() + Self.renewalInterval, repeating: Self.renewalInterval)
        source.setEventHandler { [weak self] in _ = try? self?.renew() }
        lock.withLock { timer = source }
        source.resume()
    }
}

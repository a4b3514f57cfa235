import Foundation

/// The escalator: one process per store that fires every open incident's due timers and delivers the
/// notification outbox, whatever the responders' terminals are doing.
///
/// It holds the store's lease (`escalator_lease`) with a fencing token: every write it makes checks the token, so
/// an escalator that was paused and replaced can never commit. It wakes at least once a second (sooner for the
/// next deadline), compares deadlines with the wall clock, and fires what is due, also after a laptop slept or
/// the clock jumped (`late_by_ms` records how late). See docs/escalation.md.
public final class Escalator: @unchecked Sendable {
    /// How the loop runs.
    public struct Options: Sendable {
        /// A heartbeat older than this means the holder is gone.
        public var staleAfter: TimeInterval = 5
        /// How often the lease is renewed.
        public var heartbeatInterval: TimeInterval = 1
        /// The longest sleep between two passes (other processes declare incidents and queue notifications).
        public var maxWait: TimeInterval = 0.25
        /// Exit once the store has had no armed timer and no undelivered notification for this long (every command
        /// that arms a timer or queues a notification starts an escalator again).
        public var idleExit: TimeInterval?

        public init(idleExit: TimeInterval? = nil) { self.idleExit = idleExit }
    }

    /// Why `run` returned.
    public enum Stop: Equatable, Sendable {
        /// `requestStop()` (SIGTERM, SIGINT).
        case requested
        /// Another escalator took the lease over.
        case fenced
        /// Nothing to do for `idleExit`.
        case idle
        /// The database file is gone (deleted or replaced).
        case databaseGone
    }

    public let store: any EscalatorStore
    public let scheduler: EscalationScheduler
    public let options: Options
    let clock: any Clock
    let log: @Sendable (String) -> Void
    private let databasePath: String?
    private let condition = NSCondition()
    private var stopRequested = false
    public private(set) var token: Int64?

    /// An escalator over `store`, firing with `scheduler` (its channels, calendar and repeat limit) and delivering
    /// with its deliverer. `log` receives one line per thing that happened.
    public init(
        store: any EscalatorStore, scheduler: EscalationScheduler, options: Options = Options(),
        clock: any Clock = SystemClock(), databasePath: String? = nil, log: @escaping @Sendable (String) -> Void
    ) {
        self.store = store
        self.scheduler = scheduler
        self.options = options
        self.clock = clock
        self.databasePath = databasePath
        self.log = log
    }

    /// Takes the lease; `false` (and nothing else happens) when a live escalator holds it.
    ///
    /// `standingBy` (by default: when the store has standbys, `EscalatorStore.escalatorStandbyRetry`, and this
    /// escalator runs as a service, without `idleExit`) waits instead, retrying every `escalatorStandbyRetry`
    /// seconds, until the lease is taken (`true`) or `requestStop()` is called (`false`): the holder's process
    /// died or stopped, and this one takes over, with a new fencing token.
    public func acquire(
        pid: Int32 = getpid(), host: String = ProcessInfo.processInfo.hostName,
        isAlive: (Int32) -> Bool = Escalator.processIsAlive, standingBy: Bool? = nil
    ) throws -> Bool {
        let retry = store.escalatorStandbyRetry
        let standby = retry != nil && (standingBy ?? (options.idleExit == nil))
        var announced = false
        while true {
            if let token = try store.acquireEscalatorLease(
                pid: pid, host: host, at: clock.now(), staleAfter: options.staleAfter, isAlive: isAlive)
            {
                self.token = token
                store.fencingToken = token
                if announced { log("standby took over: the lease is this escalator's (token \(token))") }
                return true
            }
            guard standby, let retry else { return false }
            if !announced {
                let holder = (try? store.escalatorLease()).flatMap { $0 }.map { " (pid \($0.pid) on \($0.host))" } ?? ""
                log("standing by: another escalator runs\(holder); trying again every \(retry) s")
                announced = true
            }
            condition.lock()
            if !stopRequested { _ = condition.wait(until: Date().addingTimeInterval(retry)) }
            let stopping = stopRequested
            condition.unlock()
            if stopping { return false }
        }
    }

    /// Whether process `pid` exists on this host.
    public static func processIsAlive(_ pid: Int32) -> Bool {
        pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)
    }

    /// Asks `run` to return after its current pass (in-flight deliveries finish first).
    public func requestStop() {
        condition.lock()
        stopRequested = true
        condition.signal()
        condition.unlock()
    }

    /// One pass: renews nothing, fires what is due now and wakes the deliverer when anything is due. Returns the
    /// reports of what fired.
    @discardableResult
    public func pass(at now: Date) throws -> [EscalationScheduler.Report] {
        let reports = try scheduler.fireDueAcrossIncidents(at: now)
        for report in reports {
            for event in report.events where event.type == .escalationTriggered {
                let late = event.payload["late_by_ms"]?.intValue ?? 0
                let channels = event.payload["channels"]?.arrayValue?.compactMap(\.stringValue) ?? []
                log(
                    "incident \(report.incidentID): escalation fired (late by \(late) ms), queued for "
                        + (channels.isEmpty ? "no channel" : channels.joined(separator: ", ")))
            }
        }
        if let next = try store.nextOutboxAttempt(), next <= now { scheduler.deliverer?.wake() }
        return reports
    }

    /// Runs until stopped, fenced, idle or the database is gone; gives the lease up on the way out.
    public func run() throws -> Stop {
        guard let token else { return .fenced }
        let identity = databaseIdentity()
        scheduler.deliverer?.start()
        defer { scheduler.deliverer?.stop(timeout: 10) }
        var lastHeartbeat = clock.now()
        var idleSince: Date?
        log("escalator started (token \(token), pid \(getpid()))")
        while true {
            condition.lock()
            let stopping = stopRequested
            condition.unlock()
            if stopping {
                try? store.releaseEscalatorLease(token: token, at: clock.now())
                log("escalator stopped")
                return .requested
            }
            let now = clock.now()
            do {
                if now.timeIntervalSince(lastHeartbeat) >= options.heartbeatInterval {
                    guard try store.heartbeatEscalatorLease(token: token, at: now) else {
                        log("escalator fenced: another escalator took the lease over")
                        return .fenced
                    }
                    lastHeartbeat = now
                    if let identity, identity != databaseIdentity() {
                        log("escalator stopped: the database file is gone")
                        return .databaseGone
                    }
                    if let idleExit = options.idleExit {
                        let load = try store.escalatorWorkload()
                        if load.pendingTimers == 0 && load.pendingNotifications == 0 {
                            idleSince = idleSince ?? now
                            if now.timeIntervalSince(idleSince!) >= idleExit {
                                try store.releaseEscalatorLease(token: token, at: now)
                                log("escalator stopped: no timer armed and nothing to deliver for \(Int(idleExit)) s")
                                return .idle
                            }
                        } else {
                            idleSince = nil
                        }
                    }
                }
                try pass(at: now)
            } catch TranscriptError.fenced {
                log("escalator fenced: another escalator took the lease over")
                return .fenced
            } catch {
                // A locked or busy database must not end escalation: log it and try again on the next pass.
                log("error: \(error)")
            }
            var wait = options.maxWait
            if let next = try? store.nextTimerDue() { wait = min(wait, max(0, next.timeIntervalSince(clock.now()))) }
            condition.lock()
            if !stopRequested && wait > 0 { _ = condition.wait(until: Date().addingTimeInterval(wait)) }
            condition.unlock()
        }
    }

    /// Device and inode of the database file, to notice that it was deleted or replaced.
    private func databaseIdentity() -> String? {
        guard let databasePath, databasePath != ":memory:" else { return nil }
        var info = stat()
        guard stat(databasePath, &info) == 0 else { return "gone" }
        return "\(info.st_dev):\(info.st_ino)"
    }
}

import Foundation

/// The escalation runtime of one process: arms timers at declaration, fires what is due, and records acks,
/// severity changes and resolutions, each in one transaction with its events and notifications.
///
/// The REPL calls `nextDeadline(incidentID:)` for its countdown, `fireDue(incidentID:)` whenever the deadline
/// passes (and on `resume`), and shows the returned banners. Every method is safe to call from several
/// processes at once: a timer fires at most once, because closing it (pending → fired) is a condition of the
/// same transaction that records its escalation.
public final class EscalationScheduler: @unchecked Sendable {
    public let store: any EscalationStore
    public let engine: EscalationEngine
    /// The incident clock (a `ScaledClock` in drills): deadlines and `late_by` are measured on it.
    public let clock: any Clock
    /// The real clock: event timestamps and outbox attempts.
    public let wallClock: any Clock
    /// Repeat limit copied into each new incident's snapshot.
    public let repeatLimit: Int
    /// Who the scheduler's own events are recorded as (`runbook@host`).
    public let actor: String
    /// The outbox deliverer woken after every commit that queued notifications, if any.
    public let deliverer: NotificationDeliverer?
    let channels: EscalationChannels
    let terminal = TerminalNotifier()

    public init(
        store: any EscalationStore, engine: EscalationEngine = EscalationEngine(), clock: any Clock = SystemClock(),
        wallClock: any Clock = SystemClock(), channels: EscalationChannels = .none,
        repeatLimit: Int = EscalationSnapshot.defaultRepeatLimit, actor: String,
        deliverer: NotificationDeliverer? = nil
    ) {
        self.store = store
        self.engine = engine
        self.clock = clock
        self.wallClock = wallClock
        self.channels = channels
        self.repeatLimit = repeatLimit
        self.actor = actor
        self.deliverer = deliverer
    }

    /// A scheduler configured from `runbooks/notifiers.yaml`, with a deliverer for its channels.
    public convenience init(
        store: any EscalationStore, configuration: NotifierConfiguration, clock: any Clock = SystemClock(),
        wallClock: any Clock = SystemClock(), environment: [String: String] = ProcessInfo.processInfo.environment,
        actor: String
    ) {
        let notifiers = configuration.makeNotifiers(environment: environment)
        let deliverer = NotificationDeliverer(
            store: store, notifiers: notifiers, retry: configuration.retry, clock: wallClock, actor: actor,
            attemptTimeout: configuration.attemptTimeout)
        self.init(
            store: store, engine: EscalationEngine(calendar: configuration.calendar), clock: clock,
            wallClock: wallClock, channels: EscalationChannels(notifiers: notifiers),
            repeatLimit: configuration.repeatLimit, actor: actor, deliverer: deliverer)
    }

    /// What one call recorded: events as committed, and banners for the terminal.
    public struct Report: Sendable, Hashable {
        public var incidentID: Int64
        public var events: [RecordedEvent]
        /// One line per notification (`ESCALATION: P0 incident #42 …`), `[DRILL]`-prefixed in drills.
        public var banners: [String]
        public var notifications: [EscalationNotification]
        /// The incident's state afterwards.
        public var state: EscalationState
    }

    /// Whether events carry the incident clock's time (`drill_time`) beside the real timestamp.
    var recordsDrillTime: Bool { clock is ScaledClock }

    private func extraPayload(at now: Date) -> [String: JSONValue] {
        recordsDrillTime ? ["drill_time": .string(EscalationNotification.iso8601(now))] : [:]
    }

    private func report(_ commit: EscalationCommit) -> Report {
        if !commit.outboxIDs.isEmpty { deliverer?.wake() }
        return Report(
            incidentID: commit.incidentID, events: commit.events,
            banners: commit.outcome.notifications.map(terminal.banner(for:)),
            notifications: commit.outcome.notifications, state: commit.outcome.state)
    }

    /// Declares the incident with a snapshot of `policy` and arms its response timer in the same transaction
    /// as `incident.declared`.
    public func declare(_ declaration: IncidentDeclaration, policy: EscalationPolicy) throws -> (Incident, Report) {
        var declaration = declaration
        declaration.policySnapshot = EscalationSnapshot(policy: policy, repeatLimit: repeatLimit).json
        let now = clock.now()
        let (incident, event, commit) = try store.declareIncident(
            declaration, actor: actor, at: wallClock.now(), channels: channels
        ) { state in
            var state = state
            // Deadlines live on the incident clock, which may run faster than the recorded wall time.
            state.declaredAt = now
            return engine.declare(state)
        }
        var state = commit?.outcome.state
        if state == nil { state = try store.escalationState(incidentID: incident.id) }
        let fallback = EscalationState(
            incidentID: incident.id, title: incident.title, severity: incident.severity,
            snapshot: EscalationSnapshot(rules: []), declaredAt: now)
        let report = Report(
            incidentID: incident.id, events: [event], banners: [], notifications: [], state: state ?? fallback)
        return (incident, report)
    }

    /// The incident's escalation state now.
    public func state(incidentID: Int64) throws -> EscalationState? {
        try store.escalationState(incidentID: incidentID)
    }

    /// The soonest pending deadline (of `incidentID`, or of every incident), on the incident clock.
    public func nextDeadline(incidentID: Int64? = nil) throws -> Date? {
        try store.pendingTimers(dueBy: nil, incidentID: incidentID).first?.deadline
    }

    /// Real seconds until the soonest pending deadline (the drill speed applied), `0` when overdue, `nil` when
    /// nothing is armed: the REPL's `poll()` timeout.
    public func secondsUntilNextDeadline(incidentID: Int64? = nil) throws -> TimeInterval? {
        guard let deadline = try nextDeadline(incidentID: incidentID) else { return nil }
        let remaining = max(0, deadline.timeIntervalSince(clock.now()))
        if let scaled = clock as? ScaledClock { return scaled.realInterval(forDrill: remaining) }
        return remaining
    }

    /// Fires every timer due at `now` (default: the incident clock's now), each once: overdue timers (after a
    /// restart) fire at once with `late_by_ms` recorded. All timers due together are committed in one
    /// transaction (one disk sync), each with its own events. Returns what was recorded, soonest deadline first.
    public func fireDue(now fixedNow: Date? = nil, incidentID: Int64? = nil) throws -> [Report] {
        let now = fixedNow ?? clock.now()
        let due = try store.pendingTimers(dueBy: now, incidentID: incidentID)
        guard !due.isEmpty else { return [] }
        let generations = Dictionary(
            due.map { ($0.incidentID, $0.generation) }, uniquingKeysWith: { first, _ in first })
        let commits = try store.updateEscalations(
            incidentIDs: due.map(\.incidentID), actor: actor, at: wallClock.now(), channels: channels,
            extraPayload: extraPayload(at: now)
        ) { state in
            guard let generation = generations[state.incidentID] else { return nil }
            if let outcome = engine.fire(state, generation: generation, at: now) { return outcome }
            // Pending but not fireable (acknowledged or resolved without closing it): close it quietly.
            guard state.pendingTimer?.generation == generation, state.isAcknowledged || state.isResolved
            else { return nil }
            var outcome = EscalationOutcome(state: state)
            outcome.timerWrites = [.close(generation: generation, status: .cancelled)]
            return outcome
        }
        return commits.filter { !$0.events.isEmpty }.map(report)
    }

    /// Records `ack.received` by `name`, stops escalation and queues the acknowledgement to paged channels.
    public func acknowledge(incidentID: Int64, by name: String) throws -> Report {
        let now = clock.now()
        return try commit(incidentID: incidentID, now: now) { state in
            guard !state.isResolved else { throw EscalationError.alreadyResolved(incidentID: incidentID) }
            return engine.acknowledge(state, by: name, at: now)
        }
    }

    /// Records `severity.changed` and reschedules by the matrix (see `EscalationEngine`).
    public func changeSeverity(incidentID: Int64, to severity: Severity, reason: String) throws -> Report {
        let now = clock.now()
        return try commit(incidentID: incidentID, now: now) { state in
            guard !state.isResolved else { throw EscalationError.alreadyResolved(incidentID: incidentID) }
            return engine.changeSeverity(state, to: severity, reason: reason, at: now)
        }
    }

    /// Records `incident.resolved` (with `payload`), cancels every timer and queues the resolution.
    public func resolve(incidentID: Int64, by name: String?, payload: JSONValue = [:]) throws -> Report {
        let now = clock.now()
        return try commit(incidentID: incidentID, now: now) { state in
            guard !state.isResolved else { throw EscalationError.alreadyResolved(incidentID: incidentID) }
            return engine.resolve(state, by: name, at: now, payload: payload)
        }
    }

    private func commit(
        incidentID: Int64, now: Date, decide: (EscalationState) throws -> EscalationOutcome
    ) throws -> Report {
        // A timer firing in another process between our read and our write makes the close stale: try again
        // on the fresh state (a handful of times at most; each retry sees a newer generation).
        for _ in 0..<5 {
            if let commit = try store.updateEscalation(
                incidentID: incidentID, actor: actor, at: wallClock.now(), channels: channels,
                extraPayload: extraPayload(at: now), decide: decide)
            {
                return report(commit)
            }
        }
        throw EscalationError.busy(incidentID: incidentID)
    }
}

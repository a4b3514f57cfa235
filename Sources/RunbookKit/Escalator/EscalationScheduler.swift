import Foundation

/// The escalation rules bound to a store and a clock: arms timers at declaration, fires what is due, and records
/// acks, severity changes and resolutions, each in one transaction with its events and notifications.
///
/// Sessions (`start`, `drill`, `resume`) and one-shot commands (`declare`, `ack`) use it to record what the
/// responder does. Only the escalator process (`Escalator`) fires timers and delivers the outbox, with
/// `fireDueAcrossIncidents(at:)`, so that escalation goes on whatever the responder's terminal is doing. Every
/// method is safe to call from several processes at once: a timer fires at most once, because closing it
/// (pending → fired) is a condition of the same transaction that records its escalation.
public final class EscalationScheduler: @unchecked Sendable {
    public let store: any EscalationStore
    public let engine: EscalationEngine
    /// The incident clock (a `ScaledClock` in drills): deadlines and `late_by` are measured on it.
    public let clock: any Clock
    /// The clock of event timestamps: the session's clock (a drill's events are on the drill clock).
    public let wallClock: any Clock
    /// The real clock: notifications carry real timestamps, even in drills, and are queued at that time.
    public let realClock: any Clock
    /// Repeat limit copied into each new incident's snapshot.
    public let repeatLimit: Int
    /// Who the scheduler's own events are recorded as (`runbook@host`).
    public let actor: String
    /// The outbox deliverer woken after every commit that queued notifications, if any.
    public let deliverer: NotificationDeliverer?
    let channels: EscalationChannels
    /// Incident clocks by incident id, as stored (they never change once declared).
    private var clocks: [Int64: IncidentClock] = [:]
    private let clocksLock = NSLock()

    public init(
        store: any EscalationStore, engine: EscalationEngine = EscalationEngine(), clock: any Clock = SystemClock(),
        wallClock: any Clock = SystemClock(), realClock: (any Clock)? = nil,
        channels: EscalationChannels = .none, repeatLimit: Int = EscalationSnapshot.defaultRepeatLimit,
        actor: String, deliverer: NotificationDeliverer? = nil
    ) {
        self.store = store
        self.engine = engine
        self.clock = clock
        self.wallClock = wallClock
        // Without one, the real clock is the one under a drill's scaled clock, or the event clock itself.
        self.realClock = realClock ?? (wallClock as? ScaledClock)?.base ?? wallClock
        self.channels = channels
        self.repeatLimit = repeatLimit
        self.actor = actor
        self.deliverer = deliverer
    }

    /// A scheduler configured from `runbooks/notifiers.yaml`; with `delivering`, a deliverer for its channels on
    /// the real clock (the escalator's).
    public convenience init(
        store: any EscalationStore, configuration: NotifierConfiguration, clock: any Clock = SystemClock(),
        wallClock: any Clock = SystemClock(), environment: [String: String] = ProcessInfo.processInfo.environment,
        actor: String, delivering: Bool = true
    ) {
        let notifiers = configuration.makeNotifiers(environment: environment)
        let deliverer =
            delivering
            ? NotificationDeliverer(
                store: store, notifiers: notifiers, retry: configuration.retry, clock: SystemClock(), actor: actor,
                attemptTimeout: configuration.attemptTimeout) : nil
        self.init(
            store: store, engine: EscalationEngine(calendar: configuration.calendar), clock: clock,
            wallClock: wallClock, channels: EscalationChannels(notifiers: notifiers),
            repeatLimit: configuration.repeatLimit, actor: actor, deliverer: deliverer)
    }

    /// What one call recorded: events as committed, and banners for the terminal.
    public struct Report: Sendable, Hashable {
        public var incidentID: Int64
        public var events: [RecordedEvent]
        public var notifications: [EscalationNotification]
        /// The incident's state afterwards.
        public var state: EscalationState
    }

    /// Whether events carry the incident clock's time (`drill_time`) beside the real timestamp.
    var recordsDrillTime: Bool { clock is ScaledClock }

    private func extraPayload(at now: Date) -> [String: JSONValue] {
        recordsDrillTime ? ["drill_time": .string(EscalationNotification.iso8601(now))] : [:]
    }

    /// What the engine decided, as committed: notifications stamped with the real time (a drill's payloads carry
    /// real timestamps), and each escalation event naming the channels it was queued for, so that every screen
    /// can say who was told (or that nobody was).
    func stamped(_ outcome: EscalationOutcome) -> EscalationOutcome {
        var outcome = outcome
        let now = realClock.now()
        for index in outcome.notifications.indices { outcome.notifications[index].occurredAt = now }
        let paging = outcome.notifications.filter { $0.kind == .escalation || $0.kind == .severityUpgrade }
        guard let notification = paging.first else { return outcome }
        let names = channels.channels(for: notification)
        for index in outcome.events.indices where outcome.events[index].type == .escalationTriggered {
            if case .object(var members) = outcome.events[index].payload {
                members["channels"] = .array(names.map { .string($0) })
                if let configured = channels.configuredCount {
                    members["channels_configured"] = .int(Int64(configured))
                }
                outcome.events[index].payload = .object(members)
            }
        }
        return outcome
    }

    private func report(_ commit: EscalationCommit) -> Report {
        if !commit.outboxIDs.isEmpty { deliverer?.wake() }
        return Report(
            incidentID: commit.incidentID, events: commit.events,
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
            return stamped(engine.declare(state))
        }
        var state = commit?.outcome.state
        if state == nil { state = try store.escalationState(incidentID: incident.id) }
        let fallback = EscalationState(
            incidentID: incident.id, title: incident.title, severity: incident.severity,
            snapshot: EscalationSnapshot(rules: []), declaredAt: now)
        let report = Report(
            incidentID: incident.id, events: [event], notifications: [], state: state ?? fallback)
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
            if let outcome = engine.fire(state, generation: generation, at: now) { return stamped(outcome) }
            // Pending but not fireable (acknowledged or resolved without closing it): close it quietly.
            guard state.pendingTimer?.generation == generation, state.isAcknowledged || state.isResolved
            else { return nil }
            var outcome = EscalationOutcome(state: state)
            outcome.timerWrites = [.close(generation: generation, status: .cancelled)]
            return outcome
        }
        return commits.filter { !$0.events.isEmpty }.map(report)
    }

    /// The escalator's pass: fires every incident's timers that are due by the wall-clock instant `realNow`, each
    /// on its incident's own clock (a drill's runs faster), each at most once. Incidents on the wall clock are
    /// committed in one transaction (one disk sync for a burst); each drill clock gets its own, with event
    /// timestamps on that clock and `drill_time` recorded, like the drill's other events.
    public func fireDueAcrossIncidents(at realNow: Date) throws -> [Report] {
        let due = try store.pendingTimers(dueByRealTime: realNow)
        guard !due.isEmpty else { return [] }
        var groups: [IncidentClock: [EscalationTimer]] = [:]
        for timer in due { groups[try incidentClock(timer.incidentID), default: []].append(timer) }
        var reports: [Report] = []
        for (incidentClock, timers) in groups.sorted(by: {
            ($0.value[0].dueReal ?? .distantPast) < ($1.value[0].dueReal ?? .distantPast)
        }) {
            let now = incidentClock.clock(base: FixedClock(realNow)).now()
            let isDrillClock = incidentClock.origin != nil && incidentClock.speed != 1
            let byIncident = Dictionary(timers.map { ($0.incidentID, $0) }, uniquingKeysWith: { first, _ in first })
            let commits = try store.updateEscalations(
                incidentIDs: timers.map(\.incidentID), actor: actor, at: isDrillClock ? now : realNow,
                channels: channels,
                extraPayload: isDrillClock ? ["drill_time": .string(EscalationNotification.iso8601(now))] : [:]
            ) { state in
                guard let timer = byIncident[state.incidentID] else { return nil }
                // Due by the wall clock; the millisecond mapping may leave the incident clock a hair short of it.
                let at = max(now, timer.deadline)
                if let outcome = engine.fire(state, generation: timer.generation, at: at) { return stamped(outcome) }
                guard state.pendingTimer?.generation == timer.generation, state.isAcknowledged || state.isResolved
                else { return nil }
                var outcome = EscalationOutcome(state: state)
                outcome.timerWrites = [.close(generation: timer.generation, status: .cancelled)]
                return outcome
            }
            reports += commits.filter { !$0.events.isEmpty }.map(report)
        }
        return reports
    }

    private func incidentClock(_ incidentID: Int64) throws -> IncidentClock {
        if let known = clocksLock.withLock({ clocks[incidentID] }) { return known }
        let found = try store.incidentClock(incidentID: incidentID) ?? IncidentClock(speed: 1, origin: nil)
        clocksLock.withLock { clocks[incidentID] = found }
        return found
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
                extraPayload: extraPayload(at: now), decide: { self.stamped(try decide($0)) })
            {
                return report(commit)
            }
        }
        throw EscalationError.busy(incidentID: incidentID)
    }
}

import Foundation

/// The state machine of one incident: where the responder is, what became of each step, the variables, the
/// severity, and the runbooks opened on the way.
///
/// It does no terminal I/O: the REPL, the scripted mode, drills and tests all drive it through the same methods.
/// Every action records its event and returns only after the event is committed, so whatever the responder saw
/// survives a crash; `resume(_:dependencies:)` rebuilds the state by replaying those events.
public final class IncidentSession {
    /// The injected store, runner, clock, loader and redactor.
    public let dependencies: SessionDependencies
    /// The incident row as of the last event recorded by this session.
    public private(set) var incident: Incident
    var state: SessionState
    /// Secret values entered in this process; never recorded, asked again on resume.
    var secretValues: [String: String] = [:]
    /// A `sh COMMAND` shown and waiting for approval.
    var pendingAdHoc: String?
    /// Background steps started in this session (`IncidentSession+Background`).
    let backgroundJobs = BackgroundJobs()
    /// The last sequence `escalationUpdates()` looked past: what other processes recorded after it is new.
    var escalationCursor: Int64 = 0
    /// Escalation events this session recorded itself (and already showed).
    var ownEscalationEvents: Set<Int64> = []
    /// This process's driver lease on the incident, checked before every action (`nil` in tests of the session
    /// alone and with stores that keep no leases).
    public var driverLease: DriverLeaseKeeper?
    /// This session opened the incident's first runbook: it was declared without a session (`runbook declare`,
    /// `runbook serve`), so nobody drove it before.
    public private(set) var isFirstSession = false

    init(incident: Incident, state: SessionState, dependencies: SessionDependencies) {
        self.incident = incident
        self.state = state
        self.dependencies = dependencies
    }

    // MARK: - Starting and resuming

    /// Declares an incident and opens its first runbook at the first item that applies in its environment.
    ///
    /// Throws `SessionError.environmentNotAllowed` before anything is recorded when the runbook does not allow
    /// the environment.
    public static func start(_ start: IncidentStart, dependencies: SessionDependencies) throws -> IncidentSession {
        let runbook = try dependencies.loader.runbook(id: start.runbookID)
        if !runbook.environments.isEmpty, !EnvironmentName.list(runbook.environments, contains: start.environment) {
            throw SessionError.environmentNotAllowed(
                start.environment, allowed: runbook.environments, runbook: runbook.id)
        }
        let severity = start.severity ?? runbook.severity ?? .p2
        let declaration = IncidentDeclaration(
            title: start.title ?? runbook.title ?? runbook.id, runbook: runbook.id, environment: start.environment,
            severity: severity, isDrill: start.isDrill, host: start.host, user: start.user,
            policySnapshot: start.policySnapshot, drillSetup: start.drillSetup?.payload)
        let incident: Incident
        if let scheduler = dependencies.escalation, let policy = start.escalationPolicy {
            // The policy snapshot and the first response timer are committed with `incident.declared`.
            incident = try scheduler.declare(declaration, policy: policy).0
        } else {
            incident = try dependencies.store.declareIncident(
                declaration, actor: dependencies.actor, at: dependencies.clock.now()
            ).0
        }
        let session = IncidentSession(
            incident: incident, state: SessionState(environment: start.environment, severity: severity),
            dependencies: dependencies)
        session.escalationCursor = 1
        let first = session.state.applicableIndex(in: runbook, from: 0)
        try session.record(
            EventDraft(
                .runbookOpened, stepID: session.itemID(in: runbook, at: first),
                payload: ["runbook": .string(runbook.id), "index": .int(Int64(first)), "via": "start"]))
        return session
    }

    /// Rebuilds an open incident from its recorded events and records `session.resumed`.
    ///
    /// `incidentID` `nil` takes the most recent open incident. Secret variables come back without values: the
    /// responder is asked for them again when a step needs them.
    /// `recorded` adds fields to `session.resumed` (`forced_past_broken_chain` after `resume --force`).
    ///
    /// An incident declared without a session (`runbook declare`, `runbook serve`'s Alertmanager intake) has no
    /// runbook open yet: it is opened here on its first step and recorded as `runbook.opened` with `via: attach`
    /// (`IncidentAttachment`), the incident's runbook unless `attachment` names another. `askEnvironment` is asked
    /// only when the incident has no environment. With `attachment` (`runbook start --incident`) an incident that
    /// was already walked is refused (`SessionError.alreadyStarted`), and no `session.resumed` is recorded.
    public static func resume(
        incidentID: Int64?, dependencies: SessionDependencies, recorded: [String: JSONValue] = [:],
        attachment: IncidentAttachment? = nil, askEnvironment: (Runbook) throws -> String = { _ in "" }
    ) throws -> IncidentSession {
        let store = dependencies.store
        let incident: Incident
        if let incidentID {
            guard let found = try store.incident(incidentID) else {
                throw SessionError.incidentNotFound(id: incidentID)
            }
            incident = found
        } else {
            guard let latest = try store.incidents(openOnly: true, drillsOnly: false).first else {
                throw SessionError.noOpenIncident
            }
            incident = latest
        }
        guard incident.status != .resolved, incident.status != .abandoned else {
            throw SessionError.incidentClosed(id: incident.id)
        }
        var state = SessionState(environment: incident.environment, severity: incident.severity)
        for event in try store.events(incidentID: incident.id) {
            try state.apply(event, loader: dependencies.loader)
        }
        if let current = state.current, attachment != nil {
            throw SessionError.alreadyStarted(id: incident.id, runbook: current.runbook.id)
        }
        guard state.frames.isEmpty else {
            let session = IncidentSession(incident: incident, state: state, dependencies: dependencies)
            return try session.recordResumed(recorded)
        }
        // Declared without a session (or a crash between `incident.declared` and the first `runbook.opened`).
        let requested = attachment?.runbookID ?? incident.runbook
        guard !requested.isEmpty else { throw SessionError.noRunbook(id: incident.id) }
        let runbook = try dependencies.loader.runbook(id: requested)
        var payload: [String: JSONValue] = ["runbook": .string(runbook.id), "via": "attach"]
        if !incident.runbook.isEmpty, incident.runbook != runbook.id {
            payload["declared_runbook"] = .string(incident.runbook)
        }
        if state.environment.isEmpty {
            state.environment = EnvironmentName.trimmed(try askEnvironment(runbook))
            payload["environment"] = .string(state.environment)
        }
        if !runbook.environments.isEmpty, !EnvironmentName.list(runbook.environments, contains: state.environment) {
            throw SessionError.environmentNotAllowed(
                state.environment, allowed: runbook.environments, runbook: runbook.id)
        }
        let session = IncidentSession(incident: incident, state: state, dependencies: dependencies)
        session.isFirstSession = true
        let first = state.applicableIndex(in: runbook, from: 0)
        payload["index"] = .int(Int64(first))
        if attachment != nil { payload.merge(recorded) { own, _ in own } }
        let opened = try session.record(
            EventDraft(.runbookOpened, stepID: session.itemID(in: runbook, at: first), payload: .object(payload)))
        guard attachment == nil else {
            // What happened before the session began is in the state already; banners are for what comes next.
            session.escalationCursor = opened.sequence
            return session
        }
        return try session.recordResumed(recorded)
    }

    /// Records `session.resumed` (with `recorded`'s fields) once the state is rebuilt.
    private func recordResumed(_ recorded: [String: JSONValue]) throws -> IncidentSession {
        // A choice recorded without its move (a crash between the two events) leads where it was going.
        try finishInterruptedChoice()
        var payload: [String: JSONValue] = recorded
        payload["runbook"] = .string(runbook.id)
        if let frame = state.current { payload["index"] = .int(Int64(frame.index)) }
        if !secretsToAskAgain.isEmpty {
            payload["secrets_to_ask"] = .array(secretsToAskAgain.map { .string($0) })
        }
        let resumed = try record(EventDraft(.sessionResumed, stepID: currentItem?.id, payload: .object(payload)))
        // What happened while nobody drove the incident is in the state already; banners are for what comes next.
        escalationCursor = resumed.sequence
        return self
    }

    // MARK: - State

    /// The incident's id (`#12` on the prompt).
    public var incidentID: Int64 { incident.id }
    /// The environment the incident runs in (`ENVIRONMENT` for commands).
    public var environment: String { state.environment }
    /// The current severity.
    public var severity: Severity { state.severity }
    /// Open, mitigated, resolved or abandoned.
    public var status: IncidentStatus { state.status }
    /// The open runbooks; the last is current.
    public var frames: [SessionFrame] { state.frames }
    /// The current runbook.
    public var runbook: Runbook { state.frames.last!.runbook }
    /// Every runbook opened in this incident, once each, in the order first opened.
    public var openedRunbooks: [Runbook] { state.openedRunbooks }
    /// The index of the current item in the current runbook (`items.count` at the end).
    public var currentIndex: Int { state.current?.index ?? 0 }
    /// The current item, or `nil` when the current runbook is finished.
    public var currentItem: RunbookItem? { state.current?.item }
    /// The current item was shown and waits for an answer (`y`, `e`, `s`, …).
    public var isAwaitingAnswer: Bool { state.pending || pendingAdHoc != nil }
    /// A `sh COMMAND` was shown and waits for approval.
    public var adHocCommand: String? { pendingAdHoc }
    /// The current runbook was opened from another one, to which `returnToParent()` goes back.
    public var canReturn: Bool { state.frames.count > 1 }
    /// Who acknowledged the incident, in order.
    public var acknowledgements: [String] { state.acknowledgements }
    /// The responder the incident was last handed off to.
    public var responder: String? { state.responder }
    /// Whether the incident is resolved (nothing more can happen in it).
    public var isResolved: Bool { state.status == .resolved }

    /// What became of an item of `runbookID` (the current runbook when `nil`).
    public func status(ofItem itemID: String, inRunbook runbookID: String? = nil) -> ItemStatus? {
        state.statuses[SessionState.key(runbook: runbookID ?? runbook.id, item: itemID)]
    }

    /// Time since the incident was declared, on the incident clock.
    public func elapsed() -> TimeInterval {
        dependencies.clock.now().timeIntervalSince(incident.declaredAt)
    }

    // MARK: - Recording

    /// Records one event, applies it to the state, and keeps the incident row in step with it.
    @discardableResult
    func record(_ draft: EventDraft) throws -> RecordedEvent {
        let event = try dependencies.store.append(
            draft, to: incident.id, actor: dependencies.actor, at: dependencies.clock.now())
        try absorb(event)
        if Self.followedTypes.contains(event.type) { ownEscalationEvents.insert(event.sequence) }
        return event
    }

    /// Applies an event recorded elsewhere (by the escalation scheduler) to the state and the incident row.
    func absorb(_ event: RecordedEvent) throws {
        try state.apply(event, loader: dependencies.loader)
        incident.severity = state.severity
        incident.status = state.status
        switch event.type {
        case .ackReceived where incident.acknowledgedAt == nil: incident.acknowledgedAt = event.timestamp
        case .statusChanged where state.status == .mitigated: incident.mitigatedAt = event.timestamp
        case .incidentResolved: incident.resolvedAt = event.timestamp
        default: break
        }
    }

    /// Refuses actions once the incident is resolved. Every action that changes the incident calls it first, so it
    /// also re-reads what another process may have changed: the driver lease (lost to `resume --take-over`), the
    /// stored status (resolved or abandoned elsewhere) and the stored severity.
    func ensureOpen() throws {
        if state.status == .resolved { throw SessionError.incidentClosed(id: incident.id) }
        try driverLease?.check()
        guard let stored = try dependencies.store.incident(incident.id) else { return }
        if stored.status == .resolved || stored.status == .abandoned, stored.status != state.status {
            throw SessionError.closedElsewhere(id: incident.id, status: stored.status)
        }
        if stored.severity != state.severity {
            state.severity = stored.severity
            incident.severity = stored.severity
        }
    }

    /// The id of the item at `index`, if there is one.
    func itemID(in runbook: Runbook, at index: Int) -> String? {
        runbook.items.indices.contains(index) ? runbook.items[index].id : nil
    }
}

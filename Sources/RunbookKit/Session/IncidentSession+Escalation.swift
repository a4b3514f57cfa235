import Foundation

extension IncidentSession {
    /// The event types other processes record about an incident that its session follows: the escalator's
    /// escalations and deliveries, and what other responders record from their own terminals (`runbook note`,
    /// `ack`, `sev`, `status`).
    static let followedTypes: Set<EventType> = [
        .escalationTriggered, .escalationFinished, .notificationSent, .notificationFailed, .ackReceived,
        .severityChanged, .noteAdded, .statusChanged, .incidentResolved,
    ]

    /// What other processes recorded for this incident since the last call (the escalator's escalations and
    /// deliveries; a note, an ack, a severity or status change from another terminal), in order, applied to the
    /// session's state. Events this session recorded itself are not returned again. An incident resolved or
    /// abandoned elsewhere is returned but not applied: the session's next action stops with `closedElsewhere`.
    public func escalationUpdates() throws -> [RecordedEvent] {
        var updates: [RecordedEvent] = []
        var cursor = escalationCursor
        try dependencies.store.forEachEvent(
            incidentID: incident.id, after: escalationCursor, types: Self.followedTypes, hashes: false
        ) { event in
            cursor = max(cursor, event.sequence)
            guard !ownEscalationEvents.contains(event.sequence) else { return }
            if Self.changesState(event) { try absorb(event) }
            updates.append(event)
        }
        escalationCursor = cursor
        return updates
    }

    /// Whether a followed event from elsewhere is applied to the session's state: deliveries and notes change
    /// nothing, and a close is left to `ensureOpen`, which ends the session saying who closed it.
    static func changesState(_ event: RecordedEvent) -> Bool {
        switch event.type {
        case .notificationSent, .notificationFailed, .noteAdded, .incidentResolved: return false
        case .statusChanged:
            let to = event.payload["to"]?.stringValue
            return to != IncidentStatus.resolved.rawValue && to != IncidentStatus.abandoned.rawValue
        default: return true
        }
    }

    /// The incident's escalation state (timers, snapshot, acks, pages), or `nil` without a scheduler.
    public func escalationState() throws -> EscalationState? {
        try dependencies.escalation?.state(incidentID: incident.id)
    }

    /// Seconds on the session's clock until the incident next escalates (negative when overdue), or `nil` when
    /// nothing is armed: the prompt's countdown.
    public func escalationTimeRemaining() -> TimeInterval? {
        guard let scheduler = dependencies.escalation, !isResolved else { return nil }
        return (try? scheduler.state(incidentID: incident.id))?.timeRemaining(at: scheduler.clock.now())
    }

    /// Whether every repeat has fired and nobody acknowledged (nothing is armed any more, yet the incident is
    /// still unacknowledged): the prompt says so where the countdown was.
    public func escalationIsExhausted() -> Bool {
        guard let scheduler = dependencies.escalation, !isResolved,
            let state = try? scheduler.state(incidentID: incident.id)
        else { return false }
        return state.isFinished && !state.isAcknowledged && state.pendingTimer == nil
    }

    /// Whether anything of this incident waits for the escalator: an armed timer or an undelivered notification.
    public func waitsForEscalator() -> Bool {
        guard let scheduler = dependencies.escalation else { return false }
        if (try? scheduler.state(incidentID: incident.id))?.pendingTimer != nil, !isResolved { return true }
        let outbox = (try? scheduler.store.outbox(incidentID: incident.id)) ?? []
        return outbox.contains { $0.status == .pending || $0.status == .sending }
    }

    /// Applies the events the scheduler recorded for this session, so that the session's state fold sees them as
    /// its own; returns them for the screen.
    @discardableResult
    func absorbEscalation(_ report: EscalationScheduler.Report) throws -> [RecordedEvent] {
        for event in report.events {
            try absorb(event)
            ownEscalationEvents.insert(event.sequence)
        }
        return report.events
    }
}

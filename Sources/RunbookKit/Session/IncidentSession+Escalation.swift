import Foundation

extension IncidentSession {
    /// Fires the incident's escalation timers that are due on the session's clock (each at most once; overdue
    /// ones after a restart with `late_by_ms`) and returns one banner per notification, for the terminal.
    ///
    /// Without an escalation scheduler nothing is armed and nothing fires.
    public func fireDueEscalations() throws -> [String] {
        guard let scheduler = dependencies.escalation, !isResolved else { return [] }
        return try scheduler.fireDue(incidentID: incident.id).flatMap { try absorbEscalation($0) }
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

    /// Applies the events the scheduler recorded, so that the session's state fold sees them as its own.
    @discardableResult
    func absorbEscalation(_ report: EscalationScheduler.Report) throws -> [String] {
        for event in report.events { try absorb(event) }
        return report.banners
    }
}

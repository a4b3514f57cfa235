import Foundation

extension IncidentSession {
    /// Adds a note to the timeline (`n TEXT`, `note TEXT`).
    public func note(_ text: String) throws {
        try ensureOpen()
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw SessionError.invalidArgument("a note needs text: note TEXT") }
        try record(
            EventDraft(
                .noteAdded, stepID: currentItem?.id,
                payload: ["text": .string(trimmed), "runbook": .string(runbook.id)]))
    }

    /// Records a fact for the postmortem (`impact-start`, `detected`, `cause`, `action`), built from the words
    /// typed after the command; a TIME is read on the session's clock (the drill clock in drills).
    /// - Throws: `IncidentFactError` for a missing or unreadable TIME or missing text.
    @discardableResult
    public func recordFact(_ make: (_ now: Date, _ declaredAt: Date) throws -> IncidentFact) throws -> IncidentFact {
        try ensureOpen()
        let fact = try make(dependencies.clock.now(), incident.declaredAt)
        try record(fact.draft)
        return fact
    }

    /// Changes the severity (`sev P1`) and records `severity.changed` with from, to and reason. Setting the
    /// current severity again records nothing. With an escalation scheduler the timer is rescheduled in the same
    /// transaction; returns what it recorded (an upgrade while unacknowledged pages the new row at once).
    @discardableResult
    public func changeSeverity(to severity: Severity, reason: String? = nil) throws -> [RecordedEvent] {
        try ensureOpen()
        guard severity != state.severity else { return [] }
        if let scheduler = dependencies.escalation {
            return try absorbEscalation(
                scheduler.changeSeverity(incidentID: incident.id, to: severity, reason: reason ?? ""))
        }
        guard let draft = IncidentChange.severity(from: state.severity, to: severity, reason: reason) else { return [] }
        return [try record(draft)]
    }

    /// Acknowledges the incident (`ack [NAME]`); `nil` acknowledges as this responder. With an escalation
    /// scheduler this stops escalation and tells the channels that were paged.
    public func acknowledge(by name: String? = nil) throws {
        try ensureOpen()
        if let scheduler = dependencies.escalation {
            try absorbEscalation(scheduler.acknowledge(incidentID: incident.id, by: name ?? dependencies.actor))
            return
        }
        try record(EventDraft(.ackReceived, payload: ["by": .string(name ?? dependencies.actor)]))
    }

    /// Marks the incident mitigated: the impact is over, the cause may not be.
    public func markMitigated() throws {
        try ensureOpen()
        guard
            let draft = try IncidentChange.status(
                from: state.status, to: .mitigated, reason: nil, isDrill: incident.isDrill)
        else { return }
        try record(draft)
    }

    /// Resolves the incident (`resolve [SUMMARY]`); nothing more can happen in it afterwards.
    public func resolve(summary: String?) throws {
        try ensureOpen()
        // Background steps end before the incident does, so their ends come before `incident.resolved`.
        stopBackgroundJobs()
        let payload = IncidentChange.resolution(from: state.status, summary: summary)
        if let scheduler = dependencies.escalation {
            // Cancels every timer and tells the paged channels, in the transaction of `incident.resolved`.
            try absorbEscalation(
                scheduler.resolve(incidentID: incident.id, by: dependencies.actor, payload: payload))
        } else {
            try record(EventDraft(.incidentResolved, payload: payload))
        }
        try signHead(reason: EventType.incidentResolved.rawValue)
    }

    /// Hands the incident off to `name` (`handoff NAME`): they continue it with `runbook resume`, which opens with
    /// `note` (what is going on, what to do next) in its recap.
    public func handoff(to name: String, note: String? = nil) throws {
        try ensureOpen()
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw SessionError.invalidArgument("handoff needs a name: handoff NAME") }
        var payload: [String: JSONValue] = ["from": .string(dependencies.actor), "to": .string(trimmed)]
        if let note = note?.trimmingCharacters(in: .whitespaces), !note.isEmpty { payload["note"] = .string(note) }
        try record(EventDraft(.handoff, payload: .object(payload)))
        try signHead(reason: EventType.handoff.rawValue)
    }

    /// Signs the chain head as it is now with the responder's key, when there is one, and records the signature as
    /// `chain.signed`. The head is read from the store, so events other processes recorded are covered too.
    private func signHead(reason: String) throws {
        guard let key = dependencies.signingKey, let head = try dependencies.store.chainHead(incidentID: incident.id)
        else { return }
        try record(
            EventDraft(
                .chainSigned,
                payload: try HeadSignature.payload(key: key, incidentID: incident.id, head: head, reason: reason)))
    }

    /// Suspends the session (`q`, Ctrl-D, end of scripted input): the incident stays open for `runbook resume`.
    public func suspend(reason: String) throws {
        guard state.status != .resolved else { return }
        // A session whose incident was taken over records nothing more: the new driver carries on.
        if let driverLease, (try? driverLease.check()) == nil { return }
        var payload: [String: JSONValue] = ["reason": .string(reason), "runbook": .string(runbook.id)]
        if let frame = state.current { payload["index"] = .int(Int64(frame.index)) }
        try record(EventDraft(.sessionSuspended, stepID: currentItem?.id, payload: .object(payload)))
    }

    /// Closes an incident that only rehearsed its steps (`--dry-run`): recorded as abandoned, so that
    /// `runbook resume` never picks it.
    public func abandon(reason: String) throws {
        try ensureOpen()
        stopBackgroundJobs()
        try record(
            EventDraft(
                .statusChanged,
                payload: ["from": .string(state.status.rawValue), "to": "abandoned", "reason": .string(reason)]))
    }
}

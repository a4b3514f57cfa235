import Foundation

/// Every kind of event the transcript records. Payloads are documented in docs/transcript-schema.md.
public enum EventType: String, Sendable, Hashable, Codable, CaseIterable {
    case incidentDeclared = "incident.declared"
    case severityChanged = "severity.changed"
    case statusChanged = "status.changed"
    case runbookOpened = "runbook.opened"
    case stepShown = "step.shown"
    case stepApproved = "step.approved"
    case stepEdited = "step.edited"
    case stepSkipped = "step.skipped"
    /// A destructive step in production whose typed confirmation did not match: nothing ran.
    case stepRefused = "step.refused"
    case commandStarted = "command.started"
    case commandFinished = "command.finished"
    case commandFailedToStart = "command.failed_to_start"
    case variableSet = "variable.set"
    case choiceMade = "choice.made"
    case manualDone = "manual.done"
    case noteAdded = "note.added"
    /// When the impact began (`impact-start TIME`), recorded during or after the incident.
    case impactStarted = "impact.started"
    /// When the problem was noticed (`detected TIME`).
    case incidentDetected = "incident.detected"
    /// A root cause or contributing factor (`cause TEXT`).
    case causeAdded = "cause.added"
    /// An action item with its owner, priority and ticket (`action TEXT --owner NAME`).
    case actionAdded = "action.added"
    case ackReceived = "ack.received"
    case escalationTriggered = "escalation.triggered"
    case escalationFinished = "escalation.finished"
    case notificationSent = "notification.sent"
    case notificationFailed = "notification.failed"
    case timerFired = "timer.fired"
    case sessionSuspended = "session.suspended"
    case sessionResumed = "session.resumed"
    /// `resume --take-over`: this process took the driver lease from another, live one.
    case sessionTakenOver = "session.taken_over"
    case handoff = "handoff"
    case drillInject = "drill.inject"
    case drillDebrief = "drill.debrief"
    case incidentResolved = "incident.resolved"
    /// The responder's signing key signed the chain head (after `resolve` and `handoff`, when a key exists).
    case chainSigned = "chain.signed"
}

/// An event about to be recorded. The store stamps sequence, time, actor and hashes.
public struct EventDraft: Sendable, Hashable {
    public var type: EventType
    /// The step (or manual step or choice) the event is about, if any.
    public var stepID: String?
    /// Type-specific fields; always a JSON object.
    public var payload: JSONValue

    public init(_ type: EventType, stepID: String? = nil, payload: JSONValue = [:]) {
        self.type = type
        self.stepID = stepID
        self.payload = payload
    }
}

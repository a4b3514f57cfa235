import Foundation
import RunbookKit

/// What the store can tell `runbook serve`'s incident pages: events and output as they are recorded (a follower),
/// the escalation state, the driver lease.
public typealias IncidentPageStore = any WatchableTranscriptStore & TeamStore

/// The facts at the top of an incident page: severity, status, acknowledgement, the next escalation's deadline,
/// the current step and who drives. Drawn into the page, and sent again on the event stream after each batch of
/// events, so the page's script replaces them.
struct IncidentPageState: Equatable {
    var severity: String
    var status: String
    /// Who acknowledged (or that it was), `nil` when it was not.
    var acknowledged: String?
    /// When the pending escalation timer fires (wall clock), `nil` when none is armed.
    var deadline: Date?
    /// What that timer does.
    var deadlineKind: String?
    var step: String?
    var driver: String?

    /// Whether nothing more will be recorded.
    var isClosed: Bool { status == IncidentStatus.resolved.rawValue || status == IncidentStatus.abandoned.rawValue }

    /// The state of `incident` as the store holds it now, with `step` (the title of the last step shown).
    static func read(_ incident: Incident, step: String?, store: IncidentPageStore) throws -> IncidentPageState {
        let escalation = try store.escalationState(incidentID: incident.id)
        var acknowledged = escalation?.acknowledgedBy
        if acknowledged == nil, let at = incident.acknowledgedAt { acknowledged = "at " + LiveIncidentHTML.utc(at) }
        var deadline: Date?
        var kind: String?
        if let timer = escalation?.timer, timer.status == .pending, acknowledged == nil, !incident.status.isClosed {
            deadline = timer.dueReal ?? timer.deadline
            kind = timer.kind == .response ? "response" : "repeat"
        }
        let lease = try store.driverLease(incidentID: incident.id)
        let driver = lease.flatMap { $0.releasedAt == nil ? $0.holder : nil }
        return IncidentPageState(
            severity: incident.severity.rawValue, status: incident.status.rawValue, acknowledged: acknowledged,
            deadline: deadline, deadlineKind: kind, step: step, driver: driver)
    }

    /// The step an event makes current: a shown step's title, else `current`.
    static func step(after event: RecordedEvent, current: String?) -> String? {
        guard event.type == .stepShown else { return current }
        return event.payload["title"]?.stringValue ?? event.stepID ?? current
    }

    /// The state as the event stream sends it.
    var json: JSONValue {
        var members: [String: JSONValue] = [
            "severity": .string(severity), "status": .string(status), "closed": .bool(isClosed),
        ]
        if let acknowledged { members["acknowledged"] = .string(acknowledged) }
        if let deadline { members["deadline"] = .int(Int64((deadline.timeIntervalSince1970 * 1000).rounded())) }
        if let deadlineKind { members["deadline_kind"] = .string(deadlineKind) }
        if let step { members["step"] = .string(step) }
        if let driver { members["driver"] = .string(driver) }
        return .object(members)
    }
}

extension IncidentStatus {
    /// Resolved or abandoned.
    fileprivate var isClosed: Bool { self == .resolved || self == .abandoned }
}

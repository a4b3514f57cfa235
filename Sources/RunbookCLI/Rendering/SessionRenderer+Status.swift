import Foundation
import RunbookKit

extension SessionRenderer {
    /// What the escalation scheduler holds for an incident, read by the REPL for `status`.
    struct EscalationSnapshot {
        var state: EscalationState
        var timers: [EscalationTimer]
        var outbox: [OutboxEntry]
        var now: Date
    }

    /// `status`: the incident at a glance, then its timers, acknowledgement, escalations and notifications as
    /// `runbook escalations` shows them (`escalation` is `nil` without an escalation policy).
    func status(of session: IncidentSession, escalation: Result<EscalationSnapshot, any Error>?) -> String {
        let incident = session.incident
        var lines = [
            paint("#\(incident.id) \(incident.title)", .bold),
            "  severity: \(session.severity.rawValue) · status: \(session.status.rawValue) · environment: \(session.environment)"
                + (incident.isDrill ? " · DRILL" : ""),
            "  elapsed: \(Self.clock(session.elapsed()))",
            "  acknowledged: "
                + (session.acknowledgements.isEmpty ? "no" : session.acknowledgements.joined(separator: ", ")),
            "  runbooks: " + session.frames.map(\.runbook.id).joined(separator: " → "),
        ]
        if let item = session.currentItem {
            lines.append("  current: [\(session.currentIndex + 1)/\(session.runbook.items.count)] \(item.id)")
        } else {
            lines.append("  current: end of \(session.runbook.id)")
        }
        let counts = ItemStatus.allCases.map { status in
            "\(session.runbook.items.filter { session.status(ofItem: $0.id) == status }.count) \(status.rawValue)"
        }
        lines.append("  steps: " + counts.joined(separator: ", "))
        if let responder = session.responder { lines.append("  handed off to: \(responder)") }
        switch escalation {
        case .success(let snapshot)?:
            lines.append(
                EscalationsView.render(
                    incident: incident, state: snapshot.state, timers: snapshot.timers, outbox: snapshot.outbox,
                    now: snapshot.now))
        case .failure(let error)?:
            lines.append("  escalation: unavailable (\(error))")
        case nil:
            break
        }
        return lines.joined(separator: "\n")
    }
}

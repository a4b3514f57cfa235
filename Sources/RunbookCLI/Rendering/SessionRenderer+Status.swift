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
            paint("#\(incident.id) \(ControlCharacters.oneLine(incident.title))", .bold),
            "  severity: \(session.severity.rawValue) · status: \(session.status.rawValue) · environment: \(ControlCharacters.oneLine(session.environment))"
                + (incident.isDrill ? " · DRILL" : ""),
            "  elapsed: \(Self.clock(session.elapsed()))",
            "  acknowledged: "
                + (session.acknowledgements.isEmpty ? "no" : session.acknowledgements.joined(separator: ", ")),
            "  runbooks: " + session.frames.map(\.runbook.id).joined(separator: " → "),
        ]
        if let item = session.currentItem {
            let number = session.runbook.stepNumber(of: item.id) ?? session.currentIndex + 1
            lines.append("  current: [\(number)/\(session.runbook.stepCount)] \(item.id) in \(session.runbook.id)")
        } else {
            lines.append("  current: end of \(session.runbook.id)")
        }
        // Across every runbook opened in the incident, counted as `list` and `show` count (`Runbook.stepCount`).
        let opened = session.openedRunbooks
        let counts = ItemStatus.allCases.map { status in
            let count = opened.map { runbook in
                runbook.items.filter { session.status(ofItem: $0.id, inRunbook: runbook.id) == status }.count
            }.reduce(0, +)
            return "\(count) \(status.rawValue)"
        }
        let total = opened.map(\.stepCount).reduce(0, +)
        let perRunbook = opened.map { "\($0.id) \($0.stepCount)" }.joined(separator: ", ")
        lines.append("  steps: " + counts.joined(separator: ", ") + " of \(total) (\(perRunbook))")
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

import Foundation
import RunbookKit

/// The text of `runbook escalations ID` and of the REPL's `escalations`: policy snapshot, timers,
/// acknowledgement and notifications of an incident.
enum EscalationsView {
    static func render(
        incident: Incident, state: EscalationState, timers: [EscalationTimer], outbox: [OutboxEntry], now: Date
    ) -> String {
        var lines: [String] = []
        let drill = incident.isDrill ? " · DRILL" : ""
        lines.append(
            "Incident \(incident.id) \"\(ControlCharacters.oneLine(incident.title))\" · \(state.severity.rawValue) · \(incident.status.rawValue)\(drill)"
        )
        lines.append("Policy snapshot (repeats: \(state.snapshot.repeatLimit)):")
        for rule in state.snapshot.rules {
            let marker = rule.severity == state.severity ? "*" : " "
            let targets = state.snapshot.targets(for: rule.severity).map(\.displayName).joined(separator: ", ")
            lines.append("  \(marker) \(rule.severity.rawValue)  \(rule.responseTime.description) → \(targets)")
        }
        if state.snapshot.rules.isEmpty { lines.append("  (none: this incident does not escalate)") }
        lines.append("Acknowledged: " + (state.acknowledgedBy.map { "by \(ControlCharacters.oneLine($0))" } ?? "no"))
        lines.append("Escalations so far: \(state.escalationCount)" + (state.isFinished ? " (repeats exhausted)" : ""))
        if !state.paged.isEmpty { lines.append("Paged: " + state.paged.map(\.displayName).joined(separator: ", ")) }
        lines.append("Timers:")
        if timers.isEmpty { lines.append("  (none)") }
        for timer in timers {
            var line =
                "  gen \(timer.generation)  \(timer.kind.rawValue)  repeat \(timer.repeat)  "
                + "\(EscalationNotification.iso8601(timer.deadline))  \(timer.status.rawValue)"
            if timer.status == .pending {
                let left = timer.deadline.timeIntervalSince(now)
                line += left >= 0 ? " (in \(clock(left)))" : " (overdue by \(clock(-left)))"
            }
            lines.append(line)
        }
        lines.append("Notifications:")
        if outbox.isEmpty { lines.append("  (none)") }
        for entry in outbox {
            var line =
                "  #\(entry.id) \(entry.channel)  \(entry.notification.kind.rawValue)  \(entry.status.rawValue)"
                + "  attempts \(entry.attempts)"
            if let error = entry.lastError { line += "  last error: \(ControlCharacters.oneLine(error))" }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// `12:04`, or `1:02:03` past an hour.
    static func clock(_ seconds: TimeInterval) -> String {
        let total = Int(seconds.rounded(.down))
        let (hours, minutes, rest) = (total / 3600, (total % 3600) / 60, total % 60)
        return hours > 0
            ? String(format: "%d:%02d:%02d", hours, minutes, rest) : String(format: "%02d:%02d", minutes, rest)
    }
}

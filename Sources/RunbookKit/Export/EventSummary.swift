import Foundation

/// One line of plain text per event, for timelines: what happened, in the responder's words where possible.
public enum EventSummary {
    /// Describes `event`; `command` is the command record a `command.*` event belongs to, and `stepTitle` the
    /// title of the step the event is about, when known.
    public static func describe(_ event: RecordedEvent, command: CommandRecord? = nil, stepTitle: String? = nil)
        -> String
    {
        func stepName(_ event: RecordedEvent) -> String {
            event.payload["title"]?.stringValue ?? stepTitle ?? event.stepID ?? "?"
        }
        let p = event.payload
        func text(_ key: String) -> String? { p[key]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } }
        func number(_ key: String) -> String? {
            p[key]?.intValue.map(String.init) ?? p[key]?.stringValue
        }
        switch event.type {
        case .incidentDeclared:
            var parts = ["Incident declared"]
            if let severity = text("severity") { parts.append(severity) }
            if let environment = text("environment") { parts.append("in \(environment)") }
            if let runbook = text("runbook") { parts.append("with runbook \(runbook)") }
            return parts.joined(separator: " ")
        case .severityChanged:
            var line = "Severity \(text("from") ?? "?") → \(text("to") ?? "?")"
            if let reason = text("reason") { line += ": \(reason)" }
            return line
        case .statusChanged:
            var line = "Status \(text("from").map { "\($0) → " } ?? "")\(text("to") ?? "?")"
            if let reason = text("reason") { line += ": \(reason)" }
            return line
        case .runbookOpened:
            return move(event, to: stepTitle ?? event.stepID)
        case .stepShown:
            if text("kind") == "adhoc" { return "Ad-hoc command shown: \(text("command") ?? "?")" }
            var line = "Step"
            if let index = number("index"), let total = number("total") {
                line += " \(index)/\(total)"
            }
            line += ": \(manualText(p) ?? text("title") ?? event.stepID ?? "?")"
            return line
        case .stepApproved:
            return "Step \(stepName(event)) approved"
        case .stepEdited:
            return "Step \(stepName(event)) edited: \(text("after") ?? text("edited") ?? "?")"
        case .stepSkipped:
            var line = "Step \(stepName(event)) skipped"
            if let reason = text("reason") { line += ": \(reason)" }
            return line
        case .stepRefused:
            var line = "Step \(stepName(event)) refused"
            if let reason = text("reason") { line += ": \(reason)" }
            return line
        case .commandStarted:
            return "Ran: \(command?.text ?? text("command") ?? "?")"
        case .commandFinished:
            var line = "Command finished: "
            if let command {
                line += command.outcome
                if let duration = command.duration { line += " in \(ExportFormatting.duration(duration))" }
            } else {
                line += number("exit_code").map { "exit \($0)" } ?? "finished"
            }
            return line
        case .commandFailedToStart:
            return "Command could not start: \(text("error") ?? text("reason") ?? "unknown reason")"
        case .variableSet:
            // Values may be secret; only the name goes into a document.
            let exported = text("source") == "export"
            if event.payload["unset"]?.boolValue == true {
                return "Variable \(text("name") ?? "?") unset" + (exported ? " by a command" : "")
            }
            return "Variable \(text("name") ?? "?") " + (exported ? "exported by a command" : "set")
        case .choiceMade:
            var line = "Chose \(text("option") ?? text("label") ?? "?")"
            if let target = text("target") { line += " → \(target)" }
            return line
        case .manualDone:
            // The step's own text: several manual steps share a section heading.
            return "Manual step done: \(manualText(p) ?? text("title") ?? stepName(event))"
        case .noteAdded:
            let note = trimmed(p["text"]?.stringValue ?? "")
            return note.isEmpty ? "Note (empty)" : "Note: \(note)"
        case .impactStarted, .incidentDetected:
            var line = event.type == .impactStarted ? "Impact began at " : "Detected at "
            line += ExportFormatting.utc(PostmortemFacts.time(of: event))
            if let what = text("text") { line += ": \(what)" }
            return line
        case .causeAdded:
            return "Cause: \(text("text") ?? "?")"
        case .actionAdded:
            let details = [text("owner").map { "owner \($0)" }, text("priority"), text("ticket")].compactMap { $0 }
            return "Action item: \(text("text") ?? "?")"
                + (details.isEmpty ? "" : " (\(details.joined(separator: ", ")))")
        case .ackReceived:
            return "Acknowledged by \(text("by") ?? event.actor)"
        case .escalationTriggered:
            let targets = IncidentReport.strings(p["targets"] ?? p["target"]).joined(separator: " + ")
            var line = "Escalation"
            if let level = IncidentReport.escalationLevel(p) { line += " level \(level)" }
            if !targets.isEmpty { line += " to \(targets)" }
            if let severity = text("severity") { line += " (\(severity))" }
            return line
        case .escalationFinished:
            return "Escalation finished\(text("reason").map { ": \($0)" } ?? "")"
        case .notificationSent, .notificationFailed:
            var line = event.type == .notificationSent ? "Notification sent" : "Notification failed"
            if let channel = text("channel") { line += " via \(channel)" }
            if let attempt = number("attempt") { line += " (attempt \(attempt))" }
            if let status = number("status") { line += " status \(status)" }
            if let error = text("error") { line += ": \(error)" }
            return line
        case .timerFired:
            return "Timer fired\(text("kind").map { ": \($0)" } ?? text("timer").map { ": \($0)" } ?? "")"
        case .sessionSuspended:
            return "Session suspended\(text("reason").map { ": \($0)" } ?? "")"
        case .sessionResumed:
            return "Session resumed"
        case .sessionTakenOver:
            return "Session taken over from \(text("from") ?? "?")"
        case .handoff:
            return "Handed off to \(text("to") ?? "?")"
        case .chainSigned:
            return "Chain head #\(number("seq") ?? "?") signed by \(event.actor) (key \(text("fingerprint") ?? "?"))"
        case .drillInject:
            // `IncidentSession.recordInject` writes the inject's text as `message`.
            return "Drill inject: \(text("message") ?? "?")"
        case .drillDebrief:
            return "Drill debrief recorded"
        case .incidentResolved:
            return "Incident resolved\(text("summary").map { ": \($0)" } ?? "")"
        }
    }

    /// One line for a whole command (its step, the text that ran, how it ended, how long it took): the timeline's
    /// row for the command, in place of the rows of its approval, start and finish.
    public static func describe(command: CommandRecord) -> String {
        var line = "\(command.label): ran \(command.text) → \(command.outcome)"
        if command.finishedAt == nil { line += " (no finish recorded)" }
        if let duration = command.duration, command.failureReason == nil {
            line += " in \(ExportFormatting.duration(duration))"
        }
        return line
    }

    /// `text` without leading and trailing white space and line breaks; `text` itself, without Foundation, when its
    /// first and last characters are ASCII other than those (nearly every note: a large incident is mostly notes).
    static func trimmed(_ text: String) -> String {
        guard let first = text.utf8.first, let last = text.utf8.last else { return text }
        func isPlain(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F }
        if isPlain(first), isPlain(last) { return text }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The first line of a manual step's text, when the payload holds one.
    private static func manualText(_ payload: JSONValue) -> String? {
        guard payload["kind"]?.stringValue ?? "manual" == "manual",
            let text = payload["text"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty
        else { return nil }
        return text.split(whereSeparator: \.isNewline).first.map(String.init)
    }

    /// A `runbook.opened` read by how the responder got there (`via`): a move inside the runbook names the step
    /// it led to; only a runbook opened anew says "opened".
    private static func move(_ event: RecordedEvent, to step: String?) -> String {
        let runbook = event.payload["runbook"]?.stringValue ?? event.payload["title"]?.stringValue ?? "?"
        let target = step.map { "step \($0)" } ?? "the end of runbook \(runbook)"
        switch event.payload["via"]?.stringValue {
        case "continue": return "Continued after a failure to \(target)"
        case "goto": return "Went to \(target) (goto)"
        case "back": return "Went back to \(target)"
        case "on-fail": return "Followed on-fail to \(target)"
        case "return": return "Returned to runbook \(runbook)"
        case "choice" where event.payload["return_index"] == nil: return "Chose to go to \(target)"
        case "attach":
            guard let declared = event.payload["declared_runbook"]?.stringValue else {
                return "Runbook \(runbook) opened on the declared incident"
            }
            return "Runbook \(runbook) opened instead of the declared \(declared)"
        default: return "Runbook \(runbook) opened"
        }
    }
}

import Foundation
import RunbookKit

extension SessionRenderer {
    /// `  → staging · kube context kind-ops · namespace candlefish-staging`: where the step's command will run.
    public func targetLine(_ target: StepTarget) -> String {
        // The environment may come from an alert's label, the names from a kubeconfig: shown, never obeyed.
        let shown = ControlCharacters.oneLine
        var parts = ["runs in " + paint(shown(target.environment), .bold)]
        switch target.cluster {
        case .context(let name, let namespace)?:
            parts.append("kube context " + paint(shown(name), .bold) + " · namespace " + paint(shown(namespace), .bold))
        case .simulated(let scenario, let namespace)?:
            parts.append("simulated cluster (\(shown(scenario))) · namespace " + paint(shown(namespace), .bold))
        case .unknown(let reason?)?:
            parts.append(paint("no kube context: \(shown(reason))", .yellow))
        case .unknown(nil)?:
            parts.append(paint("no kube context", .yellow))
        case nil:
            break
        }
        return "  " + style.mark(.pointer) + " " + parts.joined(separator: " · ")
    }

    /// The line under a step whose exact command already ran in this incident: when, where and what it returned,
    /// and that `s` skips it knowingly.
    public func previousRunLine(_ run: IncidentRecap.CommandOutcome, now: Date) -> String {
        let place = [run.runbookID, run.stepID].compactMap { $0 }.joined(separator: "/")
        let result =
            run.timedOut
            ? "timed out" : run.exitCode.map { "exit \($0)" + (run.expected ? "" : ", unexpected") } ?? "killed"
        return "  "
            + paint(
                "already ran \(Self.ago(now.timeIntervalSince(run.at)))" + (place.isEmpty ? "" : " in \(place)")
                    + ": \(result) · [s]kip it (recorded as already ran) · y runs it again", .yellow)
    }

    /// The reason recorded when a step that already ran is skipped without one.
    public static func alreadyRanReason(_ run: IncidentRecap.CommandOutcome, now: Date) -> String {
        let result = run.timedOut ? "timed out" : run.exitCode.map { "exit \($0)" } ?? "killed"
        return "already ran \(ago(now.timeIntervalSince(run.at))) (\(result))"
    }

    /// `just now`, `4 min ago`, `1h05m ago`.
    static func ago(_ seconds: TimeInterval) -> String {
        let minutes = Int(max(0, seconds) / 60)
        if minutes < 1 { return "just now" }
        if minutes < 60 { return "\(minutes) min ago" }
        return String(format: "%dh%02dm ago", minutes / 60, minutes % 60)
    }

    /// What `resume` says before the first prompt: who had the incident and who handed it over (with the note),
    /// severity, acknowledgement, mitigation, time since declaration, the last three notes, the last command with
    /// its result, and the current step. `firstSession`: the incident was declared without a session, and this one
    /// begins it (`start --incident`, or `resume` of such an incident).
    public func recap(
        _ recap: IncidentRecap, severity: Severity, declaredAt: Date, now: Date, resumedBy: String,
        currentStep: String?, firstSession: Bool = false
    ) -> String {
        var lines = [paint("recap", .bold)]
        if let suspension = recap.lastSuspension {
            lines.append(
                "  last driven by \(suspension.by), stopped \(Self.ago(now.timeIntervalSince(suspension.at)))"
                    + (suspension.reason.map { " (\(ControlCharacters.visible($0)))" } ?? ""))
        }
        if let handoff = recap.handoff {
            lines.append(
                "  handed over by \(handoff.from) to \(handoff.to) \(Self.ago(now.timeIntervalSince(handoff.at)))"
                    + (resumedBy == handoff.to ? "" : "; resumed by \(resumedBy)"))
            lines.append(
                "  handoff note: "
                    + (handoff.note.map { ControlCharacters.visible($0) } ?? paint("(none given)", .yellow)))
        } else if firstSession {
            lines.append("  started by \(resumedBy); nobody drove it before")
        } else {
            lines.append("  resumed by \(resumedBy); no handoff recorded")
        }
        let acked =
            recap.acknowledgedBy.isEmpty
            ? paint("NOT acknowledged", .red, .bold) : "acked by " + recap.acknowledgedBy.joined(separator: ", ")
        let mitigated =
            recap.mitigatedAt.map { "mitigated \(Self.ago(now.timeIntervalSince($0)))" }
            ?? paint("not mitigated", .yellow)
        lines.append(
            "  \(severity.rawValue) · \(acked) · \(mitigated) · declared \(Self.ago(now.timeIntervalSince(declaredAt)))"
        )
        if recap.lastNotes.isEmpty {
            lines.append("  notes: none")
        } else {
            lines.append("  last notes:")
            for note in recap.lastNotes {
                lines.append("    \(Self.ago(now.timeIntervalSince(note.at))): \(ControlCharacters.visible(note.text))")
            }
        }
        if let run = recap.lastCommand {
            let result = run.timedOut ? "timed out" : run.exitCode.map { "exit \($0)" } ?? "killed"
            let mark = run.expected ? style.mark(.done) : style.mark(.failed)
            lines.append(
                "  last command: " + paint("$ " + ControlCharacters.visible(run.command), .cyan)
                    + " → \(mark) \(result) (\(Self.ago(now.timeIntervalSince(run.at))))")
        } else {
            lines.append("  last command: none ran")
        }
        lines.append("  current step: " + (currentStep.map { ControlCharacters.visible($0) } ?? "end of the runbook"))
        return lines.joined(separator: "\n")
    }

    /// What preflight says when programs the runbook's commands call are not on PATH: each with the steps that
    /// use it; `nil` when nothing is missing.
    public func preflight(missing: [CommandPrograms.Need], runbookID: String) -> String? {
        guard !missing.isEmpty else { return nil }
        var lines = [
            paint(style.mark(.warning) + " not on PATH, needed by \(runbookID):", .yellow, .bold)
        ]
        for need in missing {
            var users = need.stepIDs
            if need.isDeclared { users.append("requires:") }
            lines.append("  \(need.program): " + users.joined(separator: ", "))
        }
        lines.append(paint("  those steps will fail with exit 127 until it is installed or on PATH", .dim))
        return lines.joined(separator: "\n")
    }
}

import Foundation

/// What a drill showed, computed from its recorded events alone, so that anyone can recompute it from the
/// transcript: how fast the responder acknowledged, ran a first command and mitigated; whether each matrix
/// response time (from the incident's policy snapshot) was met; what was skipped and why; which escalations fired.
public struct DrillDebrief: Sendable, Hashable {
    /// How the drill ended: `resolved` or `abandoned` (or `open` when computed mid-drill).
    public var outcome: String
    /// Declaration to the first `ack.received`, in drill seconds.
    public var timeToAcknowledge: TimeInterval?
    /// Declaration to the first `command.started` (a step or an ad-hoc command), in drill seconds.
    public var timeToFirstCommand: TimeInterval?
    /// Declaration to the first `status.changed` to mitigated, in drill seconds.
    public var timeToMitigation: TimeInterval?
    /// Declaration to resolution, in drill seconds.
    public var timeToResolve: TimeInterval?
    /// One line per severity the drill reached: the matrix response time and whether it was met.
    public var responseTimes: [String]
    /// One line per skipped step: `runbook/step: reason`.
    public var skippedSteps: [String]
    /// One line per escalation fired.
    public var escalations: [String]
    /// How many injects were shown.
    public var injectCount: Int

    /// Computes the debrief of `incident` from `events` (all of its recorded events, in order).
    public static func make(incident: Incident, events: [RecordedEvent]) -> DrillDebrief {
        let declared = incident.declaredAt
        func since(_ event: RecordedEvent?) -> TimeInterval? { event.map { $0.timestamp.timeIntervalSince(declared) } }
        let metrics = IncidentReport.metrics(incident: incident, events: events)
        let resolved = events.contains { $0.type == .incidentResolved }
        let abandoned = events.contains {
            $0.type == .statusChanged && $0.payload["to"]?.stringValue == IncidentStatus.abandoned.rawValue
        }
        let responseTimes = metrics.responseChecks.map { check -> String in
            let allowed = check.responseTime.map(describe) ?? "no response time in the policy snapshot"
            let responded =
                check.respondedAfter.map { "acknowledged after \(DrillDebrief.clock($0))" }
                ?? "not acknowledged"
            return "\(check.severity.rawValue): \(check.outcome.rawValue) (matrix: \(allowed); \(responded))"
        }
        let skipped = events.filter { $0.type == .stepSkipped }.map { event -> String in
            let runbook = event.payload["runbook"]?.stringValue.map { $0 + "/" } ?? ""
            let reason = event.payload["reason"]?.stringValue ?? "no reason given"
            return "\(runbook)\(event.stepID ?? "?"): \(reason)"
        }
        // A page to the same people as the one before is a repeat, and says so; only a page to others is a level.
        var escalations: [String] = []
        var previousTargets: [String]?
        for record in metrics.escalations {
            var text = "at \(DrillDebrief.clock(record.time.timeIntervalSince(declared)))"
            if let level = record.level {
                if level <= 1 {
                    text += ", first page"
                } else if record.targets == previousTargets {
                    text += ", repeat \(level - 1)"
                } else {
                    text += ", level \(level)"
                }
            }
            if let severity = record.severity { text += ", \(severity.rawValue)" }
            if !record.targets.isEmpty { text += ": " + record.targets.joined(separator: ", ") }
            escalations.append(text)
            previousTargets = record.targets
        }
        return DrillDebrief(
            outcome: resolved ? "resolved" : abandoned ? "abandoned" : "open",
            timeToAcknowledge: since(events.first { $0.type == .ackReceived }),
            timeToFirstCommand: since(events.first { $0.type == .commandStarted }),
            timeToMitigation: since(
                events.first { $0.type == .statusChanged && $0.payload["to"]?.stringValue == "mitigated" }),
            timeToResolve: since(events.first { $0.type == .incidentResolved }),
            responseTimes: responseTimes, skippedSteps: skipped, escalations: escalations,
            injectCount: events.filter { $0.type == .drillInject }.count)
    }

    /// Memberwise initializer.
    public init(
        outcome: String, timeToAcknowledge: TimeInterval?, timeToFirstCommand: TimeInterval?,
        timeToMitigation: TimeInterval?, timeToResolve: TimeInterval?, responseTimes: [String],
        skippedSteps: [String], escalations: [String], injectCount: Int
    ) {
        self.outcome = outcome
        self.timeToAcknowledge = timeToAcknowledge
        self.timeToFirstCommand = timeToFirstCommand
        self.timeToMitigation = timeToMitigation
        self.timeToResolve = timeToResolve
        self.responseTimes = responseTimes
        self.skippedSteps = skippedSteps
        self.escalations = escalations
        self.injectCount = injectCount
    }

    /// The `drill.debrief` payload. Times are drill seconds (null when it never happened); the lists are
    /// sentences, so the Markdown export shows them as they are.
    public var payload: JSONValue {
        func seconds(_ value: TimeInterval?) -> JSONValue {
            value.map { .double(($0 * 1000).rounded() / 1000) } ?? .null
        }
        return [
            "outcome": .string(outcome),
            "time_to_acknowledge_seconds": seconds(timeToAcknowledge),
            "time_to_first_command_seconds": seconds(timeToFirstCommand),
            "time_to_mitigation_seconds": seconds(timeToMitigation),
            "time_to_resolve_seconds": seconds(timeToResolve),
            "response_times": .array(responseTimes.map { .string($0) }),
            "steps_skipped": .array(skippedSteps.map { .string($0) }),
            "escalations_fired": .array(escalations.map { .string($0) }),
            "injects_shown": .int(Int64(injectCount)),
        ]
    }

    /// The debrief as the responder reads it at the end of a drill.
    public var lines: [String] {
        func time(_ value: TimeInterval?, never: String) -> String { value.map(DrillDebrief.clock) ?? never }
        var lines = [
            "DRILL DEBRIEF (\(outcome); drill time)",
            "  time to acknowledge:    " + time(timeToAcknowledge, never: "never acknowledged (type `ack`)"),
            "  time to first command:  " + time(timeToFirstCommand, never: "no command ran"),
            "  time to mitigation:     " + time(timeToMitigation, never: "never marked mitigated (type `mitigated`)"),
            "  time to resolve:        " + time(timeToResolve, never: "not resolved"),
            "  response times:" + (responseTimes.isEmpty ? " none" : ""),
        ]
        lines += responseTimes.map { "    " + $0 }
        lines.append("  steps skipped:" + (skippedSteps.isEmpty ? " none" : ""))
        lines += skippedSteps.map { "    " + $0 }
        lines.append("  escalations fired:" + (escalations.isEmpty ? " none" : ""))
        lines += escalations.map { "    " + $0 }
        lines.append("  injects shown: \(injectCount)")
        return lines
    }

    /// `4m 05s`, `1h 02m 00s`, `12s`.
    public static func clock(_ seconds: TimeInterval) -> String {
        let total = max(0, Int(seconds.rounded()))
        let (hours, minutes, rest) = (total / 3600, (total % 3600) / 60, total % 60)
        if hours > 0 { return String(format: "%dh %02dm %02ds", hours, minutes, rest) }
        if minutes > 0 { return String(format: "%dm %02ds", minutes, rest) }
        return "\(rest)s"
    }

    private static func describe(_ time: ResponseTime) -> String {
        switch time {
        case .duration(let seconds): return "within " + clock(seconds)
        case .businessDays(let days): return "within \(days) business day" + (days == 1 ? "" : "s")
        }
    }
}

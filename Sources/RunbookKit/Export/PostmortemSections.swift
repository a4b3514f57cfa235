import Foundation

/// The sections of a postmortem as the usual templates ask for them (the Google SRE book's, PagerDuty's,
/// incident.io's), filled from what the transcript holds, in plain text: each format (the Markdown export, the HTML
/// report) renders the same model its own way.
///
/// A section lists what was recorded, then, when something only a person knows is still missing, a short prompt for
/// the author.
public struct PostmortemSections: Sendable {
    /// One line of a section: what, optionally when and by whom.
    public struct Entry: Sendable, Hashable {
        /// When it happened, when that matters.
        public var time: Date?
        /// Who recorded it (`user@host`), when that matters.
        public var actor: String?
        /// What, in plain text (the renderer escapes it).
        public var text: String
    }

    /// One section of the narrative.
    public struct Section: Sendable, Hashable {
        /// Stable name: the Markdown export's marker name, an HTML anchor.
        public var id: String
        /// Heading, as a person reads it.
        public var title: String
        /// What the transcript says, in order.
        public var entries: [Entry]
        /// What the author should still write, or `nil` when the transcript already answers it.
        public var prompt: String?
    }

    /// An action item: from `action` (with owner, priority and ticket) or from a note starting `TODO:` or `action:`.
    public struct ActionItem: Sendable, Hashable {
        /// What to do.
        public var text: String
        /// Who owns it.
        public var owner: String?
        /// Its priority, as given.
        public var priority: String?
        /// Its ticket, as given.
        public var ticket: String?
        /// Who recorded it.
        public var actor: String
        /// When it was recorded.
        public var time: Date
    }

    /// Summary, impact, trigger, detection, resolution, root causes and contributing factors, in that order.
    public var narrative: [Section]
    /// What went well, what went badly, where we got lucky.
    public var lessons: [Section]
    /// Action items, in the order they were recorded (`action` and notes together).
    public var actionItems: [ActionItem]
    /// What the author is asked when there are no action items.
    public var actionItemsPrompt: String
    /// The timeline's key moments, oldest first: impact start, detection, declaration, first acknowledgement,
    /// severity changes, escalations, hand-offs, mitigation, resolution.
    public var keyMoments: [Entry]

    /// The sections of `report`.
    public init(_ report: IncidentReport) {
        let facts = report.facts
        let incident = report.incident
        let metrics = report.metrics
        func text(_ event: RecordedEvent?, _ key: String) -> String? {
            event?.payload[key]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        }

        let summary = Section(
            id: "summary", title: "Summary",
            entries: text(facts.resolution, "summary").map {
                [Entry(time: facts.resolution?.timestamp, actor: facts.resolution?.actor, text: $0)]
            } ?? [],
            prompt: text(facts.resolution, "summary") == nil
                ? "What happened, to whom, and how it ended, in two or three sentences (`resolve SUMMARY` fills this in)."
                : nil)

        var impact: [Entry] = []
        if let event = facts.impactStart, let start = facts.impactStartTime {
            impact.append(
                Entry(
                    time: start, actor: event.actor,
                    text: "Impact began" + (text(event, "text").map { ": \($0)" } ?? "")))
            let mitigated = metrics.timeToMitigate.map { incident.declaredAt.addingTimeInterval($0) }
            let resolved = metrics.timeToResolve.map { incident.declaredAt.addingTimeInterval($0) }
            if let end = mitigated ?? resolved {
                let lasted = ExportFormatting.duration(max(0, end.timeIntervalSince(start)))
                let until = mitigated == nil ? "resolution" : "mitigation"
                impact.append(Entry(text: "Impact lasted \(lasted) (impact start to \(until))"))
            }
        }
        let impactSection = Section(
            id: "impact", title: "Impact", entries: impact,
            prompt: "Who and what was affected, how badly, for how long (users, requests, revenue, error budget)?"
                + (facts.impactStart == nil ? " (`impact-start TIME` records when it began.)" : ""))

        let trigger = Section(
            id: "trigger", title: "Trigger", entries: [],
            prompt: "What set it off: a deploy, a configuration change, a traffic spike, a failing dependency?")

        var detection: [Entry] = []
        if let event = facts.detection, let at = facts.detectionTime {
            detection.append(
                Entry(time: at, actor: event.actor, text: "Detected" + (text(event, "text").map { ": \($0)" } ?? "")))
        }
        let declaredBy = facts.declaration?.actor ?? incident.user
        let declaredSeverity = metrics.severityPeriods.first?.severity ?? incident.severity
        detection.append(
            Entry(
                time: incident.declaredAt, actor: declaredBy,
                text: "Declared \(declaredSeverity.rawValue)"
                    + (incident.runbook.isEmpty ? "" : " with runbook \(incident.runbook)")))
        if let ttd = metrics.timeToDetect {
            detection.append(Entry(text: "Time to detect: \(ExportFormatting.duration(ttd)) after the impact began."))
        }
        if let ack = facts.firstAcknowledgement, let tta = metrics.timeToAcknowledge {
            detection.append(
                Entry(
                    time: ack.timestamp, actor: ack.actor,
                    text: "Acknowledged by \(text(ack, "by") ?? ack.actor), \(ExportFormatting.duration(tta)) after "
                        + "the declaration"))
        }
        let detectionSection = Section(
            id: "detection", title: "Detection", entries: detection,
            prompt: facts.detection == nil
                ? "How was it noticed (an alert, a customer, a colleague), and could it have been sooner? "
                    + "(`detected TIME [HOW]` records it.)"
                : nil)

        var resolution: [Entry] = []
        if let event = facts.mitigation, let ttm = metrics.timeToMitigate {
            resolution.append(
                Entry(
                    time: event.timestamp, actor: event.actor,
                    text: "Mitigated \(ExportFormatting.duration(ttm)) after the declaration"))
        }
        if let event = facts.resolution, let ttr = metrics.timeToResolve {
            resolution.append(
                Entry(
                    time: event.timestamp, actor: event.actor,
                    text: "Resolved \(ExportFormatting.duration(ttr)) after the declaration"))
        }
        if !report.commands.isEmpty {
            let count = report.commands.count
            resolution.append(
                Entry(
                    text: "\(count) command\(count == 1 ? "" : "s") run from "
                        + (report.runbooks.isEmpty ? "ad-hoc steps" : report.runbooks.joined(separator: ", "))
                        + " (see Supporting information)."))
        }
        let resolutionSection = Section(
            id: "resolution", title: "Resolution", entries: resolution,
            prompt: "What ended the impact, and what fixed it for good?")

        let causes = Section(
            id: "root-causes", title: "Root causes and contributing factors",
            entries: facts.causes.map { Entry(time: $0.timestamp, actor: $0.actor, text: text($0, "text") ?? "") },
            prompt: facts.causes.isEmpty
                ? "Why did it happen? Ask why until you reach causes you can act on (`cause TEXT` records them)."
                : nil)
        narrative = [summary, impactSection, trigger, detectionSection, resolutionSection, causes]

        var well: [Entry] = []
        var badly: [Entry] = []
        for check in metrics.responseChecks {
            guard let allowed = check.responseTime, let after = check.respondedAfter else {
                if check.outcome == .missed, let allowed = check.responseTime {
                    badly.append(Entry(text: "\(check.severity.rawValue): not acknowledged within \(allowed)."))
                }
                continue
            }
            let line =
                "\(check.severity.rawValue): acknowledged after \(ExportFormatting.duration(after)) (\(allowed) allowed)."
            if check.outcome == .met { well.append(Entry(text: line)) }
            if check.outcome == .missed { badly.append(Entry(text: line)) }
        }
        lessons = [
            Section(
                id: "went-well", title: "What went well", entries: well,
                prompt: "What helped: alerts, runbook steps, tools, people?"),
            Section(
                id: "went-badly", title: "What went badly", entries: badly,
                prompt: "What slowed the response or made it worse?"),
            Section(
                id: "lucky", title: "Where we got lucky", entries: [],
                prompt: "What could have made it worse, and did not?"),
        ]

        var items = facts.actions.map { event in
            ActionItem(
                text: text(event, "text") ?? "", owner: text(event, "owner"), priority: text(event, "priority"),
                ticket: text(event, "ticket"), actor: event.actor, time: event.timestamp)
        }
        items += report.actionItems.map {
            ActionItem(
                text: $0.text, owner: nil, priority: nil, ticket: nil, actor: $0.event.actor, time: $0.event.timestamp)
        }
        actionItems = items.sorted { $0.time < $1.time }
        actionItemsPrompt =
            "None recorded. Add them below, or record them with `action TEXT --owner NAME --priority P --ticket T`."

        var moments: [Entry] = []
        if let event = facts.impactStart, let at = facts.impactStartTime {
            moments.append(Entry(time: at, actor: event.actor, text: "Impact began"))
        }
        if let event = facts.detection, let at = facts.detectionTime {
            moments.append(Entry(time: at, actor: event.actor, text: "Detected"))
        }
        moments.append(Entry(time: incident.declaredAt, actor: declaredBy, text: "Incident declared"))
        if let ack = facts.firstAcknowledgement {
            moments.append(Entry(time: ack.timestamp, actor: ack.actor, text: EventSummary.describe(ack)))
        }
        for event in facts.turningPoints {
            moments.append(Entry(time: event.timestamp, actor: event.actor, text: EventSummary.describe(event)))
        }
        if let event = facts.mitigation {
            moments.append(Entry(time: event.timestamp, actor: event.actor, text: "Mitigated"))
        }
        if let event = facts.resolution {
            moments.append(Entry(time: event.timestamp, actor: event.actor, text: "Resolved"))
        }
        // Stable: moments at the same instant keep the order above.
        keyMoments = moments.enumerated().sorted {
            ($0.element.time ?? .distantPast, $0.offset) < ($1.element.time ?? .distantPast, $1.offset)
        }.map(\.element)
    }
}

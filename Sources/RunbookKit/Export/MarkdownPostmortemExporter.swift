import Foundation

/// A postmortem draft in Markdown: header, metrics, the template's sections (`PostmortemSections`), action items,
/// the timeline (key moments, then the full log), and supporting information (commands with output, notes,
/// notifications, escalation). Each generated part sits between `GeneratedBlock` markers, so `export --update`
/// rewrites those and keeps everything the author wrote around them. The result stays valid CommonMark/GFM whatever
/// the transcript holds.
public struct MarkdownPostmortemExporter: IncidentExporter {
    /// Lines of output kept from the start and from the end of each command; 0 keeps all of it.
    public var outputLines: Int

    /// Creates an exporter that keeps the first and last `outputLines` lines of each command's output.
    public init(outputLines: Int = 20) {
        self.outputLines = max(0, outputLines)
    }

    public var fileExtension: String { "md" }

    /// The first line of every postmortem opens with it (an HTML comment, invisible once rendered).
    public var generatorMarker: String { "<!-- runbook export" }

    public func write(_ transcript: IncidentTranscript, to sink: ExportSink) throws {
        try write(transcript, to: sink, merging: nil)
    }

    /// Writes the document through a `BlockSealer`: every block sealed with its hash, and with `merging`, the
    /// author's parts of that file in place of the template's.
    func write(_ transcript: IncidentTranscript, to sink: ExportSink, merging: PostmortemDocument?) throws {
        let sealer = BlockSealer(target: sink, merging: merging)
        try writeDocument(transcript, to: sealer.sink)
        try sealer.finish()
    }

    private func writeDocument(_ transcript: IncidentTranscript, to sink: ExportSink) throws {
        // One pass over the events. The header and metrics come first but depend on every event, so the timeline
        // and the notes (nearly all of a large document) are written ahead into their own buffers, in their final
        // form, and copied out after the header.
        var builder = IncidentReport.Builder(incident: transcript.incident, outputs: transcript.outputs)
        var timeline = TimelineRows(declaredAt: transcript.incident.declaredAt)
        var notes = ExportWriter()
        let declaredAt = transcript.incident.declaredAt
        try transcript.forEachEvent(hashes: false) { event in
            let command = builder.add(event).map { builder.commands[$0] }
            try timeline.add(event, command: command)
            if event.type == .noteAdded {
                notes.raw("\n- ")
                notes.utc(event.timestamp)
                notes.raw(" (")
                notes.raw(ExportFormatting.sinceStart(event.timestamp, start: declaredAt))
                notes.raw("), ")
                notes.raw(MarkdownText.inline(event.actor))
                notes.raw(": ")
                let text = event.payload["text"]?.stringValue ?? ""
                if text.allSatisfy(\.isWhitespace) {
                    notes.raw("*(empty note)*")
                } else {
                    notes.markdownParagraph(text, indent: 2)
                }
                try notes.flushIfFull()
            }
        }
        let report = builder.report(timers: transcript.timers, outbox: transcript.outbox)
        try timeline.finish(report.commands)

        let sections = PostmortemSections(report)
        let start = report.incident.declaredAt

        var out = ExportWriter(sink: sink)
        let drill = report.incident.isDrill ? " (DRILL)" : ""
        out.raw(
            "\(generatorMarker) of incident \(report.incident.id); -o replaces this file only while this line is here -->\n"
        )
        out.raw("# Postmortem\(drill): \(MarkdownText.inline(report.incident.title))\n\n")
        out.raw(block("header", header(report)))
        out.raw(heading("Metrics") + block("metrics", metrics(report)))
        for part in sections.narrative { out.raw(section(part, start: start)) }
        for part in sections.lessons { out.raw(section(part, start: start)) }
        out.raw(actionItems(sections, start: start))
        out.raw(heading("Timeline"))
        out.raw(keyMoments(sections, start: start))
        out.raw(heading("Full log", level: 3))
        out.raw(GeneratedBlock.begin("timeline") + "\n\n")
        out.raw(MarkdownText.tableRow(["UTC", "T+", "Actor", "Event"]))
        out.raw("\n|---|---|---|---|")
        try out.append(timeline.rows)
        out.raw("\n\n" + GeneratedBlock.end("timeline") + "\n\n")
        out.raw(heading("Supporting information"))
        out.raw(heading("Commands", level: 3) + GeneratedBlock.begin("commands") + "\n\n")
        try commands(report, from: transcript, to: &out)
        out.raw("\n\n" + GeneratedBlock.end("commands") + "\n\n")
        out.raw(heading("Notes", level: 3) + GeneratedBlock.begin("notes") + "\n")
        if report.noteCount == 0 { out.raw("\nNo notes were taken.") }
        try out.append(notes)
        out.raw("\n\n" + GeneratedBlock.end("notes") + "\n\n")
        out.raw(notifications(report))
        out.raw(escalations(report))
        if report.incident.isDrill {
            out.raw(heading("Drill debrief") + block("debrief", debrief(report)))
        }
        out.raw("---\n\n")
        out.raw(block("chain-head", footer(transcript)))
        try out.flush()
    }

    /// The document as text.
    public func markdown(_ transcript: IncidentTranscript) throws -> String {
        String(decoding: try render(transcript), as: UTF8.self)
    }

    // MARK: - Sections

    private func header(_ report: IncidentReport) -> String {
        let incident = report.incident
        var lines: [String] = []
        if report.isOpen {
            lines.append(
                "> **Open incident.** This export was taken while incident \(incident.id) was still "
                    + "\(incident.status.rawValue); times and metrics stop at its last recorded event "
                    + "(\(ExportFormatting.utc(report.endTime))).")
            lines.append("")
        }
        if incident.isDrill {
            lines.append("> **DRILL.** This was an exercise, not a real incident.")
            lines.append("")
        }
        func time(_ date: Date?) -> String { date.map(ExportFormatting.utc) ?? "—" }
        let declaredSeverity = report.metrics.severityPeriods.first?.severity ?? incident.severity
        var severity = incident.severity.rawValue
        if declaredSeverity != incident.severity { severity += " (declared \(declaredSeverity.rawValue))" }
        let fields: [(String, String)] = [
            ("Incident", "\(incident.id)"),
            ("Environment", MarkdownText.inline(incident.environment)),
            ("Drill", incident.isDrill ? "**DRILL**" : "no"),
            ("Severity", severity),
            ("Status", incident.status.rawValue),
            ("Runbooks used", report.runbooks.map(MarkdownText.inline).joined(separator: ", ")),
            ("Responders", report.responders.map(MarkdownText.inline).joined(separator: ", ")),
            ("Declared", time(incident.declaredAt)),
            ("Acknowledged", time(report.declaredPlus(report.metrics.timeToAcknowledge))),
            ("Mitigated", time(report.declaredPlus(report.metrics.timeToMitigate))),
            ("Resolved", time(report.declaredPlus(report.metrics.timeToResolve))),
        ]
        lines += fields.map { "- **\($0.0):** \($0.1.isEmpty ? "—" : $0.1)" }
        return lines.joined(separator: "\n")
    }

    private func metrics(_ report: IncidentReport) -> String {
        let metrics = report.metrics
        func span(_ interval: TimeInterval?) -> String {
            interval.map(ExportFormatting.duration) ?? (report.isOpen ? "— (not yet)" : "—")
        }
        var lines: [String] = []
        if let detect = metrics.timeToDetect {
            lines.append("- **Time to detect:** \(ExportFormatting.duration(detect)) (impact start to detection)")
        }
        lines.append("- **Time to acknowledge:** \(span(metrics.timeToAcknowledge))")
        lines.append("- **Time to mitigate:** \(span(metrics.timeToMitigate))")
        lines.append("- **Time to resolve:** \(span(metrics.timeToResolve))")
        lines += ["", "### Time at each severity", ""]
        lines.append(MarkdownText.tableRow(["Severity", "Time"]))
        lines.append("|---|---|")
        for entry in metrics.timeAtSeverity {
            lines.append(MarkdownText.tableRow([entry.severity.rawValue, ExportFormatting.duration(entry.duration)]))
        }
        lines += ["", "### Response times (escalation matrix)", ""]
        lines.append(MarkdownText.tableRow(["Severity", "Since", "Response time", "Acknowledged after", "Met"]))
        lines.append("|---|---|---|---|---|")
        for check in metrics.responseChecks {
            let cells = [
                check.severity.rawValue, ExportFormatting.sinceStart(check.since, start: report.incident.declaredAt),
                check.responseTime?.description ?? "not in policy snapshot",
                check.respondedAfter.map(ExportFormatting.duration) ?? "—",
            ].map(MarkdownText.tableCell)
            lines.append(MarkdownText.tableRow(formatted: cells + [Self.verdict(check.outcome)]))
        }
        return lines.joined(separator: "\n")
    }

    private static func verdict(_ outcome: ResponseCheck.Outcome) -> String {
        switch outcome {
        case .met: return "yes"
        case .missed: return "**no**"
        case .pending: return "pending (still open)"
        case .notDue: return "not due (left this severity first)"
        case .notEvaluated: return "not evaluated"
        }
    }

    /// The commands section, one command at a time (with its output, each can be long).
    private func commands(_ report: IncidentReport, from transcript: IncidentTranscript, to out: inout ExportWriter)
        throws
    {
        if report.commands.isEmpty {
            out.raw("No commands were run.")
            return
        }
        for (number, command) in report.commands.enumerated() {
            if number > 0 { out.raw("\n\n") }
            var lines: [String] = []
            lines.append("#### \(number + 1). \(MarkdownText.inline(command.label))")
            lines.append("")
            var facts = [
                "Run by \(MarkdownText.inline(command.actor)) at \(ExportFormatting.utc(command.startedAt)) "
                    + "(\(ExportFormatting.sinceStart(command.startedAt, start: report.incident.declaredAt)))",
                MarkdownText.inline(command.outcome),
            ]
            if let duration = command.duration { facts.append("took \(ExportFormatting.duration(duration))") }
            if let cwd = command.workingDirectory { facts.append("in \(MarkdownText.inline(cwd))") }
            lines.append(facts.joined(separator: ", ") + ".")
            lines.append("")
            lines.append(MarkdownText.fencedBlock(command.text, info: "sh"))
            if let original = command.originalText {
                lines += ["", "Edited before running; the runbook said:", ""]
                lines.append(MarkdownText.fencedBlock(original, info: "sh"))
            }
            lines += ["", ""]
            out.raw(lines.joined(separator: "\n"))
            try MarkdownOutput(lines: outputLines).write(command, from: transcript, to: &out)
            try out.flushIfFull()
        }
    }

    /// The chain head the document was taken at, and how to check a database against it.
    private func footer(_ transcript: IncidentTranscript) -> String {
        guard let head = transcript.chainHead else { return "Chain head: none (the incident has no events)." }
        return "Chain head: event #\(head.sequence), SHA-256 `\(head.hash)`. Check the database against it with "
            + "`runbook verify \(transcript.incident.id) --anchor \(head)`."
    }

    private func debrief(_ report: IncidentReport) -> String {
        var lines: [String] = []
        guard let event = report.debrief else {
            lines.append("No debrief was recorded.")
            return lines.joined(separator: "\n")
        }
        lines.append(
            "Recorded by \(MarkdownText.inline(event.actor)) at \(ExportFormatting.utc(event.timestamp)).")
        lines.append("")
        guard case .object(let fields) = event.payload else {
            lines.append(MarkdownText.paragraph(event.payload.canonicalString))
            return lines.joined(separator: "\n")
        }
        for key in fields.keys.sorted() {
            let value = fields[key]!
            switch value {
            case .string(let text):
                lines.append("- **\(MarkdownText.inline(key)):** \(MarkdownText.paragraph(text, indent: 2))")
            case .array(let items):
                lines.append("- **\(MarkdownText.inline(key)):**")
                for item in items {
                    lines.append("  - \(MarkdownText.paragraph(item.stringValue ?? item.canonicalString, indent: 4))")
                }
            default:
                lines.append("- **\(MarkdownText.inline(key)):** \(MarkdownText.inline(value.canonicalString))")
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension IncidentReport {
    /// Declaration time plus `interval`, when there is one.
    func declaredPlus(_ interval: TimeInterval?) -> Date? {
        interval.map { incident.declaredAt.addingTimeInterval($0) }
    }
}

import Foundation

/// The postmortem as one self-contained HTML file, to attach to a wiki page or open from disk: the same sections
/// as the Markdown postmortem, each command's output in its colours (no script needed), and, when the replay
/// bundle is at hand, a replay of each step's terminal session with xterm.js.
///
/// Everything from the transcript is escaped (`HTMLText`); the page makes no request (a Content-Security-Policy
/// allows only its own inline style sheets and script, by hash); and it is written as it is produced: the
/// events are read once per part of the page (the header needs all of them first), and the recording comes from
/// `AsciicastExporter`, streamed into the page.
public struct HTMLReportExporter: IncidentExporter {
    /// Lines of output kept from the start and from the end of each command; 0 keeps all of it (the replay always
    /// has all of it).
    public var outputLines: Int
    /// The replay's script and style sheet, or why there are none (the report then says the replay is missing).
    public var replay: Result<ReplayBundle, ReplayBundle.Absence>

    /// Creates an exporter that keeps the first and last `outputLines` lines of each command's static output.
    public init(outputLines: Int = 20, replay: Result<ReplayBundle, ReplayBundle.Absence>) {
        self.outputLines = max(0, outputLines)
        self.replay = replay
    }

    public var fileExtension: String { "html" }

    /// A `<meta name="generator">` in the head, before anything taken from the transcript.
    public var generatorMarker: String { "<meta name=\"generator\" content=\"runbook export\">" }

    /// What the report says where a replay would be when there is no bundle.
    static let missingReplayNote =
        "No replay: this report was written without the xterm.js replay bundle (see “HTML report” in runbook’s "
        + "docs/exports.md). The output above is the recorded output."

    public func write(_ transcript: IncidentTranscript, to sink: ExportSink) throws {
        let report = try transcript.report()
        let bundle = try? replay.get()
        var out = ExportWriter(sink: sink)
        let sections = PostmortemSections(report)
        let start = report.incident.declaredAt
        head(report, bundle: bundle, to: &out)
        header(report, to: &out)
        metrics(report, to: &out)
        narrative(sections, start: start, to: &out)
        actionItems(sections, start: start, to: &out)
        keyMoments(sections, start: start, to: &out)
        try timeline(transcript, to: &out)
        try commands(report, from: transcript, replay: bundle != nil, to: &out)
        try notes(transcript, report: report, to: &out)
        if report.incident.isDrill { debrief(report, to: &out) }
        out.raw("\n<footer>")
        footer(transcript, to: &out)
        out.raw("</footer>\n")
        if let bundle {
            try recording(transcript, to: &out, sink: sink)
            out.raw("<script>")
            out.raw(bundle.script)
            out.raw("</script>\n")
        }
        out.raw("</body>\n</html>\n")
        try out.flush()
    }

    // MARK: - Head

    /// The report's Content-Security-Policy: nothing but its own style sheets and script, named by hash, so it
    /// makes no request and runs no other script. `runbook serve` sends it as the report's header too.
    public var contentSecurityPolicy: String {
        let bundle = try? replay.get()
        let styles = [Self.stylesheet] + (bundle.map { [$0.stylesheet] } ?? [])
        var policy = "default-src 'none'; style-src " + styles.map(ReplayBundle.hashSource).joined(separator: " ")
        policy += "; script-src " + (bundle.map { ReplayBundle.hashSource($0.script) } ?? "'none'")
        policy += "; img-src data:; base-uri 'none'; form-action 'none'"
        return policy
    }

    private func head(_ report: IncidentReport, bundle: ReplayBundle?, to out: inout ExportWriter) {
        let styles = [Self.stylesheet] + (bundle.map { [$0.stylesheet] } ?? [])
        let policy = contentSecurityPolicy
        out.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        out.raw(generatorMarker)
        out.raw("\n<meta http-equiv=\"Content-Security-Policy\" content=\"")
        out.raw(HTMLText.escaped(policy))
        out.raw("\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
        out.raw(HTMLText.escaped(title(report)))
        out.raw("</title>\n")
        for style in styles {
            out.raw("<style>")
            out.raw(style)
            out.raw("</style>\n")
        }
        out.raw("</head>\n<body>\n")
    }

    private func title(_ report: IncidentReport) -> String {
        let drill = report.incident.isDrill ? " (DRILL)" : ""
        return "Postmortem\(drill): " + Self.oneLine(report.incident.title)
    }

    /// `text` on one line: line breaks (LF, CR, CRLF) shown as ` ↵ `, as the Markdown's headings do.
    static func oneLine(_ text: String) -> String {
        guard text.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return text }
        return
            text.replacingOccurrences(of: "\r\n", with: " ↵ ").replacingOccurrences(of: "\n", with: " ↵ ")
            .replacingOccurrences(of: "\r", with: " ↵ ")
    }

    // MARK: - Sections

    private func header(_ report: IncidentReport, to out: inout ExportWriter) {
        let incident = report.incident
        out.raw("<header>\n<h1>")
        out.raw(HTMLText.escaped(title(report)))
        out.raw("</h1>\n")
        if report.isOpen {
            out.raw(
                "<p class=\"banner\"><strong>Open incident.</strong> This export was taken while incident "
                    + "\(incident.id) was still \(incident.status.rawValue); times and metrics stop at its last "
                    + "recorded event (\(ExportFormatting.utc(report.endTime))).</p>\n")
        }
        if incident.isDrill {
            out.raw(
                "<p class=\"banner drill\"><strong>DRILL.</strong> This was an exercise, not a real incident.</p>\n")
        }
        func time(_ date: Date?) -> String { date.map(ExportFormatting.utc) ?? "—" }
        let declaredSeverity = report.metrics.severityPeriods.first?.severity ?? incident.severity
        var severity = incident.severity.rawValue
        if declaredSeverity != incident.severity { severity += " (declared \(declaredSeverity.rawValue))" }
        let fields: [(String, String)] = [
            ("Incident", "\(incident.id)"),
            ("Environment", incident.environment),
            ("Drill", incident.isDrill ? "DRILL" : "no"),
            ("Severity", severity),
            ("Status", incident.status.rawValue),
            ("Runbooks used", report.runbooks.joined(separator: ", ")),
            ("Responders", report.responders.joined(separator: ", ")),
            ("Declared", time(incident.declaredAt)),
            ("Acknowledged", time(report.declaredPlus(report.metrics.timeToAcknowledge))),
            ("Mitigated", time(report.declaredPlus(report.metrics.timeToMitigate))),
            ("Resolved", time(report.declaredPlus(report.metrics.timeToResolve))),
        ]
        out.raw("<dl class=\"facts\">")
        for (name, value) in fields {
            out.raw("\n<div><dt>\(name)</dt><dd>")
            out.raw(HTMLText.escaped(value.isEmpty ? "—" : Self.oneLine(value)))
            out.raw("</dd></div>")
        }
        out.raw("\n</dl>\n<nav><a href=\"#metrics\">Metrics</a> · <a href=\"#timeline\">Timeline</a> · ")
        out.raw("<a href=\"#commands\">Commands</a> · <a href=\"#notes\">Notes</a> · ")
        out.raw("<a href=\"#action-items\">Action items</a> · <a href=\"#author\">Summary and analysis</a></nav>\n")
        out.raw("</header>\n")
    }

    private func metrics(_ report: IncidentReport, to out: inout ExportWriter) {
        let metrics = report.metrics
        let start = report.incident.declaredAt
        func span(_ interval: TimeInterval?) -> String {
            interval.map(ExportFormatting.duration) ?? (report.isOpen ? "— (not yet)" : "—")
        }
        out.raw("<section id=\"metrics\">\n<h2>Metrics</h2>\n<ul>")
        out.raw("\n<li><strong>Time to acknowledge:</strong> \(span(metrics.timeToAcknowledge))</li>")
        out.raw("\n<li><strong>Time to mitigate:</strong> \(span(metrics.timeToMitigate))</li>")
        out.raw("\n<li><strong>Time to resolve:</strong> \(span(metrics.timeToResolve))</li>\n</ul>")
        out.raw("\n<h3>Time at each severity</h3>\n")
        table(
            ["Severity", "Time"],
            metrics.timeAtSeverity.map { [$0.severity.rawValue, ExportFormatting.duration($0.duration)] }, to: &out)
        out.raw("\n<h3>Response times (escalation matrix)</h3>\n")
        table(
            ["Severity", "Since", "Response time", "Acknowledged after", "Met"],
            metrics.responseChecks.map { check in
                [
                    check.severity.rawValue, ExportFormatting.sinceStart(check.since, start: start),
                    check.responseTime?.description ?? "not in policy snapshot",
                    check.respondedAfter.map(ExportFormatting.duration) ?? "—", Self.verdict(check.outcome),
                ]
            }, to: &out)
        out.raw("\n<h3>Escalations</h3>\n")
        if metrics.escalations.isEmpty {
            out.raw("<p>No escalations fired.</p>")
        } else {
            table(
                ["UTC", "T+", "Level", "Targets", "Severity"],
                metrics.escalations.map { escalation in
                    [
                        ExportFormatting.utc(escalation.time),
                        ExportFormatting.sinceStart(escalation.time, start: start),
                        escalation.level.map(String.init) ?? "—",
                        escalation.targets.isEmpty ? "—" : escalation.targets.joined(separator: " + "),
                        escalation.severity?.rawValue ?? "—",
                    ]
                }, to: &out)
        }
        out.raw("\n</section>\n")
    }

    private static func verdict(_ outcome: ResponseCheck.Outcome) -> String {
        switch outcome {
        case .met: return "yes"
        case .missed: return "no"
        case .pending: return "pending (still open)"
        case .notDue: return "not due (left this severity first)"
        case .notEvaluated: return "not evaluated"
        }
    }

    /// A table of escaped cells; on a narrow screen each row reads as a block, each cell labelled by its column.
    private func table(_ columns: [String], _ rows: [[String]], to out: inout ExportWriter) {
        out.raw("<table class=\"rows\"><thead><tr>")
        for column in columns { out.raw("<th>\(column)</th>") }
        out.raw("</tr></thead><tbody>")
        for row in rows {
            out.raw("\n<tr>")
            for (column, cell) in zip(columns, row) {
                out.raw("<td data-label=\"\(column)\">")
                out.raw(HTMLText.escaped(cell))
                out.raw("</td>")
            }
            out.raw("</tr>")
        }
        out.raw("\n</tbody></table>")
    }

    /// Every event, one row each, written as the events are read (a second pass: the header needed them all).
    /// The timeline, read into rows as the Markdown export reads it (`TimelineRows`: one row per command).
    private func timeline(_ transcript: IncidentTranscript, to out: inout ExportWriter) throws {
        out.raw("<section id=\"timeline\">\n<h2>Timeline</h2>\n<table class=\"rows timeline\"><thead><tr>")
        out.raw("<th>UTC</th><th>T+</th><th>Actor</th><th>Event</th></tr></thead><tbody>")
        var builder = IncidentReport.Builder(incident: transcript.incident, outputs: [:])
        var rows = TimelineRows(declaredAt: transcript.incident.declaredAt, writeRow: Self.row)
        try transcript.forEachEvent(hashes: false) { event in
            try rows.add(event, command: builder.add(event).map { builder.commands[$0] })
        }
        try rows.finish(builder.commands)
        try out.append(rows.rows)
        out.raw("\n</tbody></table>\n</section>\n")
    }

    /// One timeline row: its event type as its class (`command-started` for a command), UTC, T+, actor, text.
    static func row(_ event: RecordedEvent, _ text: String, declaredAt: Date, to out: inout ExportWriter) {
        row(event, text, declaredAt: declaredAt, id: nil, to: &out)
    }

    /// A row as `row` writes it, with an `id` attribute when given (the live page's command rows).
    static func row(_ event: RecordedEvent, _ text: String, declaredAt: Date, id: String?, to out: inout ExportWriter) {
        var row: [UInt8] = []
        row.append(contentsOf: "\n<tr ".utf8)
        if let id {
            row.append(contentsOf: "id=\"".utf8)
            HTMLText.append(id, to: &row)
            row.append(contentsOf: "\" ".utf8)
        }
        row.append(contentsOf: "class=\"".utf8)
        row.append(contentsOf: event.type.rawValue.utf8.map { $0 == UInt8(ascii: ".") ? UInt8(ascii: "-") : $0 })
        row.append(contentsOf: "\"><td data-label=\"UTC\">".utf8)
        ExportFormatting.appendUTC(event.timestamp, to: &row)
        row.append(contentsOf: "</td><td data-label=\"T+\">".utf8)
        row.append(contentsOf: ExportFormatting.sinceStart(event.timestamp, start: declaredAt).utf8)
        row.append(contentsOf: "</td><td data-label=\"Actor\">".utf8)
        HTMLText.append(event.actor, to: &row)
        row.append(contentsOf: "</td><td data-label=\"Event\">".utf8)
        HTMLText.append(oneLine(text), to: &row)
        row.append(contentsOf: "</td></tr>".utf8)
        out.raw(row)
    }

    private func notes(_ transcript: IncidentTranscript, report: IncidentReport, to out: inout ExportWriter) throws {
        out.raw("<section id=\"notes\">\n<h2>Notes</h2>\n")
        if report.noteCount == 0 {
            out.raw("<p>No notes were taken.</p>\n</section>\n")
            return
        }
        let declaredAt = transcript.incident.declaredAt
        out.raw("<ul class=\"notes\">")
        try transcript.forEachEvent(types: [.noteAdded], hashes: false) { event in
            out.raw("\n<li><span class=\"when\">")
            out.utc(event.timestamp)
            out.raw(" (\(ExportFormatting.sinceStart(event.timestamp, start: declaredAt)))</span>, ")
            out.raw(HTMLText.escaped(event.actor))
            out.raw(": ")
            let text = event.payload["text"]?.stringValue ?? ""
            if text.allSatisfy(\.isWhitespace) {
                out.raw("<em>(empty note)</em>")
            } else {
                out.raw("<div class=\"text\">")
                out.raw(HTMLText.escaped(text))
                out.raw("</div>")
            }
            out.raw("</li>")
            try out.flushIfFull()
        }
        out.raw("\n</ul>\n</section>\n")
    }

    private func debrief(_ report: IncidentReport, to out: inout ExportWriter) {
        out.raw("<section id=\"debrief\">\n<h2>Drill debrief</h2>\n")
        guard let event = report.debrief else {
            out.raw("<p>No debrief was recorded.</p>\n</section>\n")
            return
        }
        out.raw("<p>Recorded by \(HTMLText.escaped(event.actor)) at \(ExportFormatting.utc(event.timestamp)).</p>\n")
        guard case .object(let fields) = event.payload else {
            out.raw("<p class=\"text\">\(HTMLText.escaped(event.payload.canonicalString))</p>\n</section>\n")
            return
        }
        out.raw("<dl class=\"debrief\">")
        for key in fields.keys.sorted() {
            out.raw("\n<dt>\(HTMLText.escaped(key))</dt>")
            switch fields[key]! {
            case .string(let text): out.raw("<dd class=\"text\">\(HTMLText.escaped(text))</dd>")
            case .array(let items):
                out.raw("<dd><ul>")
                for item in items {
                    out.raw("<li class=\"text\">\(HTMLText.escaped(item.stringValue ?? item.canonicalString))</li>")
                }
                out.raw("</ul></dd>")
            case let value: out.raw("<dd>\(HTMLText.escaped(value.canonicalString))</dd>")
            }
        }
        out.raw("\n</dl>\n</section>\n")
    }

    private func footer(_ transcript: IncidentTranscript, to out: inout ExportWriter) {
        guard let head = transcript.chainHead else {
            return out.raw("<p>Chain head: none (the incident has no events).</p>")
        }
        out.raw(
            "<p>Chain head: event #\(head.sequence), SHA-256 <code>\(HTMLText.escaped(head.hash))</code>. Check the "
                + "database against it with <code>runbook verify \(transcript.incident.id) --anchor "
                + "\(HTMLText.escaped(head.description))</code>.</p>")
    }

    /// The incident's asciicast, as `AsciicastExporter` writes it, in a data block the replay reads.
    private func recording(_ transcript: IncidentTranscript, to out: inout ExportWriter, sink: ExportSink) throws {
        out.raw("<script type=\"application/x-asciicast\" id=\"replay-data\">\n")
        try out.flush()
        var escaped: [UInt8] = []
        let embedded = ExportSink(name: sink.name) { bytes in
            escaped.removeAll(keepingCapacity: true)
            HTMLText.appendScriptData(bytes, to: &escaped)
            try escaped.withUnsafeBytes { try sink.write($0) }
        }
        try AsciicastExporter().write(transcript, to: embedded)
        out.raw("</script>\n")
    }
}

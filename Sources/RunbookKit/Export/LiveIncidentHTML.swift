import Foundation

/// The pieces of the live incident page of `runbook serve`, written by the HTML report's own parts: its escaper
/// (`HTMLText`), its timeline rows (`TimelineRows` with the report's row writer), its output in colours
/// (`TerminalHTML`) and its style sheet. The page has no renderer of its own, so it reads as the report does.
public enum LiveIncidentHTML {
    /// `text` escaped for element content or a quoted attribute value.
    public static func escaped(_ text: String) -> String { HTMLText.escaped(text) }

    /// `date` in UTC as the report writes it (`2026-03-01 12:00:00 UTC`).
    public static func utc(_ date: Date) -> String { ExportFormatting.utc(date) }

    /// `date` since `start`, as the report's T+ column writes it.
    public static func sinceStart(_ date: Date, start: Date) -> String {
        ExportFormatting.sinceStart(date, start: start)
    }

    /// The report's style sheet (the rows, the output's colour classes, the narrow-screen layout).
    public static var reportStylesheet: String { HTMLReportExporter.stylesheet }

    /// The timeline table's opening, up to its `<tbody>`; the rows follow, then `timelineEnd`.
    public static let timelineStart =
        "<table class=\"rows timeline\"><thead><tr><th>UTC</th><th>T+</th><th>Actor</th><th>Event</th></tr></thead>"
        + "<tbody id=\"timeline-rows\">"
    /// The timeline table's end.
    public static let timelineEnd = "\n</tbody></table>"

    /// The timeline's rows as events are taken one at a time, as they happen: one row per command, as in the
    /// report, written when it starts (saying it runs) and again when it ends, both with the id `command-SEQ` (the
    /// `command.started` sequence), so the page replaces the first with the second. Rows of events recorded while
    /// it runs are written at once, after it, where the report has them.
    public struct Timeline {
        private var builder: IncidentReport.Builder
        private var rows: TimelineRows

        /// A timeline of `incident`, with no event yet.
        public init(incident: Incident) {
            builder = IncidentReport.Builder(incident: incident, outputs: [:])
            rows = TimelineRows(declaredAt: incident.declaredAt, live: true) { event, text, declaredAt, out in
                let id = event.type == .commandStarted ? "command-\(event.sequence)" : nil
                HTMLReportExporter.row(event, text, declaredAt: declaredAt, id: id, to: &out)
            }
        }

        /// What one event added.
        public struct Added: Sendable, Equatable {
            /// The rows it completed (HTML `<tr>`s, often none or one).
            public var rows: String
            /// For a `command.*` event, the sequence of the `command.started` event of its command (as the report
            /// pairs them).
            public var command: Int64?
        }

        /// Takes the next event.
        public mutating func add(_ event: RecordedEvent) throws -> Added {
            let record = builder.add(event).map { builder.commands[$0] }
            try rows.add(event, command: record)
            return Added(rows: String(decoding: try rows.takeRows(), as: UTF8.self), command: record?.sequence)
        }
    }

    /// A command's output as HTML in its colours, one whole line at a time across its chunks.
    public struct Output {
        private var terminal = TerminalHTML()
        private var pending: [UInt8] = []

        /// Output with no line yet.
        public init() {}

        /// Takes one chunk, and returns its complete lines as HTML (each ending in a line feed); a line longer than
        /// the report's limit is cut, and the cut said.
        public mutating func add(_ data: Data) -> String {
            pending.append(contentsOf: data)
            var html: [UInt8] = []
            var start = 0
            while let end = pending[start...].firstIndex(of: 0x0A) {
                line(pending[start..<end], to: &html)
                start = end + 1
            }
            pending.removeFirst(start)
            if pending.count > TerminalHTML.maximumLineBytes {
                line(pending[...], to: &html)
                pending.removeAll()
            }
            return String(decoding: html, as: UTF8.self)
        }

        /// The last line when it has no line feed (the command ended), as HTML.
        public mutating func finish() -> String {
            guard !pending.isEmpty else { return "" }
            var html: [UInt8] = []
            line(pending[...], to: &html)
            pending.removeAll()
            return String(decoding: html, as: UTF8.self)
        }

        private mutating func line(_ bytes: ArraySlice<UInt8>, to html: inout [UInt8]) {
            let kept = bytes.prefix(TerminalHTML.maximumLineBytes)
            terminal.appendLine(kept, cutBytes: bytes.count - kept.count, to: &html)
            html.append(UInt8(ascii: "\n"))
        }
    }
}

import Foundation

/// The rows of the postmortem's timeline table, written ahead into their own buffer as the events are read: the
/// one reading of the events into rows, for the Markdown export (`markdownRow`) and the HTML report (its own row
/// writer).
///
/// One row per command: its step, the text that ran and how it ended, at the time it started. The events that make
/// up a command (`step.shown`, `step.approved`, `command.started`, `command.finished`) give no rows of their own;
/// rows of other events recorded while it ran wait for it, so the table stays in time order.
struct TimelineRows {
    /// Writes one row: the event it stands at (time, actor), its text, the declaration time (for T+).
    typealias RowWriter = (_ event: RecordedEvent, _ text: String, _ declaredAt: Date, _ out: inout ExportWriter) ->
        Void

    /// The rows so far.
    private(set) var rows = ExportWriter()
    private let declaredAt: Date
    private var titles: [String: String] = [:]
    /// The command running, by `command.started` sequence, with the rows recorded while it ran.
    private var running: (sequence: Int64, event: RecordedEvent, held: ExportWriter)?

    private let writeRow: RowWriter
    /// Rows as they happen (the live incident page): nothing is held while a command runs. A command gets a row
    /// saying it runs at its start, then the same row (written at the same `command.started` event) when it ends,
    /// for the page to put in its place.
    private let live: Bool
    /// `live`: the `command.started` events of the commands still running, by sequence.
    private var started: [Int64: RecordedEvent] = [:]

    init(declaredAt: Date, live: Bool = false, writeRow: @escaping RowWriter = TimelineRows.markdownRow) {
        self.declaredAt = declaredAt
        self.live = live
        self.writeRow = writeRow
    }

    /// Takes the next event; `command` is its command record (complete up to this event), for `command.*` events.
    mutating func add(_ event: RecordedEvent, command: CommandRecord?) throws {
        if event.type == .stepShown, let step = event.stepID, let title = event.payload["title"]?.stringValue {
            titles[step] = title
        }
        switch event.type {
        case .stepShown:
            if event.payload["dry_run"]?.boolValue == true { row(event, describe(event) + " (dry run)") }
        case .stepApproved:
            break
        case .commandStarted where live:
            started[event.sequence] = event
            row(event, command.map { "\($0.label): running \($0.text)" } ?? describe(event))
        case .commandStarted:
            try endRunning(nil)
            running = (event.sequence, event, ExportWriter())
        case .commandFinished, .commandFailedToStart:
            guard let command else { return row(event, describe(event)) }
            if live, let start = started.removeValue(forKey: command.sequence) {
                row(start, EventSummary.describe(command: command))
            } else if let running, running.sequence == command.sequence {
                try endRunning(command)
            } else {
                row(event, EventSummary.describe(command: command))
            }
        default:
            row(event, describe(event))
        }
        try rows.flushIfFull()
    }

    /// The rows written since the last call, taken out of `rows` (the live incident page sends them as they come).
    mutating func takeRows() throws -> [UInt8] {
        var taken = ExportWriter()
        try taken.append(rows)
        rows = ExportWriter()
        return taken.bytes
    }

    /// Writes the row of a command still running when the transcript ends.
    mutating func finish(_ commands: [CommandRecord]) throws {
        guard let running else { return }
        try endRunning(commands.last { $0.sequence == running.sequence })
    }

    private func describe(_ event: RecordedEvent) -> String {
        EventSummary.describe(event, command: nil, stepTitle: event.stepID.flatMap { titles[$0] })
    }

    /// Writes the running command's row at its start, then the rows that waited for it.
    private mutating func endRunning(_ command: CommandRecord?) throws {
        guard let current = running else { return }
        running = nil
        let text =
            command.map(EventSummary.describe(command:))
            ?? "Ran: \(current.event.payload["command"]?.stringValue ?? "?") (no finish recorded)"
        row(current.event, text)
        try rows.append(current.held)
    }

    private mutating func row(_ event: RecordedEvent, _ text: String) {
        if running != nil {
            writeRow(event, text, declaredAt, &running!.held)
        } else {
            writeRow(event, text, declaredAt, &rows)
        }
    }

    /// `MarkdownText.tableRow` of the event's time, T+, actor and `text`, written cell by cell.
    static func markdownRow(_ event: RecordedEvent, _ text: String, declaredAt: Date, to out: inout ExportWriter) {
        out.raw("\n| ")
        out.markdownTimeCell(event.timestamp)
        out.raw(" | ")
        out.markdownCell(ExportFormatting.sinceStart(event.timestamp, start: declaredAt))
        out.raw(" | ")
        out.markdownCell(event.actor)
        out.raw(" | ")
        out.markdownCell(text)
        out.raw(" |")
    }
}

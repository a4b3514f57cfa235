import Foundation
import RunbookKit

/// Formatting shared by the transcript commands: UTC times, elapsed times, tables, JSON.
enum TranscriptText {
    /// `2026-01-01 09:30:05Z`.
    static func utc(_ date: Date) -> String {
        UTCTimestamp.text(date)
    }

    /// The two lines above an incident's events: its id and title, then severity, status, environment, runbook and
    /// who declared it when.
    static func header(_ incident: Incident) -> [String] {
        var facts = [incident.severity.rawValue, incident.status.rawValue, incident.environment]
        if !incident.runbook.isEmpty { facts.append("runbook \(incident.runbook)") }
        if incident.isDrill { facts.append("drill") }
        facts.append("declared \(utc(incident.declaredAt)) by \(incident.user)@\(incident.host)")
        return [
            "Incident \(incident.id): \(ControlCharacters.oneLine(incident.title))",
            ControlCharacters.oneLine(facts.joined(separator: " · ")),
        ]
    }

    /// How wide the `#seq` column is for sequences up to `last`.
    static func sequenceWidth(_ last: Int64) -> Int { String(last).count + 1 }

    /// One event on one line (`runbook transcript`, `runbook follow`): the UTC time, the time since declaration,
    /// `#seq` padded to `width`, the type, the step, the actor and the event's summary (cut to 200 characters
    /// unless `full`; newlines shown as ⏎ and control characters made visible).
    static func eventLine(_ event: RecordedEvent, declaredAt: Date, width: Int, full: Bool) -> String {
        let step = event.stepID.map { " [\($0)]" } ?? ""
        let number = "#\(event.sequence)".padding(toLength: max(width, 1), withPad: " ", startingAt: 0)
        let summary = truncate(ControlCharacters.oneLine(event.summary), to: full ? Int.max : 200)
        return "\(utc(event.timestamp))  \(elapsed(event.timestamp, since: declaredAt))  "
            + "\(number)  \(event.type.rawValue)\(step)  \(ControlCharacters.oneLine(event.actor))"
            + (summary.isEmpty ? "" : "  \(summary)")
    }

    /// One line of a command's output (escape sequences already removed), under its command.
    static func outputLine(_ line: Substring) -> String { "    │ " + line }

    /// ISO 8601 with milliseconds, for JSON.
    static func iso(_ date: Date) -> String {
        isoFormatter.string(from: date)
    }

    /// `T+mm:ss` since `start`; minutes keep counting past an hour (`T+125:03`).
    static func elapsed(_ date: Date, since start: Date) -> String {
        let seconds = max(0, Int(date.timeIntervalSince(start)))
        return String(format: "T+%02d:%02d", seconds / 60, seconds % 60)
    }

    /// `45s`, `12m 05s`, `3h 07m`, `2d 04h`.
    static func duration(_ interval: TimeInterval) -> String {
        let seconds = max(0, Int(interval))
        switch seconds {
        case ..<60: return "\(seconds)s"
        case ..<3600: return String(format: "%dm %02ds", seconds / 60, seconds % 60)
        case ..<86_400: return String(format: "%dh %02dm", seconds / 3600, seconds % 3600 / 60)
        default: return String(format: "%dd %02dh", seconds / 86_400, seconds % 86_400 / 3600)
        }
    }

    /// Left-aligned columns separated by two spaces; the last column is not padded.
    static func table(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// `text` cut to `limit` characters with an ellipsis.
    static func truncate(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    /// Pretty, key-sorted JSON of `value`.
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    nonisolated(unsafe) private static let isoFormatter: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter
    }()
}

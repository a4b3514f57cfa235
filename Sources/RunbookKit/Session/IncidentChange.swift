import Foundation

/// The severity and status changes a responder makes, from the driver's REPL (`sev`, `mitigated`, `resolve`,
/// `abandon`) or from any terminal (`runbook sev`, `runbook status`): one set of rules, one event for each.
public enum IncidentChange {
    /// The statuses `runbook status ID WORD` records, and the words for them (the REPL's words are accepted too).
    public static let statusWords: [(word: String, status: IncidentStatus)] = [
        ("mitigated", .mitigated), ("resolved", .resolved), ("resolve", .resolved), ("abandoned", .abandoned),
        ("abandon", .abandoned),
    ]

    /// The severity a word names (`P1`, `p1`).
    /// - Throws: `SessionError.invalidArgument` naming the four.
    public static func severity(parsing word: String) throws -> Severity {
        guard let severity = Severity(parsing: word) else {
            throw SessionError.invalidArgument("severity must be P0, P1, P2 or P3 (got '\(word)'): sev P1 [reason]")
        }
        return severity
    }

    /// The status a word names.
    /// - Throws: `SessionError.invalidArgument` naming the words.
    public static func status(parsing word: String) throws -> IncidentStatus {
        guard let status = statusWords.first(where: { $0.word == word.lowercased() })?.status else {
            throw SessionError.invalidArgument(
                "unknown status '\(word)': give mitigated, resolved or abandoned (drills only)")
        }
        return status
    }

    /// `severity.changed` from `from` to `to` with the reason, or `nil` when the severity is already `to`.
    public static func severity(from: Severity, to: Severity, reason: String?) -> EventDraft? {
        guard from != to else { return nil }
        var payload: [String: JSONValue] = ["from": .string(from.rawValue), "to": .string(to.rawValue)]
        if let reason, !reason.isEmpty { payload["reason"] = .string(reason) }
        return EventDraft(.severityChanged, payload: .object(payload))
    }

    /// The event that moves an incident from `from` to `to`: `status.changed` (mitigated; abandoned, for drills
    /// only) or `incident.resolved` (with `reason` as its summary); `nil` when it is there already.
    /// - Throws: `SessionError.invalidArgument` for `open` and for abandoning a real incident.
    public static func status(
        from: IncidentStatus, to: IncidentStatus, reason: String?, isDrill: Bool
    ) throws -> EventDraft? {
        guard from != to else { return nil }
        let why = reason.flatMap { $0.isEmpty ? nil : $0 }
        switch to {
        case .open:
            throw SessionError.invalidArgument("an incident cannot be reopened: give mitigated, resolved or abandoned")
        case .mitigated:
            var payload: [String: JSONValue] = ["from": .string(from.rawValue), "to": "mitigated"]
            if let why { payload["reason"] = .string(why) }
            return EventDraft(.statusChanged, payload: .object(payload))
        case .abandoned:
            guard isDrill else {
                throw SessionError.invalidArgument("only a drill can be abandoned; resolve a real incident")
            }
            return EventDraft(
                .statusChanged,
                payload: ["from": .string(from.rawValue), "to": "abandoned", "reason": .string(why ?? "abandoned")])
        case .resolved:
            return EventDraft(.incidentResolved, payload: resolution(from: from, summary: why))
        }
    }

    /// The payload of `incident.resolved`: the status it leaves, and the summary when there is one.
    public static func resolution(from: IncidentStatus, summary: String?) -> JSONValue {
        var payload: [String: JSONValue] = ["from": .string(from.rawValue)]
        if let summary, !summary.isEmpty { payload["summary"] = .string(summary) }
        return .object(payload)
    }
}

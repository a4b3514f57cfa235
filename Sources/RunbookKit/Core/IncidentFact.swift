import Foundation

/// A fact a responder records for the postmortem during (or after) the incident: when the impact began, when it
/// was detected, a cause, an action item. The REPL's commands and the one-shot commands of the same names build
/// their events here, so both record the same payloads (docs/transcript-schema.md).
public enum IncidentFact: Sendable, Hashable {
    /// `impact-start TIME [TEXT]`: the impact began at `at` (`input` is the TIME as typed).
    case impactStarted(at: Date, input: String, text: String?)
    /// `detected TIME [TEXT]`: the problem was noticed at `at`, how in `text`.
    case detected(at: Date, input: String, text: String?)
    /// `cause TEXT`: a root cause or contributing factor.
    case cause(String)
    /// `action TEXT [--owner NAME] [--priority P] [--ticket T]`.
    case action(text: String, owner: String?, priority: String?, ticket: String?)

    /// The command word that records the fact.
    public var command: String {
        switch self {
        case .impactStarted: return "impact-start"
        case .detected: return "detected"
        case .cause: return "cause"
        case .action: return "action"
        }
    }

    /// Reads `impact-start` or `detected`'s words: TIME, then optional text.
    /// - Throws: `IncidentFactError` when TIME is missing or unreadable.
    public static func timed(
        _ command: String, words: [String], now: Date, declaredAt: Date
    ) throws -> IncidentFact {
        guard let input = words.first else { throw IncidentFactError.missingTime(command: command) }
        let at = try FactTime.parse(input, command: command, now: now, declaredAt: declaredAt)
        let text = clean(words.dropFirst().joined(separator: " "))
        return command == "detected"
            ? .detected(at: at, input: input, text: text) : .impactStarted(at: at, input: input, text: text)
    }

    /// A cause, or an action item, from its words and options; empty text is refused.
    /// - Throws: `IncidentFactError.missingText`.
    public static func cause(words: [String]) throws -> IncidentFact {
        guard let text = clean(words.joined(separator: " ")) else {
            throw IncidentFactError.missingText(command: "cause", usage: "cause TEXT")
        }
        return .cause(text)
    }

    /// An action item from its words and options; empty text is refused, empty options are left out.
    /// - Throws: `IncidentFactError.missingText`.
    public static func action(words: [String], owner: String?, priority: String?, ticket: String?) throws
        -> IncidentFact
    {
        guard let text = clean(words.joined(separator: " ")) else {
            throw IncidentFactError.missingText(
                command: "action", usage: "action TEXT [--owner NAME] [--priority P] [--ticket T]")
        }
        return .action(text: text, owner: clean(owner), priority: clean(priority), ticket: clean(ticket))
    }

    /// The event that records the fact.
    public var draft: EventDraft {
        func milliseconds(_ date: Date) -> JSONValue { .int(Int64((date.timeIntervalSince1970 * 1000).rounded())) }
        switch self {
        case .impactStarted(let at, let input, let text), .detected(let at, let input, let text):
            var payload: [String: JSONValue] = ["at_ms": milliseconds(at), "input": .string(input)]
            if let text { payload["text"] = .string(text) }
            if case .detected = self { return EventDraft(.incidentDetected, payload: .object(payload)) }
            return EventDraft(.impactStarted, payload: .object(payload))
        case .cause(let text):
            return EventDraft(.causeAdded, payload: ["text": .string(text)])
        case .action(let text, let owner, let priority, let ticket):
            var payload: [String: JSONValue] = ["text": .string(text)]
            if let owner { payload["owner"] = .string(owner) }
            if let priority { payload["priority"] = .string(priority) }
            if let ticket { payload["ticket"] = .string(ticket) }
            return EventDraft(.actionAdded, payload: .object(payload))
        }
    }

    /// What the responder is told once it is recorded.
    public var confirmation: String {
        switch self {
        case .impactStarted(let at, _, _): return "impact start recorded: \(UTCTimestamp.text(at))"
        case .detected(let at, _, _): return "detection recorded: \(UTCTimestamp.text(at))"
        case .cause: return "cause recorded"
        case .action: return "action item recorded"
        }
    }

    private static func clean(_ text: String?) -> String? {
        guard let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
        return trimmed
    }
}

/// Why a fact could not be recorded, written for the person at the terminal (exit 2).
public enum IncidentFactError: UserFacingError, Equatable {
    /// `impact-start` or `detected` without a TIME.
    case missingTime(command: String)
    /// A TIME `FactTime` cannot read, or one later than now.
    case badTime(command: String, input: String, reason: String)
    /// `cause` or `action` without text.
    case missingText(command: String, usage: String)

    public var summary: String {
        switch self {
        case .missingTime(let command): return "\(command) needs a TIME"
        case .badTime(let command, let input, let reason):
            return "cannot use \"\(input)\" as the TIME of \(command): \(reason)"
        case .missingText(let command, _): return "\(command) needs text"
        }
    }

    public var hint: String? {
        switch self {
        case .missingTime(let command), .badTime(let command, _, _):
            return "give a UTC time of day (\(command) 14:05), a time ago (\(command) -15m), or an ISO 8601 time "
                + "(\(command) 2026-12-05T14:05:00Z)"
        case .missingText(_, let usage): return "write it as: \(usage)"
        }
    }

    public var exitStatus: ExitStatus { .usage }
}

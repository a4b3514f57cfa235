import Foundation

/// One finding about a runbook file: where, how bad, what, and what to do about it.
///
/// The parser and the linter both produce these; `runbook lint` prints them as
/// `file:line:col: error: message` followed by `  hint: …`.
public struct Diagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
    /// How bad a finding is. `--strict` treats warnings as errors.
    public enum Level: String, Sendable, Hashable, Codable, Comparable {
        /// The runbook is wrong: a responder would be misled or a step cannot run as written.
        case error
        /// The runbook is probably wrong: worth a look, not fatal.
        case warning
        /// The runbook is read differently from how it is written, on purpose: a `$ ` prompt stripped, sample
        /// output not run, a Runme attribute accepted without its effect. Never fails `lint`, not even `--strict`.
        case note

        /// Errors first, then warnings, then notes.
        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rank < rhs.rank }

        private var rank: Int {
            switch self {
            case .error: return 0
            case .warning: return 1
            case .note: return 2
            }
        }
    }

    public var location: SourceLocation
    public var severity: Level
    /// One sentence: what is wrong.
    public var message: String
    /// What to do about it.
    public var hint: String?

    public init(location: SourceLocation, severity: Level, message: String, hint: String? = nil) {
        self.location = location
        self.severity = severity
        self.message = message
        self.hint = hint
    }

    /// Shorthand for an error.
    public static func error(_ message: String, at location: SourceLocation, hint: String? = nil) -> Diagnostic {
        Diagnostic(location: location, severity: .error, message: message, hint: hint)
    }

    /// Shorthand for a warning.
    public static func warning(_ message: String, at location: SourceLocation, hint: String? = nil) -> Diagnostic {
        Diagnostic(location: location, severity: .warning, message: message, hint: hint)
    }

    /// Shorthand for a note.
    public static func note(_ message: String, at location: SourceLocation, hint: String? = nil) -> Diagnostic {
        Diagnostic(location: location, severity: .note, message: message, hint: hint)
    }

    /// `file:line:col: error: message`, then `  hint: …` on its own line when there is a hint.
    public var description: String {
        var text = "\(location): \(severity.rawValue): \(message)"
        if let hint { text += "\n  hint: \(hint)" }
        return text
    }

    /// Orders by file, line, column, then message, so output is deterministic.
    public static func sortedForOutput(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.sorted {
            if $0.location.file != $1.location.file { return $0.location.file < $1.location.file }
            if $0.location.line != $1.location.line { return $0.location.line < $1.location.line }
            if $0.location.column != $1.location.column { return $0.location.column < $1.location.column }
            return $0.message < $1.message
        }
    }
}

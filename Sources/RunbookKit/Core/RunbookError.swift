/// Process exit codes, documented in docs/user-guide.md. Each command returns one of these.
public enum ExitStatus: Int32, Sendable {
    /// Success: clean lint, intact chain, incident resolved or suspended cleanly.
    case success = 0
    /// Findings: lint problems, a broken hash chain, a failed verification.
    case findings = 1
    /// Usage error or unreadable input (bad flags, missing runbook, malformed file).
    case usage = 2
    /// Scripted input ended in the middle of a step.
    case inputEnded = 3
    /// The transcript database cannot be used (corrupt, locked, read-only, newer schema).
    case database = 4
    /// A command could not be started or the environment refused the action (drill in production).
    case refused = 5
    /// The terminal hung up (SIGHUP) while a command ran: the result was recorded and the incident suspended.
    case hungUp = 129
    /// `runbook` was asked to stop (SIGTERM) while a command ran: the result was recorded and the incident
    /// suspended.
    case terminated = 143
}

/// An error written for the person at the terminal: what went wrong, where, and what to do.
///
/// Each module throws its own conforming type; the CLI turns them into text at the edge.
public protocol UserFacingError: Error, CustomStringConvertible {
    /// One sentence: what went wrong.
    var summary: String { get }
    /// Where, when the problem is in a file.
    var location: SourceLocation? { get }
    /// What to do about it.
    var hint: String? { get }
    /// The process exit status this error maps to.
    var exitStatus: ExitStatus { get }
}

extension UserFacingError {
    public var location: SourceLocation? { nil }
    public var hint: String? { nil }
    public var description: String {
        var text = location.map { "\($0): error: \(summary)" } ?? "error: \(summary)"
        if let hint { text += "\n  hint: \(hint)" }
        return text
    }
}

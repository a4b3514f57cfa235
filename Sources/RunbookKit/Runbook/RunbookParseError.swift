import Foundation

/// A runbook file that cannot be used: unreadable, binary, not UTF-8, or with errors in it.
public struct RunbookParseError: UserFacingError, Sendable {
    public var summary: String
    public var location: SourceLocation?
    public var hint: String?
    /// Always `.usage`: a malformed runbook is unreadable input (exit 2).
    public var exitStatus: ExitStatus { .usage }

    public init(summary: String, location: SourceLocation? = nil, hint: String? = nil) {
        self.summary = summary
        self.location = location
        self.hint = hint
    }

    /// The error for the first error-level diagnostic, with a count of the others.
    init(diagnostics: [Diagnostic]) {
        let errors = diagnostics.filter { $0.severity == .error }
        let first = errors.first!
        summary = first.message
        location = first.location
        let more = errors.count > 1 ? " (\(errors.count - 1) more error\(errors.count == 2 ? "" : "s"))" : ""
        hint =
            (first.hint.map { $0 + "; " } ?? "") + "run `runbook lint \(first.location.file)` to see every problem"
            + more
    }
}

import Foundation

/// What `Linter` found in a set of files.
public struct LintReport: Sendable {
    /// Findings, sorted by file, line and column.
    public var diagnostics: [Diagnostic]
    /// Files that could not be read or are not runbooks at all (binary, not UTF-8, missing).
    public var unreadable: [RunbookParseError]
    /// How many runbook files were checked.
    public var filesChecked: Int
    /// Facts about a directory worth knowing that are not mistakes in a file (no escalation policy found for it):
    /// shown, never counted, never made errors by `--strict`.
    public var notes: [Diagnostic]

    public init(
        diagnostics: [Diagnostic], unreadable: [RunbookParseError], filesChecked: Int, notes: [Diagnostic] = []
    ) {
        self.diagnostics = diagnostics
        self.unreadable = unreadable
        self.filesChecked = filesChecked
        self.notes = notes
    }

    /// Every warning turned into an error (`--strict`).
    public func strict() -> LintReport {
        var copy = self
        copy.diagnostics = diagnostics.map {
            var diagnostic = $0
            diagnostic.severity = .error
            return diagnostic
        }
        return copy
    }

    public var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }
    public var warningCount: Int { diagnostics.filter { $0.severity == .warning }.count }

    /// 2 when some input could not be read, 1 when there are errors, else 0. Warnings alone pass
    /// (use `strict()` to make them count).
    public var exitStatus: ExitStatus {
        if !unreadable.isEmpty { return .usage }
        return errorCount > 0 ? .findings : .success
    }
}

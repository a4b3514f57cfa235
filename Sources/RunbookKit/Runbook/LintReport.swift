import Foundation

/// What `Linter` found in a set of files.
public struct LintReport: Sendable {
    /// Findings, sorted by file, line and column.
    public var diagnostics: [Diagnostic]
    /// Files that could not be read or are not runbooks at all (binary, not UTF-8, missing).
    public var unreadable: [RunbookParseError]
    /// How many runbook files were checked.
    public var filesChecked: Int

    public init(diagnostics: [Diagnostic], unreadable: [RunbookParseError], filesChecked: Int) {
        self.diagnostics = diagnostics
        self.unreadable = unreadable
        self.filesChecked = filesChecked
    }

    /// Every warning turned into an error (`--strict`); notes stay notes.
    public func strict() -> LintReport {
        var copy = self
        copy.diagnostics = diagnostics.map {
            var diagnostic = $0
            if diagnostic.severity == .warning { diagnostic.severity = .error }
            return diagnostic
        }
        return copy
    }

    public var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }
    public var warningCount: Int { diagnostics.filter { $0.severity == .warning }.count }
    public var noteCount: Int { diagnostics.filter { $0.severity == .note }.count }

    /// 2 when some input could not be read, 1 when there are errors, else 0. Warnings alone pass
    /// (use `strict()` to make them count).
    public var exitStatus: ExitStatus {
        if !unreadable.isEmpty { return .usage }
        return errorCount > 0 ? .findings : .success
    }
}

import Foundation

/// A runbook that cannot be found, or a runbooks directory that cannot be read.
public struct RunbookCatalogError: UserFacingError, Sendable {
    public var summary: String
    public var hint: String?
    /// Usage: the name or directory given is wrong (exit 2).
    public var exitStatus: ExitStatus { .usage }

    public init(summary: String, hint: String? = nil) {
        self.summary = summary
        self.hint = hint
    }
}

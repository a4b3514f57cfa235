import Foundation

/// A runbook that cannot be found, or a runbooks directory that cannot be read.
public struct RunbookCatalogError: UserFacingError, Sendable {
    public var summary: String
    public var hint: String?
    /// The name given is the file name of several runbooks: the hint lists their ids.
    public var isAmbiguous = false
    /// Usage: the name or directory given is wrong (exit 2).
    public var exitStatus: ExitStatus { .usage }

    public init(summary: String, hint: String? = nil) {
        self.summary = summary
        self.hint = hint
    }
}

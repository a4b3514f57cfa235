/// What became of a step, manual step or choice in this incident.
public enum ItemStatus: String, Sendable, Hashable, CaseIterable {
    /// Ran with an expected exit code, was confirmed done, or had an option chosen.
    case done
    /// Skipped by the responder (with a reason when given).
    case skipped
    /// Ran and ended with an unexpected exit code, or could not start.
    case failed
}

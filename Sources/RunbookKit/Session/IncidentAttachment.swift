/// `runbook start [RUNBOOK] --incident ID`: a session begins on an incident declared without one (`runbook
/// declare`, `runbook serve`'s Alertmanager intake) instead of declaring a new incident.
public struct IncidentAttachment: Sendable, Hashable {
    /// The runbook to walk; `nil` walks the incident's own. Another than the incident's is recorded in
    /// `runbook.opened` (`declared_runbook`), so the transcript says which runbook was walked.
    public var runbookID: String?

    /// An attachment opening `runbookID` (the incident's runbook when `nil`).
    public init(runbookID: String? = nil) {
        self.runbookID = runbookID
    }
}

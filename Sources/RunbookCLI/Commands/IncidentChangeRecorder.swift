import Foundation
import RunbookKit

/// Records a severity or status change made from any terminal (`runbook sev`, `runbook status`), attributed to
/// whoever runs it (`user@host`, as `note` and `ack` are), on an SQLite file or a PostgreSQL store. The driver's
/// REPL shows it at its next prompt.
///
/// On a store with the escalation tables, an incident that has an escalation policy changes through its
/// `EscalationScheduler`, as the REPL's `sev` and `resolve` do: the response timer is rescheduled or cancelled in
/// the same transaction, and the channels that need to hear it are queued for the escalator.
enum IncidentChangeRecorder {
    /// Exit codes of both commands.
    static let exitCodes =
        "Exit codes: 0 recorded (or nothing to change), 2 no such incident or a bad word, 4 database unusable, "
        + "5 the incident is already resolved or abandoned."

    /// Opens the store, checks the incident is open, and records what `change` returns for it (nothing for `nil`).
    /// Returns the incident as it was and the events recorded.
    static func record(
        _ global: GlobalOptions, incidentID: Int64,
        change: (Incident) throws -> (draft: EventDraft, severity: Severity?)?
    ) throws -> (before: Incident, recorded: [RecordedEvent]) {
        let environment = ProcessInfo.processInfo.environment
        let (store, name) = try StoreOpener.openTranscript(global, redactor: StoreOpener.recordingRedactor(global))
        guard let incident = try store.incident(incidentID) else {
            throw TranscriptError.unknownIncident(id: incidentID, path: name)
        }
        guard incident.status != .resolved, incident.status != .abandoned else {
            throw EscalationError.alreadyResolved(incidentID: incidentID)
        }
        guard let (draft, severity) = try change(incident) else { return (incident, []) }
        let actor = ResponderIdentity.current(environment: environment).actor
        guard let escalation = store as? any EscalationStore, incident.policySnapshot != nil,
            draft.type == .severityChanged || draft.type == .incidentResolved
        else {
            return (incident, [try store.append(draft, to: incidentID, actor: actor, at: Date())])
        }
        let configuration = try NotifierConfiguration.load(runbooksDirectory: global.runbooksDirectory)
        // A drill's changes are on its drill clock, like the rest of the drill.
        let drillClock = try DrillSetup.recorded(incidentID: incidentID, in: store)?.clock
        let scheduler = EscalationScheduler(
            store: escalation, configuration: configuration, clock: drillClock ?? SystemClock(),
            wallClock: drillClock ?? SystemClock(), environment: environment, actor: actor, delivering: false)
        let report: EscalationScheduler.Report
        if let severity {
            report = try scheduler.changeSeverity(
                incidentID: incidentID, to: severity, reason: draft.payload["reason"]?.stringValue ?? "")
        } else {
            report = try scheduler.resolve(incidentID: incidentID, by: actor, payload: draft.payload)
        }
        if !report.notifications.isEmpty, let sqlite = store as? SQLiteTranscriptStore {
            // The escalator delivers them (and retries); `runbook escalations ID` shows what became of them.
            _ = EscalatorLauncher.ensureRunning(
                store: sqlite, databasePath: sqlite.path, runbooksDirectory: global.runbooksDirectory)
        }
        return (incident, report.events)
    }
}

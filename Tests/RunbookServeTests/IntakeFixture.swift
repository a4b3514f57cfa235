import Foundation
import RunbookCLI
import RunbookKit
import RunbookServe
import RunbookTestSupport

/// A real SQLite store in a scratch directory, with runbooks and an escalation matrix, and the intake over it as
/// `runbook serve` builds it (declaring through `IncidentDeclarer`, as `runbook declare` does).
struct IntakeFixture {
    let scratch: ScratchRunbooks
    let store: SQLiteTranscriptStore
    let intake: AlertIntake

    init(configuration: ServeConfiguration = ServeConfiguration()) throws {
        scratch = try ScratchRunbooks("serve-intake")
        let runbooks = scratch.runbooks.path
        try FileManager.default.createDirectory(
            atPath: runbooks + "/alerts/k8s", withIntermediateDirectories: true)
        try "# Crash loop\n\n```bash\necho check\n```\n".write(
            toFile: runbooks + "/alerts/k8s/KubePodCrashLooping.md", atomically: true, encoding: .utf8)
        try "# Outage\n\n```bash\necho check\n```\n".write(
            toFile: runbooks + "/outage.md", atomically: true, encoding: .utf8)
        try ScratchRunbooks.escalationMatrix(p0: "5 minutes", p1: "15 minutes").write(
            toFile: runbooks + "/escalation.md", atomically: true, encoding: .utf8)
        let store = try SQLiteTranscriptStore(path: scratch.database, redactor: Redactor())
        self.store = store
        let identity = ResponderIdentity(user: "alertmanager", host: "test")
        intake = AlertIntake(
            store: store, configuration: configuration, identity: identity,
            matcher: { AlertRunbookMatcher(directory: runbooks) },
            declare: { declaration in
                try IncidentDeclarer.declare(declaration, in: store, runbooksDirectory: runbooks, actor: identity.actor)
                {
                    _ in
                }.incident
            })
    }

    func receive(_ body: Data) throws -> AlertIntake.Outcome {
        try intake.receive(AlertmanagerWebhook.parse(body))
    }

    /// The texts of the incident's notes, in order.
    func notes(_ incidentID: Int64) throws -> [String] {
        try store.events(incidentID: incidentID).filter { $0.type == .noteAdded }.compactMap {
            $0.payload["text"]?.stringValue
        }
    }
}

import ArgumentParser
import Foundation
import RunbookKit

/// `runbook incidents`: the incidents in the transcript database, newest first.
struct IncidentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incidents",
        abstract: "List incidents, newest first.",
        discussion: """
            Shows id, title, severity, status, environment, whether it is a drill, when it was declared (UTC) \
            and how long it lasted (or has lasted so far, while open).
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Only incidents still open or mitigated.")
    var open = false

    @Flag(help: "Only drills.")
    var drill = false

    @Option(help: "table or json.")
    var format: OutputFormat = .table

    func run() throws {
        let store = try StoreOpener.openEvidence(global)
        let name = store.storeName
        let incidents = try store.incidents(openOnly: open, drillsOnly: drill)
        let now = Date()
        switch format {
        case .json:
            print(try TranscriptText.json(incidents.map { IncidentJSON($0, now: now) }))
        case .table:
            guard !incidents.isEmpty else {
                print("No incidents\(open || drill ? " match" : " yet") in \(name).")
                return
            }
            print(
                TranscriptText.table(
                    header: ["ID", "TITLE", "SEV", "STATUS", "ENV", "DRILL", "DECLARED", "DURATION"],
                    rows: incidents.map { incident in
                        [
                            String(incident.id),
                            TranscriptText.truncate(ControlCharacters.oneLine(incident.title), to: 40),
                            incident.severity.rawValue, incident.status.rawValue,
                            ControlCharacters.oneLine(incident.environment),
                            incident.isDrill ? "yes" : "no", TranscriptText.utc(incident.declaredAt),
                            TranscriptText.duration(
                                (incident.resolvedAt ?? now).timeIntervalSince(incident.declaredAt)),
                        ]
                    }))
        }
    }
}

/// An incident as `--format json` prints it.
struct IncidentJSON: Encodable {
    var id: Int64
    var title: String
    var runbook: String
    var environment: String
    var severity: String
    var status: String
    var drill: Bool
    var declaredAt: String
    var acknowledgedAt: String?
    var mitigatedAt: String?
    var resolvedAt: String?
    var durationSeconds: Int
    var host: String
    var user: String
    var policy: JSONValue?

    init(_ incident: Incident, now: Date) {
        id = incident.id
        title = incident.title
        runbook = incident.runbook
        environment = incident.environment
        severity = incident.severity.rawValue
        status = incident.status.rawValue
        drill = incident.isDrill
        declaredAt = TranscriptText.iso(incident.declaredAt)
        acknowledgedAt = incident.acknowledgedAt.map(TranscriptText.iso)
        mitigatedAt = incident.mitigatedAt.map(TranscriptText.iso)
        resolvedAt = incident.resolvedAt.map(TranscriptText.iso)
        durationSeconds = Int((incident.resolvedAt ?? now).timeIntervalSince(incident.declaredAt))
        host = incident.host
        user = incident.user
        policy = incident.policySnapshot
    }

    enum CodingKeys: String, CodingKey {
        case id, title, runbook, environment, severity, status, drill, host, user, policy
        case declaredAt = "declared_at", acknowledgedAt = "acknowledged_at", mitigatedAt = "mitigated_at"
        case resolvedAt = "resolved_at", durationSeconds = "duration_seconds"
    }
}

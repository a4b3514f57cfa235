import ArgumentParser
import Foundation
import RunbookKit

/// `runbook declare`: opens an incident without a runbook session, and prints its id.
struct DeclareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "declare",
        abstract: "Declare an incident and print its id.",
        discussion: """
            Records incident.declared and prints the new incident's id on stdout, so scripts can capture it:

              ID=$(runbook declare --title "API down" --severity P1 --env production)
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "What is happening, in a few words.")
    var title: String

    @Option(help: "P0, P1, P2 or P3.", completion: ShellCompletion.severities)
    var severity: String

    @Option(name: .customLong("env"), help: "The environment affected (production, staging, …).")
    var environment: String

    @Option(help: "The runbook being followed, if any.")
    var runbook: String = ""

    @Flag(help: "Mark the incident as a drill.")
    var drill = false

    func validate() throws {
        guard Severity(parsing: severity) != nil else {
            throw ValidationError("--severity must be P0, P1, P2 or P3, not \(severity).")
        }
        guard !title.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError("--title must not be empty.")
        }
    }

    func run() throws {
        if drill, try ProductionEnvironments.load(runbooksDirectory: global.runbooksDirectory).contains(environment) {
            throw DrillError.productionRefused(environment: EnvironmentName.trimmed(environment))
        }
        let store = try StoreOpener.open(global, redactor: StoreOpener.recordingRedactor(global))
        let identity = ResponderIdentity.current()
        let declaration = IncidentDeclaration(
            title: title, runbook: runbook, environment: EnvironmentName.trimmed(environment),
            severity: Severity(parsing: severity)!,
            isDrill: drill, host: identity.host, user: identity.user)
        let (incident, armed) = try IncidentDeclarer.declare(
            declaration, in: store, runbooksDirectory: global.runbooksDirectory, actor: identity.actor
        ) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        if armed {
            EscalatorLauncher.ensureRunning(
                store: store, databasePath: store.path, runbooksDirectory: global.runbooksDirectory)
        }
        print(incident.id)
    }
}

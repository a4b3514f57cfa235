import ArgumentParser
import Foundation
import RunbookKit

/// `runbook sev ID P0..P3 [WHY]`: change an incident's severity from any terminal.
struct SevCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sev",
        abstract: "Change an incident's severity from any terminal.",
        discussion: """
            Records severity.changed, attributed to you (user@host), as the REPL's `sev` does; the driver sees \
            it at the next prompt. With an escalation policy, the response timer is rescheduled by the new \
            severity, and an upgrade while unacknowledged pages the new row. Setting the current severity \
            again records nothing. Works with --db postgres://… too.

              runbook sev 12 P0 checkout is down in every region

            \(IncidentChangeRecorder.exitCodes)
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(
        help: ArgumentHelp("The incident id (`runbook incidents --open` lists them).", valueName: "ID"),
        completion: ShellCompletion.incidentIDs)
    var incident: Int64

    @Argument(help: ArgumentHelp("The new severity: P0, P1, P2 or P3.", valueName: "severity"))
    var severity: String

    @Argument(help: "Why (words are joined with spaces).")
    var reason: [String] = []

    func run() throws {
        let severity = try IncidentChange.severity(parsing: self.severity)
        let why = reason.joined(separator: " ")
        let (before, recorded) = try IncidentChangeRecorder.record(global, incidentID: incident) { incident in
            IncidentChange.severity(from: incident.severity, to: severity, reason: why).map { ($0, severity) }
        }
        guard let event = recorded.first(where: { $0.type == .severityChanged }) else {
            print("Incident \(incident) is already \(severity.rawValue).")
            return
        }
        print("#\(event.sequence) incident \(incident): severity \(before.severity.rawValue) → \(severity.rawValue)")
        for page in recorded where page.type == .escalationTriggered {
            if let line = EscalationBanner.text(for: page, incidentID: incident, isDrill: before.isDrill) {
                print(line)
            }
        }
    }
}

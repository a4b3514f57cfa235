import ArgumentParser
import Foundation
import RunbookKit

/// `runbook escalations ID`: the policy snapshot, timers, acknowledgement and notifications of an incident.
struct EscalationsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "escalations",
        abstract: "Show an incident's escalation: policy snapshot, timers, acknowledgement, notifications.",
        discussion: "Exit codes: 0 shown, 2 no such incident, 4 database unusable.")

    @OptionGroup var global: GlobalOptions

    @Argument(
        help: ArgumentHelp("The incident id.", valueName: "ID"), completion: ShellCompletion.incidentIDs)
    var id: Int64

    func run() throws {
        let store = try StoreOpener.openEvidence(global)
        guard let incident = try store.incident(id), let state = try store.escalationState(incidentID: id) else {
            throw EscalationError.unknownIncident(incidentID: id)
        }
        print(
            EscalationsView.render(
                incident: incident, state: state, timers: try store.timers(incidentID: id),
                outbox: try store.outbox(incidentID: id), now: Date()))
    }
}

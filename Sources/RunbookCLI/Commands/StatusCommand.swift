import ArgumentParser
import Foundation
import RunbookKit

/// `runbook status ID [WORD [WHY]]`: an incident's status, or a change of it, from any terminal.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show an incident's status, or change it from any terminal.",
        discussion: """
            Without WORD, prints the incident's status, severity and when it was acknowledged, mitigated and \
            resolved. With WORD, records the change, attributed to you (user@host), as the REPL's words do; the \
            driver sees it at the next prompt:

              mitigated   the impact is over (status.changed)
              resolved    close the incident; WHY is its summary (incident.resolved; the escalation stops)
              abandoned   drills only: stop the drill without resolving it (status.changed)

            Works with --db postgres://… too.

            \(IncidentChangeRecorder.exitCodes)
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(
        help: ArgumentHelp("The incident id (`runbook incidents --open` lists them).", valueName: "ID"),
        completion: ShellCompletion.incidentIDs)
    var incident: Int64

    @Argument(help: ArgumentHelp("mitigated, resolved or abandoned.", valueName: "word"))
    var word: String?

    @Argument(help: "Why, or the summary of a resolution (words are joined with spaces).")
    var reason: [String] = []

    func validate() throws {
        if word == nil && !reason.isEmpty { throw ValidationError("Give a status WORD before the reason.") }
    }

    func run() throws {
        guard let word else { return try show() }
        let status = try IncidentChange.status(parsing: word)
        let why = reason.joined(separator: " ")
        let (before, recorded) = try IncidentChangeRecorder.record(global, incidentID: incident) { incident in
            try IncidentChange.status(from: incident.status, to: status, reason: why, isDrill: incident.isDrill)
                .map { ($0, nil) }
        }
        guard
            let event = recorded.first(where: { $0.type == .statusChanged || $0.type == .incidentResolved })
        else {
            print("Incident \(incident) is already \(status.rawValue).")
            return
        }
        print("#\(event.sequence) incident \(incident): \(before.status.rawValue) → \(status.rawValue)")
    }

    private func show() throws {
        let store = try StoreOpener.openEvidence(global)
        let name = store.storeName
        guard let found = try store.incident(incident) else {
            throw TranscriptError.unknownIncident(id: incident, path: name)
        }
        var times: [(String, Date?)] = [("declared", found.declaredAt), ("acknowledged", found.acknowledgedAt)]
        times += [("mitigated", found.mitigatedAt), (found.status.rawValue, found.resolvedAt)]
        let facts =
            [
                "incident \(found.id): \(found.status.rawValue) · \(found.severity.rawValue) · \(ControlCharacters.oneLine(found.title))"
            ]
            + times.compactMap { label, time in
                time.map { label.padding(toLength: 14, withPad: " ", startingAt: 0) + TranscriptText.utc($0) }
            }
        print(facts.joined(separator: "\n"))
    }
}

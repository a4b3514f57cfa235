import ArgumentParser
import Foundation
import RunbookKit

/// `runbook cause ID TEXT`: a root cause or contributing factor, for the postmortem.
struct CauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cause",
        abstract: "Record a root cause or contributing factor of an incident (for the postmortem).",
        discussion: """
            Records cause.added; the export lists every cause under "Root causes and contributing factors". \
            Works on an open or a resolved incident.

            \(FactRecorder.exitCodes)
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The incident id.", valueName: "ID"))
    var incident: Int64

    @Argument(help: "The cause (words are joined with spaces).")
    var text: [String] = []

    func run() throws {
        try FactRecorder.record(global, incident: incident) { _, _ in try IncidentFact.cause(words: text) }
    }
}

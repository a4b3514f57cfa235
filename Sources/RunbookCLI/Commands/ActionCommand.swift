import ArgumentParser
import Foundation
import RunbookKit

/// `runbook action ID TEXT [--owner NAME] [--priority P] [--ticket T]`: an action item for the postmortem.
struct ActionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "action",
        abstract: "Record an action item of an incident, with its owner, priority and ticket (for the postmortem).",
        discussion: """
            Records action.added; the export's action items table lists each with its owner, priority and ticket \
            (notes starting with TODO: or action: are listed there too, without them). Works on an open or a \
            resolved incident.

            \(FactRecorder.exitCodes)
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The incident id.", valueName: "ID"))
    var incident: Int64

    @OptionGroup var item: ActionOptions

    func run() throws {
        try FactRecorder.record(global, incident: incident) { _, _ in try item.fact() }
    }
}

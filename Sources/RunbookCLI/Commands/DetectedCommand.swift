import ArgumentParser
import Foundation
import RunbookKit

/// `runbook detected ID TIME [HOW]`: when (and how) the problem was noticed, for the postmortem.
struct DetectedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detected",
        abstract: "Record when and how an incident was detected (for the postmortem and time to detect).",
        discussion: """
            Records incident.detected. The export's Detection section and its time to detect read the last one \
            recorded, so a second one corrects the first. HOW, when given, says how it was noticed (an alert, a customer).

            \(FactRecorder.timeHelp)

            \(FactRecorder.exitCodes)
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The incident id.", valueName: "ID"))
    var incident: Int64

    @Argument(
        parsing: .allUnrecognized,
        help: ArgumentHelp("TIME, then optionally how it was noticed.", valueName: "TIME [HOW]"))
    var words: [String] = []

    func run() throws {
        try FactRecorder.record(global, incident: incident) { now, declaredAt in
            try IncidentFact.timed("detected", words: words, now: now, declaredAt: declaredAt)
        }
    }
}

import ArgumentParser
import Foundation
import RunbookKit

/// `runbook impact-start ID TIME [TEXT]`: when the impact began, for the postmortem's impact and time to detect.
struct ImpactStartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "impact-start",
        abstract: "Record when an incident's impact began (for the postmortem and time to detect).",
        discussion: """
            Records impact.started. The export's Impact section and its time to detect read the last one recorded, \
            so a second impact-start corrects the first. TEXT, when given, says what the impact was.

            \(FactRecorder.timeHelp)

            \(FactRecorder.exitCodes)
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The incident id.", valueName: "ID"))
    var incident: Int64

    @Argument(
        parsing: .allUnrecognized,
        help: ArgumentHelp("TIME, then optionally what the impact was.", valueName: "TIME [TEXT]"))
    var words: [String] = []

    func run() throws {
        try FactRecorder.record(global, incident: incident) { now, declaredAt in
            try IncidentFact.timed("impact-start", words: words, now: now, declaredAt: declaredAt)
        }
    }
}

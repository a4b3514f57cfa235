import ArgumentParser
import Foundation
import RunbookKit

/// `runbook show RUNBOOK`: the parsed runbook as a responder will meet it.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a runbook as the responder will see it: sections, numbered steps, manual steps, choices.",
        discussion: """
            RUNBOOK is an id from `runbook list` (outage), a file name (outage.md) or a path to a file.
            Exit status: 0, or 2 when the runbook is missing or has errors (see `runbook lint`).
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The runbook to show.", valueName: "runbook"))
    var runbook: String

    func run() throws {
        // A path is read as it is; a name is looked up in the runbooks directory.
        let found =
            runbook.contains("/")
            ? try RunbookParser.parse(contentsOf: runbook)
            : try RunbookCatalog(directory: global.runbooksDirectory).runbook(id: runbook)
        let text = RunbookRenderer(style: .detect()).render(found)
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

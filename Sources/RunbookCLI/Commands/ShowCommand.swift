import ArgumentParser
import Foundation
import RunbookKit

/// `runbook show RUNBOOK`: the parsed runbook as a responder will meet it.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a runbook as the responder will see it: sections, numbered steps, manual steps, choices.",
        discussion: """
            RUNBOOK is an id from `runbook list` (outage, alerts/etcd/EtcdDown), a file name alone when no other \
            runbook has it (EtcdDown), or a path to a *.md file anywhere (relative or absolute).

            Exit status: 0, or 2 when the runbook is missing, ambiguous or has errors (see `runbook lint`).
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(
        help: ArgumentHelp("The runbook to show.", valueName: "runbook"), completion: ShellCompletion.runbookIDs)
    var runbook: String

    func run() throws {
        // A path is read as it is; an id is looked up in the runbooks directory.
        let address = try RunbookAddress.resolve(runbook, runbooksDirectory: global.runbooksDirectory)
        let found: Runbook
        if let path = address.path {
            found = try RunbookCatalog.parse(path, id: address.id)
        } else {
            found = try RunbookCatalog(directory: address.root).runbook(id: address.id)
        }
        let text = RunbookRenderer(style: .detect()).render(found)
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

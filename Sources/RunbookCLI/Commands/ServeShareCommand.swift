import ArgumentParser
import Foundation
import RunbookKit

/// `runbook serve share`: creates and revokes the share links of incident pages (`ShareLinks`), which `runbook
/// serve` reads on each request, so a link works or stops working at once, without a restart.
struct ServeShareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "share",
        abstract: "Create a read-only share link to an incident's live page, or revoke one.",
        discussion: """
            Prints the link's path, /s/ and a random 128-bit id; whoever has it sees the incident's page (and its \
            report) without the service's token, until it is revoked. Only a hash of the id is stored, in the \
            store (an SQLite file or a postgres:// store), so the id is shown once. Use the --db of the service.

              runbook serve share 12              # /s/3f9c…
              runbook serve share --revoke /s/3f9c…
              runbook serve share 12 --revoke-all

            Exit codes: 0 done, 2 bad options, no such incident or no such link, 4 store unusable.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(
        help: ArgumentHelp("The incident id.", valueName: "ID"), completion: ShellCompletion.incidentIDs)
    var incident: Int64?

    @Option(help: ArgumentHelp("Revoke this link (its address or its id).", valueName: "link"))
    var revoke: String?

    @Flag(help: "Revoke every link to incident ID.")
    var revokeAll = false

    func validate() throws {
        if revoke != nil && (incident != nil || revokeAll) {
            throw ValidationError("--revoke takes the link alone: no ID, no --revoke-all.")
        }
        if revoke == nil && incident == nil { throw ValidationError("Missing the incident ID (or --revoke LINK).") }
    }

    func run() throws {
        let store = try StoreOpener.open(global)
        let links = ShareLinks(store: store)
        if let revoke {
            guard try links.revoke(revoke) else { throw ShareLinkError.noSuchLink(revoke) }
            print("revoked")
            return
        }
        guard let incident else { return }
        guard try store.incident(incident) != nil else {
            throw TranscriptError.unknownIncident(id: incident, path: store.storeName)
        }
        if revokeAll {
            print("revoked \(try links.revokeAll(incidentID: incident)) link(s) to incident \(incident)")
            return
        }
        print("/s/" + (try links.create(incidentID: incident)))
    }
}

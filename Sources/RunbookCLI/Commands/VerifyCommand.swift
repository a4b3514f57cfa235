import ArgumentParser
import Foundation
import RunbookKit
import RunbookPostgres

/// `runbook verify`: checks the hash chain of one incident or of all.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that transcripts were not changed after they were written.",
        discussion: """
            Recomputes each event's SHA-256 over the previous hash and the event, each command's output \
            against the digest in its command.finished event, and the incident row against its events. \
            Opens the database read-only. Exits 0 when every chain is intact, 1 when one is broken, \
            naming the first broken event's sequence number (or the command's, or the row's column).

            The chain alone cannot show a cut-off tail or a chain rewritten with every hash recomputed. \
            --anchor checks the incident against a chain head kept outside the database: the anchor log \
            (<database>.anchors, or a copy shipped elsewhere; every line for the incident is checked), a \
            JSON export (its chain_head), or SEQ:HASH as an export or a notification gives it. Exits 1 when \
            an anchor disagrees (TRUNCATED: the anchored event is gone; REWRITTEN: it has another hash), 2 \
            when the anchor cannot be read.

            Head signatures (chain.signed, made at resolve and handoff by responders who ran `runbook keys \
            init`) are checked and listed. An invalid one breaks the chain. --trust FILE also requires at \
            least one signature by a key in FILE, and none by any other key (exit 1 otherwise).
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(
        help: ArgumentHelp("The incident id.", valueName: "ID"), completion: ShellCompletion.incidentIDs)
    var incident: Int64?

    @Flag(help: "Verify every incident.")
    var all = false

    @Option(
        help: ArgumentHelp(
            "Also check the incident against a chain head kept elsewhere: an anchor log, a JSON export, or SEQ:HASH.",
            valueName: "file|seq:hash"))
    var anchor: String?

    @Option(
        help: ArgumentHelp(
            "Require a head signature by one of the keys in this file (lines printed by `runbook keys show`).",
            valueName: "file"))
    var trust: String?

    func validate() throws {
        if all == (incident != nil) { throw ValidationError("Give an incident id or --all (one of them).") }
        if anchor != nil, incident == nil { throw ValidationError("--anchor checks one incident: give its id.") }
    }

    func run() throws {
        let location = StoreOpener.location(global)
        if anchor != nil, location.isPostgres {
            // The anchor log is a file beside an SQLite database; a PostgreSQL store has none yet.
            throw PostgresStoreError.unsupported(
                feature: "--anchor (anchor logs are kept beside an SQLite file)",
                location: PostgresLocation.withoutPassword(location.path))
        }
        let store = try StoreOpener.openEvidence(global)
        let path = store.storeName
        let results = try incident.map { [try store.verify(incidentID: $0)] } ?? store.verifyAll()
        for result in results {
            if let sequence = result.firstBrokenSequence {
                print("incident \(result.incidentID): BROKEN at event #\(sequence): \(result.reason ?? "")")
            } else {
                print("incident \(result.incidentID): intact (\(result.eventCount) events)")
            }
            for note in result.notes { print("incident \(result.incidentID): note: \(note)") }
        }
        let untrusted = try checkSignatures(results)
        var anchorChecks: [AnchorCheck] = []
        if let incident, let sqlite = store as? SQLiteTranscriptStore {
            anchorChecks = try checkAnchors(of: incident, in: sqlite)
        }
        let broken = results.filter { !$0.isIntact }
        if !broken.isEmpty { throw BrokenChain(results: broken, path: path) }
        if let disagreeing = anchorChecks.first(where: { !$0.holds }) {
            throw AnchorDisagrees(check: disagreeing, count: anchorChecks.filter { !$0.holds }.count, path: path)
        }
        if let untrusted { throw untrusted }
    }
}

/// A broken hash chain: exit 1 (findings), with what to do about it.
struct BrokenChain: UserFacingError {
    var results: [VerificationResult]
    var path: String

    var summary: String {
        let first = results[0]
        let more = results.count > 1 ? " (and \(results.count - 1) more incident(s))" : ""
        return "the transcript of incident \(first.incidentID) in \(path) was changed after it was written: "
            + "first broken link at event #\(first.firstBrokenSequence ?? 0)\(more)"
    }

    var hint: String? {
        "keep the file unchanged as evidence and compare it with a backup or export; events before the broken one are intact."
    }

    var exitStatus: ExitStatus { .findings }
}

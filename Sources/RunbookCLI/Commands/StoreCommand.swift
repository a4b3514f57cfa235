import ArgumentParser
import Foundation
import RunbookKit
import RunbookPostgres

/// `runbook store`: operations on a whole transcript store.
struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Operate on a whole transcript store (copy it between SQLite and PostgreSQL).",
        subcommands: [Copy.self])

    /// `runbook store copy`: every incident of one store into another, as stored.
    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy every incident, its events and its output from one store into another.",
            discussion: """
                Moves a team from SQLite files to PostgreSQL, or back. Each of --from and --to is an SQLite \
                path or a postgres:// URL. Every incident is copied exactly as stored: its id, every event \
                (sequence, time, actor, payload, prev_hash, hash: nothing is re-hashed or re-redacted) and its \
                command output, one transaction per incident. Each copy is then verified on the destination, \
                and a summary printed.

                Only incidents, events and output are copied: not the escalation tables (timers, the \
                notification outbox, the escalator's lease) nor the driver leases.

                Incident ids are part of every event's hash, so they are kept, and a destination that already \
                holds one of the ids or incident keys is refused before anything is written (exit 5): copy into \
                a new SQLite file or an empty database or schema. A source whose chain does not verify is \
                refused (exit 1) unless --allow-broken. The source is only read. On PostgreSQL, the destination \
                needs the owner role (it creates the tables and moves the id sequence). Exit 4: a store cannot \
                be opened.

                  runbook store copy --from runbook.sqlite3 --to postgres://owner@db/runbook
                """)

        @Option(
            help: ArgumentHelp("The store to copy from: an SQLite path or a postgres:// URL.", valueName: "store"))
        var from: String

        @Option(help: ArgumentHelp("The store to copy into: an SQLite path or a postgres:// URL.", valueName: "store"))
        var to: String

        @Flag(help: "Copy incidents whose chain does not verify as they are (they verify as broken on the copy too).")
        var allowBroken = false

        func run() throws {
            let environment = ProcessInfo.processInfo.environment
            let source = try Self.open(from, destination: false, environment: environment)
            let destination = try Self.open(to, destination: true, environment: environment)
            guard source.name != destination.name else { throw TranscriptCopyError.sameStore(name: source.name) }
            let copier = TranscriptCopier(
                from: source.store, named: source.name, to: destination.store, named: destination.name)
            let summary = try copier.copy(allowBroken: allowBroken) { incident, result in
                let state =
                    result.isIntact
                    ? "verified" : "BROKEN at event #\(result.firstBrokenSequence ?? 0), as in the source"
                print(
                    "incident \(incident.id): \(incident.events.count) events, \(incident.outputBytes) output bytes, "
                        + state)
            }
            print(
                "copied \(summary.incidents) incidents, \(summary.events) events, \(summary.outputBytes) output bytes "
                    + "from \(source.name) to \(destination.name); verified \(summary.verified) of "
                    + "\(summary.incidents)")
        }

        /// Opens one side: the source as evidence (read-only, nothing created or migrated), the destination
        /// creating the file or the tables when missing. Neither redacts: the copy is as stored.
        static func open(_ text: String, destination: Bool, environment: [String: String]) throws -> (
            store: any TranscriptCopying, name: String
        ) {
            if PostgresLocation.isPostgresURL(text) {
                let store = try PostgresTranscriptStore(
                    location: PostgresLocation(url: text, environment: environment), redactor: nil,
                    migrating: destination)
                return (store, store.location.description)
            }
            let timeout = StoreOpener.busyTimeout(environment: environment)
            let store =
                destination
                ? try SQLiteTranscriptStore(path: text, redactor: nil, busyTimeout: timeout)
                : try SQLiteTranscriptStore(readingEvidenceAt: text, busyTimeout: timeout)
            return (store, store.path)
        }
    }
}

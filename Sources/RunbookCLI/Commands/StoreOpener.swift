import Foundation
import RunbookKit
import RunbookPostgres

/// Opens the transcript store the way every command does: `--db`, `$RUNBOOK_DB`, `./transcripts/`, the state directory.
///
/// `$RUNBOOK_DB_TIMEOUT` (seconds, default 10) sets how long one attempt waits for another process's
/// write lock; a write makes three attempts before it reports the database as locked.
public enum StoreOpener {
    /// The default busy timeout, in seconds.
    public static let defaultTimeout: TimeInterval = 10

    /// Where the database is for these options, in this environment and directory.
    public static func location(
        _ global: GlobalOptions, environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) -> DatabaseLocation {
        DatabaseLocation.resolve(flag: global.db, environment: environment, currentDirectory: currentDirectory)
    }

    /// Opens (creating when missing) the store for these options: the SQLite file, or the PostgreSQL server for a
    /// `postgres://` URL (team mode, docs/team.md). The store redacts everything written through it; by default
    /// with the known secret patterns (`password=…`, bearer tokens, keys), so a secret typed into a title or a note
    /// never reaches the database.
    public static func open(
        _ global: GlobalOptions, redactor: (any TextRedacting)? = Redactor(),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> any TeamStore {
        try open(location(global, environment: environment), redactor: redactor, environment: environment)
    }

    /// `open` at a location already resolved (a session's `--db`).
    public static func open(
        _ location: DatabaseLocation, redactor: (any TextRedacting)?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> any TeamStore {
        if location.isPostgres {
            return try openPostgres(location, redactor: redactor, environment: environment)
        }
        let store = try SQLiteTranscriptStore(
            path: location.path, redactor: redactor, busyTimeout: busyTimeout(environment: environment))
        // A failed anchor-log append never loses the event; the responder is told, once per failure.
        store.anchorLogFailure = { error in
            FileHandle.standardError.write(Data("warning: \(error.summary)\n  hint: \(error.hint ?? "")\n".utf8))
        }
        return store
    }

    /// Opens the existing store for these options read-only, as evidence (`verify`, `export`, `transcript`,
    /// `incidents`, `search`, `escalations`): nothing is created, migrated or written. A missing SQLite file is
    /// `TranscriptError.missingDatabase` (exit 4), so a mistyped `--db` creates nothing; a PostgreSQL database
    /// without the schema is refused the same way.
    public static func openEvidence(
        _ global: GlobalOptions, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> any TeamStore {
        let location = location(global, environment: environment)
        if location.isPostgres {
            return try openPostgres(location, redactor: nil, environment: environment, migrating: false)
        }
        return try SQLiteTranscriptStore(
            readingEvidenceAt: location.path, busyTimeout: busyTimeout(environment: environment))
    }

    /// Opens the PostgreSQL store at a `postgres://` location, applying the migrations it lacks; with
    /// `migrating: false` (evidence) changing nothing.
    public static func openPostgres(
        _ location: DatabaseLocation, redactor: (any TextRedacting)? = Redactor(),
        environment: [String: String] = ProcessInfo.processInfo.environment, migrating: Bool = true
    ) throws -> PostgresTranscriptStore {
        // A lost connection (the server restarting) is retried for RUNBOOK_DB_RETRY seconds, said on stderr.
        try PostgresTranscriptStore(
            location: PostgresLocation(url: location.path, environment: environment), redactor: redactor,
            migrating: migrating,
            reconnectTimeout: PostgresTranscriptStore.reconnectTimeout(environment: environment),
            reachabilityChanged: StoreReachabilityReport.print)
    }

    /// The redactor of a one-shot command that records (`note`, `ack`, `declare`): the patterns, the runbooks
    /// directory's `redaction.yaml` (a bad one stops the command, exit 2, as it stops a session), and the values of
    /// the variables `notifiers.yaml` names, so a note quoting a routing key is stored redacted.
    public static func recordingRedactor(
        _ global: GlobalOptions, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> Redactor {
        let redactor = try Redactor(directory: global.runbooksDirectory)
        // A notifiers.yaml that does not load names no secret here; `runbook escalator` reports it.
        try? NotifierConfiguration.load(runbooksDirectory: global.runbooksDirectory)
            .registerSecrets(with: redactor, environment: environment)
        return redactor
    }

    /// `$RUNBOOK_DB_TIMEOUT` when it is a positive number of seconds, else the default.
    public static func busyTimeout(environment: [String: String]) -> TimeInterval {
        guard let text = environment["RUNBOOK_DB_TIMEOUT"], let value = TimeInterval(text), value > 0 else {
            return defaultTimeout
        }
        return value
    }
}

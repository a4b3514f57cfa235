import Foundation
import RunbookKit
import RunbookPostgres

/// Makes sure an escalator runs for a store: what `start`, `resume`, `drill`, `declare`, `record` and `ack` call
/// after they open it, so that a single laptop needs no set-up.
///
/// When no live escalator holds the store's lease, one is started detached: its own session (no controlling
/// terminal, so a closed terminal or a lost SSH session does not hang it up), stdin from /dev/null, its log
/// appended to `DB.escalator.log` (0600) beside the database, and it exits by itself once the store has had no open
/// incident and nothing to deliver for a minute. `RUNBOOK_ESCALATOR=off` never starts one (a service runs it, see
/// docs/escalation.md); the REPL then warns when none is running.
public enum EscalatorLauncher {
    /// What `ensureRunning` found or did.
    public enum Outcome: Equatable, Sendable {
        /// A live escalator holds the lease.
        case running(pid: Int32, host: String)
        /// None was running; one was started with this pid.
        case started(pid: Int32)
        /// None is running and none was started (`RUNBOOK_ESCALATOR=off`, an in-memory store).
        case notRunning
        /// Starting one failed.
        case failed(String)
    }

    /// A heartbeat older than this means the escalator is gone.
    public static let staleAfter: TimeInterval = 5
    /// How long an auto-started escalator waits with nothing to do before it exits.
    public static let idleExit: TimeInterval = 60

    /// Whether `RUNBOOK_ESCALATOR` allows starting one (anything but `off`, `0`, `no`, `false`).
    public static func autoStartEnabled(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        let value = environment["RUNBOOK_ESCALATOR"]?.trimmingCharacters(in: .whitespaces).lowercased() ?? "auto"
        return !["off", "0", "no", "false"].contains(value)
    }

    /// The live holder of the store's lease, if any.
    public static func liveLease(store: any EscalatorStore, now: Date = Date()) -> EscalatorLease? {
        guard let lease = try? store.escalatorLease(), lease.isLive(at: now, staleAfter: staleAfter) else {
            return nil
        }
        if lease.host == ProcessInfo.processInfo.hostName && !Escalator.processIsAlive(lease.pid) { return nil }
        return lease
    }

    /// Starts an escalator for `store` (at `database`) unless a live one holds its lease.
    @discardableResult
    public static func ensureRunning(
        store: any TranscriptStore, database: DatabaseLocation, runbooksDirectory: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Outcome {
        guard let store = store as? any EscalatorStore, database.path != ":memory:" else { return .notRunning }
        if let lease = liveLease(store: store) { return .running(pid: lease.pid, host: lease.host) }
        guard autoStartEnabled(environment: environment) else { return .notRunning }
        return spawn(database: database, runbooksDirectory: runbooksDirectory, environment: environment)
    }

    /// `DB.escalator.log`, beside the database.
    public static func logPath(databasePath: String) -> String { databasePath + ".escalator.log" }

    /// Where an auto-started escalator of a PostgreSQL store logs: `escalator-HOST-PORT-DATABASE.log` in the state
    /// directory (`~/.local/state/runbook/`), since there is no file to put it beside.
    static func logPath(postgres url: String, environment: [String: String]) -> String {
        let name =
            (try? PostgresLocation(url: url, environment: [:])).map { "\($0.host)-\($0.port)-\($0.database)" }
            ?? "postgres"
        let safe = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" })
        let state = ConfigurationDirectory.xdgBase("XDG_STATE_HOME", else: ".local/state", environment: environment)
        return (state as NSString).appendingPathComponent("runbook/escalator-\(safe).log")
    }

    static func spawn(database: DatabaseLocation, runbooksDirectory: String, environment: [String: String])
        -> Outcome
    {
        if database.isPostgres {
            // The URL goes to the escalator in its environment, never on its command line (`ps` shows that).
            var environment = environment
            environment["RUNBOOK_DB"] = database.path
            let log = logPath(postgres: database.path, environment: environment)
            try? FileManager.default.createDirectory(
                atPath: (log as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            return spawn(
                arguments: ["escalator"], runbooksDirectory: runbooksDirectory, environment: environment, logPath: log)
        }
        let current = FileManager.default.currentDirectoryPath
        let database =
            database.path.hasPrefix("/")
            ? database.path : (current as NSString).appendingPathComponent(database.path)
        return spawn(
            arguments: ["escalator", "--db", database], runbooksDirectory: runbooksDirectory,
            environment: environment, logPath: logPath(databasePath: database))
    }

    private static func spawn(
        arguments: [String], runbooksDirectory: String, environment: [String: String], logPath: String
    ) -> Outcome {
        let current = FileManager.default.currentDirectoryPath
        func absolute(_ path: String) -> String {
            path.hasPrefix("/") ? path : (current as NSString).appendingPathComponent(path)
        }
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
            return .failed("cannot find the runbook executable (/proc/self/exe)")
        }
        do {
            let pid = try spawnDetached(
                executable: executable,
                arguments: arguments + [
                    "--runbooks", absolute(runbooksDirectory), "--idle-exit", String(Int(idleExit)), "--detached",
                ],
                environment: environment, workingDirectory: current, logPath: logPath)
            return .started(pid: pid)
        } catch {
            return .failed("cannot start the escalator: \(error)")
        }
    }
}

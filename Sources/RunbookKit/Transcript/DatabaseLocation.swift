import Foundation

/// Where the transcript database lives.
///
/// The order is `--db PATH`, `$RUNBOOK_DB`, `./transcripts/runbook.sqlite3` when `./transcripts/`
/// exists (a team's repository of runbooks keeps its transcripts beside them), else
/// `$XDG_STATE_HOME/runbook/runbook.sqlite3` (`~/.local/state/runbook/runbook.sqlite3`).
public struct DatabaseLocation: Sendable, Hashable {
    /// Which rule chose the path, for `--help` and diagnostics.
    public enum Source: String, Sendable, Hashable {
        case flag, environment, projectDirectory, stateDirectory
    }

    /// Absolute or working-directory-relative path of the database file.
    public var path: String
    /// Which rule chose it.
    public var source: Source

    /// Whether the location is a PostgreSQL URL (`postgres://…` or `postgresql://…`) rather than an SQLite file:
    /// the team store (docs/team-store.md).
    public var isPostgres: Bool { path.hasPrefix("postgres://") || path.hasPrefix("postgresql://") }

    /// A location chosen by `source`.
    public init(path: String, source: Source) {
        self.path = path
        self.source = source
    }

    /// Applies the resolution order.
    public static func resolve(
        flag: String?, environment: [String: String], currentDirectory: String,
        fileManager: FileManager = .default
    ) -> DatabaseLocation {
        if let flag, !flag.isEmpty { return DatabaseLocation(path: flag, source: .flag) }
        if let path = environment["RUNBOOK_DB"], !path.isEmpty {
            return DatabaseLocation(path: path, source: .environment)
        }
        let transcripts = (currentDirectory as NSString).appendingPathComponent("transcripts")
        var isDirectory: ObjCBool = false
        if fileManager.fileExists(atPath: transcripts, isDirectory: &isDirectory), isDirectory.boolValue {
            return DatabaseLocation(
                path: (transcripts as NSString).appendingPathComponent("runbook.sqlite3"), source: .projectDirectory)
        }
        let state = ConfigurationDirectory.xdgBase("XDG_STATE_HOME", else: ".local/state", environment: environment)
        return DatabaseLocation(
            path: (state as NSString).appendingPathComponent("runbook/runbook.sqlite3"), source: .stateDirectory)
    }
}

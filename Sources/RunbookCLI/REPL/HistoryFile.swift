import Foundation
import RunbookKit

/// Where the REPL keeps the lines a responder typed, and how it keeps them private.
///
/// Typed lines can hold hostnames, customer names and the odd pasted token, so the file is created 0600 in a
/// directory created 0700. Secrets read without echo never reach it, and neither does a line that starts with a
/// space (the shell's `ignorespace` habit, for the rare line the responder wants forgotten).
public struct HistoryFile: Sendable, Equatable {
    /// The history file.
    public var path: String

    /// The most lines kept; older ones are dropped when the file is written.
    public var limit: Int

    /// A history file at `path`.
    public init(path: String, limit: Int = 1000) {
        self.path = path
        self.limit = limit
    }

    /// The default location: `$RUNBOOK_HISTORY` if set (an empty value turns history off), else
    /// `$XDG_STATE_HOME/runbook/history`, else `~/.local/state/runbook/history`. `nil` means no history.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment)
        -> HistoryFile?
    {
        if let override = environment["RUNBOOK_HISTORY"] {
            return override.isEmpty ? nil : HistoryFile(path: override)
        }
        let stateHome: String
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") {
            // The XDG spec says a relative value is invalid and must be ignored.
            stateHome = xdg
        } else if let home = environment["HOME"], !home.isEmpty {
            stateHome = home + "/.local/state"
        } else {
            return nil
        }
        return HistoryFile(path: stateHome + "/runbook/history")
    }

    /// Whether a typed line belongs in history: not blank, and not starting with a space.
    public static func shouldRecord(_ line: String) -> Bool {
        guard let first = line.first, first != " " else { return false }
        return !line.allSatisfy(\.isWhitespace)
    }

    /// Creates the directory (0700) and the file (0600) if they are missing, and makes the file 0600 if it is not.
    ///
    /// An existing directory keeps its mode: it may be shared with the transcript, whose owner chose it.
    public func prepare() throws {
        try PrivateDirectory.createParent(of: path)
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        defer { close(fd) }
        // A file made by an older version, or copied in, may be readable by others: tighten it.
        if fchmod(fd, 0o600) != 0 {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
    }
}

import Foundation

/// Chooses how the REPL reads answers: libedit for a person at a terminal, the plain reader for everything else.
public enum LineReaderFactory {
    /// Whether a line editor can serve this process: stdin and stdout are terminals and `TERM` is not `dumb`.
    ///
    /// libedit's callback mode never returns on a pipe, and with stdout redirected its redraws would land in
    /// the file; a `dumb` terminal (an editor's shell buffer) cannot move the cursor.
    public static func terminalIsInteractive(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Bool {
        isatty(STDIN_FILENO) != 0 && isatty(STDOUT_FILENO) != 0 && environment["TERM"] != "dumb"
    }

    /// The reader for this process: `plain(answersFile)` when answers come from a file or stdin is not a
    /// terminal, else a `LibEditLineReader` with history in the standard place (`HistoryFile.standard`).
    public static func make(
        answersFile: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
        plain: (_ answersFile: String?) throws -> any LineReading
    ) rethrows -> any LineReading {
        if answersFile == nil, terminalIsInteractive(environment: environment) {
            return LibEditLineReader(history: HistoryFile.standard(environment: environment))
        }
        return try plain(answersFile)
    }
}

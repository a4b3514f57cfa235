import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Collects what a step exports, without touching the command text: bash runs the command exactly as approved
/// (`bash -c COMMAND`), and reads a private prelude first because `BASH_ENV` names it. The prelude dumps the
/// environment (`env -0`) to a private file, puts `BASH_ENV` back as it was (so scripts the command runs never
/// read the prelude), and sets an `EXIT` trap that dumps the environment again when the shell ends: after the
/// command, after an `exit`, and after a signal the shell handles. The trap leaves the exit status alone.
///
/// The directory is made by `mkdtemp` (0700), the two dump files are created 0600 before the shell starts, and
/// `collect()` removes them all. Only bash reads `BASH_ENV` for `-c` commands, so other shells get no capture.
final class EnvironmentCapture {
    /// The private directory holding the prelude and the two dumps.
    let directory: String
    /// The environment the shell gets: the request's, with `BASH_ENV` naming the prelude.
    let environment: [String: String]

    private var before: String { directory + "/before" }
    private var after: String { directory + "/after" }

    /// Prepares a capture for `request` when it asks for one, its shell is bash, and `env` is found in the system
    /// directories; `nil` otherwise (and when the temporary directory cannot be made: the step runs all the same).
    static func prepare(for request: CommandRequest, shellPath: String) -> EnvironmentCapture? {
        let candidates: [String] = ["/usr/bin/env", "/bin/env"]
        guard request.collectsExports, (shellPath as NSString).lastPathComponent == "bash",
            let env = candidates.first(where: { access($0, X_OK) == 0 })
        else { return nil }
        var template = Array((FileManager.default.temporaryDirectory.path + "/runbook-env-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { return nil }
        let directory = String(cString: made)
        let capture = EnvironmentCapture(directory: directory, request: request, env: env)
        guard
            capture.writeFiles(
                env: env, original: request.environment["BASH_ENV"], carriedNames: request.carriedNames)
        else {
            capture.remove()
            return nil
        }
        return capture
    }

    private init(directory: String, request: CommandRequest, env: String) {
        self.directory = directory
        var environment = request.environment
        environment["BASH_ENV"] = directory + "/prelude"
        self.environment = environment
    }

    /// Writes the prelude and creates the empty 0600 dump files the shell writes into.
    private func writeFiles(env: String, original: String?, carriedNames: [String]) -> Bool {
        let quotedEnv = Self.quoted(env)
        var lines = ["# runbook: records what the step exports (docs/execution.md, \"Exported variables\")"]
        if let original {
            // The responder's own BASH_ENV still applies, and children see it as before.
            lines.append("export BASH_ENV=\(Self.quoted(original))")
            lines.append("[ -n \"$BASH_ENV\" ] && [ -r \"$BASH_ENV\" ] && . \"$BASH_ENV\"")
        } else {
            lines.append("unset BASH_ENV")
        }
        // `>|`: the files exist already (created 0600), and a command's `set -C` must not stop the write.
        lines.append("\(quotedEnv) -0 >|\(Self.quoted(before)) 2>/dev/null")
        // Variables the command set at its top level without `export` are exported in the trap, just before the
        // dump, so the next step gets them as a terminal would keep them. `export NAME` leaves the exit status
        // alone: bash exits with the status it had before an EXIT trap ran.
        let carried = carriedNames.filter { ShellVariableName.isValid($0) }.sorted()
        let exportCarried = carried.isEmpty ? "" : "export \(carried.joined(separator: " ")) 2>/dev/null; "
        lines.append(
            "__runbook_exports() { \(exportCarried)\(quotedEnv) -0 >|\(Self.quoted(after)) 2>/dev/null; }")
        lines.append("trap __runbook_exports EXIT")
        // Ctrl-C ends the step as it did when bash exec'ed the command: a shell that runs an EXIT trap no longer
        // execs its last command, and a SIGINT that arrives between two commands (`echo started; sleep 30`, just
        // after the echo) would otherwise be swallowed while the next one runs to its end. The shell dies of the
        // SIGINT itself, so the step is reported "killed by signal 2" (and exports nothing).
        lines.append("trap 'trap - INT; kill -INT $$' INT")
        let prelude = Data((lines.joined(separator: "\n") + "\n").utf8)
        let manager = FileManager.default
        return manager.createFile(
            atPath: directory + "/prelude", contents: prelude, attributes: [.posixPermissions: 0o600])
            && manager.createFile(atPath: before, contents: nil, attributes: [.posixPermissions: 0o600])
            && manager.createFile(atPath: after, contents: nil, attributes: [.posixPermissions: 0o600])
    }

    /// Reads both dumps and removes the directory. `nil` when the shell wrote no final dump (it was killed, or the
    /// command replaced the trap or `exec`ed another program).
    func collect() -> EnvironmentChanges? {
        defer { remove() }
        guard let before = FileManager.default.contents(atPath: before),
            let after = FileManager.default.contents(atPath: after), !before.isEmpty, !after.isEmpty
        else { return nil }
        return EnvironmentChanges(before: before, after: after)
    }

    /// Removes the directory and everything in it.
    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// `text` in single quotes for the shell.
    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}

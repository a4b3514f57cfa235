import Foundation

/// A real terminal for end-to-end tests: a detached tmux session on a private server socket.
///
/// The command runs under `sh -c`, followed by `echo "[exited N]"` and a long sleep, so the final screen can
/// still be captured after the command ends.
public final class TmuxSession {
    /// The private server socket name (`tmux -L`).
    public let socket: String

    /// Starts `command` in a `width`×`height` terminal, in `directory`, with `environment` added.
    public init(
        _ command: String, width: Int = 120, height: Int = 40, directory: String? = nil,
        environment: [String: String] = [:]
    ) throws {
        socket = "runbook-test-\(getpid())-\(UUID().uuidString.prefix(8))"
        // No detached escalator per test database unless the test asks for one (as `BuiltBinary.run`).
        var environment = environment
        if environment["RUNBOOK_ESCALATOR"] == nil { environment["RUNBOOK_ESCALATOR"] = "off" }
        if environment["RUNBOOK_SIGNING_KEY"] == nil {
            environment["RUNBOOK_SIGNING_KEY"] = "/nonexistent/runbook-tests/signing.key"
        }
        let exports = environment.sorted { $0.key < $1.key }.map { "export \($0.key)=\(Self.quote($0.value)); " }
            .joined()
        let cd = directory.map { "cd \(Self.quote($0)); " } ?? ""
        // `NO_COLOR` (set by some test runners) turns the marks to ASCII: only a test that asks for it gets it.
        let unset = environment["NO_COLOR"] == nil ? "unset NO_COLOR; " : ""
        let script = "\(cd)\(unset)\(exports)\(command); echo \"[exited $?]\"; sleep 3600"
        let status = try Self.tmux(
            [
                "-L", socket, "-f", "/dev/null", "new-session", "-d", "-x", "\(width)", "-y", "\(height)", "sh", "-c",
                script,
            ]
        ).status
        guard status == 0 else { throw TmuxError(message: "tmux new-session failed with status \(status)") }
        let ids = try Self.tmux(["-L", socket, "display-message", "-p", "-t", "0", "#{pid} #{pane_pid}"]).output
        processIDs = ids.split(whereSeparator: \.isWhitespace).compactMap { pid_t($0) }
    }

    /// The tmux server's and the pane's process ids, to end them even if `kill-server` does not.
    private var processIDs: [pid_t] = []

    deinit { kill() }

    /// Types `keys` (tmux key names such as `C-c` and `Enter`, or literal text with `literal: true`).
    public func send(_ keys: String..., literal: Bool = false) throws {
        _ = try Self.tmux(["-L", socket, "send-keys", "-t", "0"] + (literal ? ["-l"] : []) + keys)
    }

    /// The visible screen, as text.
    public func capture() throws -> String {
        try Self.tmux(["-L", socket, "capture-pane", "-p", "-t", "0"]).output
    }

    /// Polls the screen until `predicate` holds; returns that screen. After `timeout` real seconds it throws
    /// `TmuxError` with the last screen, so a wait never passes quietly. `what` names the wait in that error.
    ///
    /// tmux trims trailing spaces from each line: wait for `name?`, not `name? `.
    @discardableResult
    public func waitFor(
        _ what: @autoclosure () -> String = "the expected screen", timeout: TimeInterval = 20,
        _ predicate: (String) -> Bool
    ) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = try capture()
        while !predicate(screen) {
            guard Date() < deadline else {
                throw TmuxError(
                    message: "timed out after \(timeout) s waiting for \(what()); the screen was:\n\(screen)")
            }
            usleep(20_000)
            screen = try capture()
        }
        return screen
    }

    /// Polls until the screen contains `text` (see `waitFor(_:timeout:_:)`); returns that screen.
    @discardableResult
    public func waitFor(_ text: String, timeout: TimeInterval = 20) throws -> String {
        try waitFor(text.debugDescription, timeout: timeout) { $0.contains(text) }
    }

    /// Stops the private tmux server.
    public func kill() {
        _ = try? Self.tmux(["-L", socket, "kill-server"])
        // kill-server has been seen to leave the server running; make sure nothing outlives the test.
        for pid in processIDs.reversed() { Glibc.kill(pid, SIGKILL) }
        processIDs = []
    }

    /// Resizes the terminal, as a responder dragging the window would.
    public func resize(width: Int, height: Int) throws {
        _ = try Self.tmux(["-L", socket, "resize-window", "-t", "0", "-x", "\(width)", "-y", "\(height)"])
    }

    /// `value` quoted for `sh`.
    public static func quote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    static func tmux(_ arguments: [String]) throws -> (status: Int32, output: String) {
        // Output goes to a file, not a pipe: `new-session` forks the tmux server, which keeps the client's
        // descriptors; and the client is spawned and reaped here directly (Foundation's Process left it a zombie).
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tmux-out-\(UUID())").path
        defer { unlink(file) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, file, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = (["tmux"] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/usr/bin/tmux", &actions, nil, argv, environ)
        guard spawned == 0 else { throw TmuxError(message: "cannot run tmux: error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        // WIFEXITED / WEXITSTATUS are macros: decode by hand.
        return ((status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F), output)
    }
}

/// tmux could not be driven.
public struct TmuxError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

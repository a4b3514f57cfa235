import CPTY
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

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
        let exports = environment.sorted { $0.key < $1.key }.map { "export \($0.key)=\(Self.quote($0.value)); " }
            .joined()
        let cd = directory.map { "cd \(Self.quote($0)); " } ?? ""
        let script = "\(cd)\(exports)\(command); echo \"[exited $?]\"; sleep 3600"
        // The server forks off here and would inherit a captured stdout, so this call captures nothing.
        let status = try Self.tmux(
            [
                "-L", socket, "-f", "/dev/null", "new-session", "-d", "-x", "\(width)", "-y", "\(height)", "sh", "-c",
                script,
            ],
            capture: false
        ).status
        guard status == 0 else { throw TmuxError(message: "tmux new-session failed with status \(status)") }
    }

    deinit { kill() }

    /// Types `keys` (tmux key names such as `C-c` and `Enter`, or literal text with `literal: true`).
    public func send(_ keys: String..., literal: Bool = false) throws {
        _ = try Self.tmux(["-L", socket, "send-keys", "-t", "0"] + (literal ? ["-l"] : []) + keys)
    }

    /// The visible screen, as text.
    public func capture() throws -> String {
        try Self.tmux(["-L", socket, "capture-pane", "-p", "-t", "0"]).output
    }

    /// Polls the screen until `predicate` holds or `timeout` real seconds pass; returns the last screen.
    @discardableResult
    public func waitFor(timeout: TimeInterval = 20, _ predicate: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = try capture()
        while !predicate(screen) && Date() < deadline {
            usleep(20_000)
            screen = try capture()
        }
        return screen
    }

    /// Polls until the screen contains `text`.
    @discardableResult
    public func waitFor(_ text: String, timeout: TimeInterval = 20) throws -> String {
        try waitFor(timeout: timeout) { $0.contains(text) }
    }

    /// Stops the private tmux server.
    public func kill() {
        _ = try? Self.tmux(["-L", socket, "kill-server"])
    }

    /// Resizes the terminal, as a responder dragging the window would.
    public func resize(width: Int, height: Int) throws {
        _ = try Self.tmux(["-L", socket, "resize-window", "-t", "0", "-x", "\(width)", "-y", "\(height)"])
    }

    /// `value` quoted for `sh`.
    public static func quote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Runs the tmux client with every other descriptor closed. (Foundation's `Process` notices a child's
    /// end through a descriptor the child inherits; the tmux server forked by `new-session` would keep it
    /// open for ever, and `waitUntilExit` would never return.)
    public static func tmux(_ arguments: [String], capture: Bool = true) throws -> (status: Int32, output: String) {
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { close(null) }
        var fds: [Int32] = [-1, -1]
        if capture { guard pipe(&fds) == 0 else { throw TmuxError(message: "pipe failed") } }
        let argv = (["tmux"] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let environment = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in environment { free(pointer) } }
        var pid: pid_t = 0
        let rc = cpty_spawn(&pid, "/usr/bin/tmux", argv, environment, nil, nil, null, capture ? fds[1] : null, null)
        if capture { close(fds[1]) }
        guard rc == 0 else {
            if capture { close(fds[0]) }
            throw TmuxError(message: "cannot run tmux: error \(rc)")
        }
        var output = Data()
        if capture {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = read(fds[0], &buffer, buffer.count)
                if count > 0 {
                    output.append(contentsOf: buffer[0..<count])
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            close(fds[0])
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        var value: Int32 = 0
        let kind = cpty_decode_status(status, &value)
        return (kind == 1 ? value : 128 + value, String(decoding: output, as: UTF8.self))
    }
}

/// tmux could not be driven.
public struct TmuxError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

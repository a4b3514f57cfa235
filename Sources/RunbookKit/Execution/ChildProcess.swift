import CPTY
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child started as `shell -c command` in a session of its own (its process group id is its pid).
///
/// Both runners start children through here so that shell and working-directory checks, the argv/envp
/// layout and the error text are the same for the pseudo-terminal and for pipes.
struct ChildProcess {
    let pid: pid_t

    /// Checks what would make the spawn fail with an unhelpful errno, before anything is opened.
    static func resolveShell(for request: CommandRequest) throws -> String {
        if let directory = request.workingDirectory {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
            else { throw ExecutionError.workingDirectoryMissing(path: directory) }
        }
        let searchPath =
            request.environment["PATH"] ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        if request.shell.contains("/") {
            guard access(request.shell, X_OK) == 0 else {
                throw ExecutionError.shellNotFound(shell: request.shell, searched: searchPath)
            }
            return request.shell
        }
        for directory in searchPath.split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = "\(directory)/\(request.shell)"
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
                access(candidate, X_OK) == 0
            {
                return candidate
            }
        }
        throw ExecutionError.shellNotFound(shell: request.shell, searched: searchPath)
    }

    /// Spawns `shellPath -c command` (through `unshare --net` when the request is isolated); with
    /// `terminalPath` the child opens it as its controlling terminal on fds 0–2, otherwise it gets `stdin`,
    /// `stdout` and `stderr`. With `capture` the child gets the capture's environment (the request's, plus
    /// `BASH_ENV`); the arguments, and so the command, are the same.
    static func spawn(
        _ request: CommandRequest, shellPath: String, terminalPath: String?, stdin: Int32 = -1,
        stdout: Int32 = -1, stderr: Int32 = -1, capture: EnvironmentCapture? = nil
    ) throws -> ChildProcess {
        let launch = try request.isolation.launch(shell: request.shell, shellPath: shellPath, command: request.command)
        let environment = (capture?.environment ?? request.environment).sorted { $0.key < $1.key }.map {
            "\($0.key)=\($0.value)"
        }
        var pid: pid_t = 0
        let rc = withCStrings(launch.arguments) { argv in
            withCStrings(environment) { envp in
                cpty_spawn(
                    &pid, launch.path, argv, envp, request.workingDirectory, terminalPath, stdin, stdout, stderr)
            }
        }
        guard rc == 0 else {
            throw ExecutionError.spawnFailed(command: request.shell, reason: String(cString: strerror(rc)))
        }
        return ChildProcess(pid: pid)
    }

    /// Sends `signal` to the child's whole process group (the shell and everything it started).
    func signalGroup(_ signal: Int32) {
        _ = kill(-pid, signal)
    }

    /// Reaps the child if it has exited; returns its raw wait status.
    func reap(blocking: Bool) -> Int32? {
        var status: Int32 = 0
        while true {
            let rc = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            if rc == pid { return status }
            if rc == -1 && errno == EINTR { continue }
            return nil
        }
    }

    /// Exit code or signal from a raw wait status.
    static func decode(_ status: Int32) -> (exitCode: Int32?, signal: Int32?) {
        var value: Int32 = 0
        switch cpty_decode_status(status, &value) {
        case 1: return (value, nil)
        case 2: return (nil, value)
        default: return (nil, nil)
        }
    }
}

/// Calls `body` with a NULL-terminated C array of C strings that live for the duration of the call.
/// Starts a long-lived helper program detached from the caller: in a session of its own (no controlling terminal,
/// so a hang-up of the responder's terminal never reaches it), stdin from /dev/null, stdout and stderr appended to
/// `logPath` (created 0600). Returns its pid; the caller does not wait for it.
public func spawnDetached(
    executable: String, arguments: [String], environment: [String: String], workingDirectory: String?,
    logPath: String
) throws -> Int32 {
    let log = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
    guard log >= 0 else {
        throw ExecutionError.spawnFailed(command: logPath, reason: String(cString: strerror(errno)))
    }
    defer { close(log) }
    fchmod(log, 0o600)
    let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
    defer { if null >= 0 { close(null) } }
    let variables = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    var pid: pid_t = 0
    let rc = withCStrings([executable] + arguments) { argv in
        withCStrings(variables) { envp in
            cpty_spawn(&pid, executable, argv, envp, workingDirectory, nil, null, log, log)
        }
    }
    guard rc == 0 else { throw ExecutionError.spawnFailed(command: executable, reason: String(cString: strerror(rc))) }
    return pid
}

private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    let pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
    defer { for pointer in pointers { free(pointer) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

import Foundation

/// Why a command could not be started. A command that starts and fails is a `CommandResult`, not this.
public enum ExecutionError: UserFacingError, Equatable {
    /// The shell named by the runbook (or `--shell`) is not an executable file and is not on `PATH`.
    case shellNotFound(shell: String, searched: String)
    /// The working directory does not exist or is not a directory.
    case workingDirectoryMissing(path: String)
    /// No pseudo-terminal could be opened (errno text).
    case terminalUnavailable(reason: String)
    /// `posix_spawn` refused (errno text).
    case spawnFailed(command: String, reason: String)
    /// The command must run in a network namespace of its own, and none can be made here (`unshare` is missing
    /// or the system refuses it).
    case isolationUnavailable(reason: String)

    public var summary: String {
        switch self {
        case .shellNotFound(let shell, _):
            return "cannot start the command: shell '\(shell)' was not found"
        case .workingDirectoryMissing(let path):
            return "cannot start the command: working directory '\(path)' does not exist"
        case .terminalUnavailable(let reason):
            return "cannot start the command: no pseudo-terminal could be opened (\(reason))"
        case .spawnFailed(let command, let reason):
            return "cannot start '\(command)': \(reason)"
        case .isolationUnavailable(let reason):
            return "cannot seal the command off the network: \(reason)"
        }
    }

    public var hint: String? {
        switch self {
        case .shellNotFound(_, let searched):
            return "install the shell or name another one (front matter `shell:`); searched PATH=\(searched)"
        case .workingDirectoryMissing:
            return "create the directory or run from the directory the step expects"
        case .terminalUnavailable:
            return
                "check /dev/ptmx and the pty limit (sysctl kernel.pty.max), or run with stdin redirected to use pipes"
        case .spawnFailed:
            return "check the shell's permissions and the system's process limits (ulimit -u)"
        case .isolationUnavailable:
            return
                "run as root or where user namespaces are allowed (util-linux `unshare --net true` must work), "
                + "or pass --no-isolation to run drill commands unsealed"
        }
    }

    public var exitStatus: ExitStatus { .refused }
}

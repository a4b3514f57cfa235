import CPTY
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs commands with pipes, for when `runbook`'s own stdin is not a terminal (scripted mode, CI).
///
/// stdout and stderr share one pipe, so the transcript keeps their interleaving as a terminal would show
/// it. stdin is /dev/null unless the step is interactive, in which case the child reads `runbook`'s stdin.
public struct PipeCommandRunner: CommandRunner {
    /// stdin handed to interactive steps.
    public var input: Int32
    /// Where output is shown as it arrives, or `nil` for nowhere.
    public var screen: Int32?
    /// Whether signals sent to `runbook` are passed to the child's process group (see `PTYCommandRunner`).
    public var forwardsSignals: Bool

    /// A runner that gives interactive steps `input` and shows output on `screen`.
    public init(input: Int32 = STDIN_FILENO, screen: Int32? = STDOUT_FILENO, forwardsSignals: Bool = false) {
        self.input = input
        self.screen = screen
        self.forwardsSignals = forwardsSignals
    }

    public func run(_ request: CommandRequest, sink: any OutputSink) throws -> CommandResult {
        try start(request, sink: sink).wait()
    }

    /// Starts the command and returns at once; `RunningCommand.wait()` then runs the output loop to the end, on
    /// whichever thread calls it. `run` is `start` then `wait`; a background step calls `wait` on a thread of its
    /// own (`IncidentSession`, "Background steps").
    public func start(_ request: CommandRequest, sink: any OutputSink) throws -> RunningCommand {
        let shellPath = try ChildProcess.resolveShell(for: request)
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw ExecutionError.spawnFailed(command: request.shell, reason: String(cString: strerror(errno)))
        }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(readEnd, F_SETFL, fcntl(readEnd, F_GETFL) | O_NONBLOCK)

        let stdin = request.interactive ? input : open("/dev/null", O_RDONLY | O_CLOEXEC)
        let capture = EnvironmentCapture.prepare(for: request, shellPath: shellPath)
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(
                request, shellPath: shellPath, terminalPath: nil, stdin: stdin, stdout: writeEnd, stderr: writeEnd,
                capture: capture)
        } catch {
            capture?.remove()
            close(readEnd)
            close(writeEnd)
            if !request.interactive { close(stdin) }
            throw error
        }
        close(writeEnd)
        if !request.interactive { close(stdin) }

        let relay = forwardsSignals ? SignalRelay.activate() : nil
        let pump = OutputPump(
            child: child, output: readEnd, keystrokes: nil, screen: request.showsOutput ? screen : nil, sink: sink,
            timeout: request.timeout,
            killGrace: request.killGrace, relay: relay, onResize: nil)
        return RunningCommand(pump: pump, relay: relay, capture: capture)
    }
}

/// A command `PipeCommandRunner.start` started: `wait()` runs its output loop until it has ended, once.
public final class RunningCommand: @unchecked Sendable {
    private let pump: OutputPump
    private let relay: SignalRelay?
    private let capture: EnvironmentCapture?

    fileprivate init(pump: OutputPump, relay: SignalRelay?, capture: EnvironmentCapture?) {
        self.pump = pump
        self.relay = relay
        self.capture = capture
    }

    /// The shell's process id, which is also its process group's.
    public var processID: Int32 { pump.child.pid }

    /// Runs the output loop until the command has ended and its output is read; returns how it ended.
    public func wait() -> CommandResult {
        defer {
            relay?.deactivate()
            close(pump.output)
        }
        let outcome = pump.run()
        let (exitCode, signal) = ChildProcess.decode(outcome.status)
        return CommandResult(
            exitCode: exitCode, signal: signal, duration: outcome.duration, timedOut: outcome.timedOut,
            outputBytes: outcome.bytes, receivedSignal: outcome.received,
            environmentChanges: capture?.collect())
    }

    /// Sends SIGTERM to the command's whole process group (the shell and everything it started). `wait()`
    /// returns once it has ended.
    public func terminate() {
        pump.child.signalGroup(SIGTERM)
    }

    /// Sends SIGKILL to the command's whole process group, for one that outlived `terminate()`'s grace.
    public func kill() {
        pump.child.signalGroup(SIGKILL)
    }
}

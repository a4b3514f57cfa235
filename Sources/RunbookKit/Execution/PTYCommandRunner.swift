import CPTY
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs commands in a pseudo-terminal that becomes the child's controlling terminal, so interactive tools
/// (`read`, psql, pagers, `kubectl exec -it`) behave as in the responder's own terminal.
///
/// Output post-processing (OPOST) is off on the child's side: the kernel does not turn `\n` into `\r\n`,
/// which keeps newline-heavy output fast and the transcript clean; the responder's terminal, left with
/// OPOST on, does that translation for the screen. When `input` is a terminal it is switched to raw mode
/// for the duration, so every keystroke (Ctrl-C as byte 0x03 included) reaches the child through its own
/// terminal and `runbook` itself is never interrupted; its settings are restored on every path out.
public struct PTYCommandRunner: CommandRunner {
    /// Where keystrokes come from (the responder's terminal), or `nil` for none.
    public var input: Int32?
    /// Where output is shown as it arrives, or `nil` for nowhere.
    public var screen: Int32?
    /// Whether signals sent to `runbook` (SIGINT, SIGTERM, SIGHUP, SIGQUIT) are passed to the child's
    /// process group and SIGWINCH resizes its terminal. Process-wide, so the CLI turns it on; tests
    /// running in parallel leave it off.
    public var forwardsSignals: Bool

    /// A runner reading keystrokes from `input` and showing output on `screen`.
    public init(input: Int32? = STDIN_FILENO, screen: Int32? = STDOUT_FILENO, forwardsSignals: Bool = false) {
        self.input = input
        self.screen = screen
        self.forwardsSignals = forwardsSignals
    }

    public func run(_ request: CommandRequest, sink: any OutputSink) throws -> CommandResult {
        let shellPath = try ChildProcess.resolveShell(for: request)
        let outerSettings = input.flatMap(TerminalMode.current(of:))
        var size =
            TerminalMode.windowSize(of: [input, screen]) ?? winsize(ws_row: 24, ws_col: 80, ws_xpixel: 0, ws_ypixel: 0)

        var master: Int32 = -1
        var slave: Int32 = -1
        guard openpty(&master, &slave, nil, nil, &size) == 0 else {
            throw ExecutionError.terminalUnavailable(reason: String(cString: strerror(errno)))
        }
        defer { close(master) }
        var settings = outerSettings ?? termios()
        if outerSettings == nil { _ = tcgetattr(slave, &settings) }
        settings.c_oflag &= ~tcflag_t(OPOST)
        _ = tcsetattr(slave, TCSANOW, &settings)
        _ = fcntl(master, F_SETFD, FD_CLOEXEC)
        _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)

        var nameBuffer = [CChar](repeating: 0, count: 256)
        guard ttyname_r(slave, &nameBuffer, nameBuffer.count) == 0 else {
            close(slave)
            throw ExecutionError.terminalUnavailable(reason: String(cString: strerror(errno)))
        }
        let capture = EnvironmentCapture.prepare(for: request, shellPath: shellPath)
        let child: ChildProcess
        do {
            let terminalPath = String(
                decoding: nameBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            child = try ChildProcess.spawn(request, shellPath: shellPath, terminalPath: terminalPath, capture: capture)
        } catch {
            capture?.remove()
            close(slave)
            throw error
        }
        // The child has its own descriptors now; ours would keep the master from seeing EIO at the end.
        close(slave)

        let raw = input.flatMap { fd in outerSettings.flatMap { TerminalMode.enterRaw(fd, from: $0) } }
        defer { raw?.restore() }
        let relay = forwardsSignals ? SignalRelay.activate() : nil
        defer { relay?.deactivate() }

        let outer = [input, screen]
        let pump = OutputPump(
            child: child, output: master, keystrokes: input.map { (source: $0, target: master) },
            screen: request.showsOutput ? screen : nil,
            sink: sink, timeout: request.timeout, killGrace: request.killGrace, relay: relay,
            onResize: {
                guard var size = TerminalMode.windowSize(of: outer) else { return }
                _ = ioctl(master, UInt(TIOCSWINSZ), &size)
            })
        let outcome = pump.run()
        let (exitCode, signal) = ChildProcess.decode(outcome.status)
        return CommandResult(
            exitCode: exitCode, signal: signal, duration: outcome.duration, timedOut: outcome.timedOut,
            outputBytes: outcome.bytes, receivedSignal: outcome.received,
            environmentChanges: capture?.collect())
    }
}

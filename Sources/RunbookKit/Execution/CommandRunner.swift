import Foundation

/// What to run and how.
public struct CommandRequest: Sendable, Hashable {
    /// The command text exactly as approved; never rewritten with variable values.
    public var command: String
    /// Shell that runs it as `shell -c command`.
    public var shell: String
    /// The child's complete environment (variables arrive here, and only here).
    public var environment: [String: String]
    public var workingDirectory: String?
    /// Seconds before SIGTERM to the process group; `nil` for none.
    public var timeout: TimeInterval?
    /// Seconds between SIGTERM and SIGKILL.
    public var killGrace: TimeInterval
    /// Needs the responder's terminal; with pipes, stdin stays open only for interactive steps.
    public var interactive: Bool
    /// Where the command runs: `.network` starts it in a network namespace of its own (no reachable address).
    public var isolation: CommandIsolation
    /// Whether the runner shows the output on its screen (`false` for a step captured into a secret variable).
    public var showsOutput = true
    /// Whether the runner reports what the command exported (`CommandResult.environmentChanges`). Only bash can
    /// report it; see `EnvironmentCapture`.
    public var collectsExports = false
    /// Shell variables the command sets without exporting them that the runner reports as if exported, when it
    /// collects exports (`VariableReferences.standaloneAssignedNames`: what a terminal would keep for the next
    /// command). Only valid variable names are used.
    public var carriedNames: [String] = []

    public init(
        command: String, shell: String = "bash", environment: [String: String] = [:],
        workingDirectory: String? = nil, timeout: TimeInterval? = nil, killGrace: TimeInterval = 5,
        interactive: Bool = false, isolation: CommandIsolation = .none
    ) {
        self.isolation = isolation
        self.command = command
        self.shell = shell
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.timeout = timeout
        self.killGrace = killGrace
        self.interactive = interactive
    }
}

/// How a command ended. A non-zero exit is a result, not an error.
public struct CommandResult: Sendable, Hashable, Codable {
    public var exitCode: Int32?
    /// The signal that ended it, when it did not exit.
    public var signal: Int32?
    public var duration: TimeInterval
    public var timedOut: Bool
    /// Bytes the command wrote in all.
    public var outputBytes: Int
    /// Bytes kept off the store because of the per-command limit (0 when nothing was dropped).
    public var droppedBytes: Int
    /// A signal `runbook` itself received while the command ran and passed on to it (SIGINT, SIGHUP, SIGTERM,
    /// SIGQUIT): SIGHUP and SIGTERM also end the session once the result is recorded.
    public var receivedSignal: Int32?
    /// What the command exported or unset, when the request asked and the shell could say (see
    /// `CommandRequest.collectsExports`).
    public var environmentChanges: EnvironmentChanges?

    public init(
        exitCode: Int32?, signal: Int32? = nil, duration: TimeInterval, timedOut: Bool = false, outputBytes: Int = 0,
        droppedBytes: Int = 0, receivedSignal: Int32? = nil, environmentChanges: EnvironmentChanges? = nil
    ) {
        self.environmentChanges = environmentChanges
        self.receivedSignal = receivedSignal
        self.exitCode = exitCode
        self.signal = signal
        self.duration = duration
        self.timedOut = timedOut
        self.outputBytes = outputBytes
        self.droppedBytes = droppedBytes
    }
}

/// Receives a running command's output as it arrives.
public protocol OutputSink: AnyObject {
    /// `bytes` arrived `offset` seconds after the command started.
    func receive(_ bytes: Data, offset: TimeInterval)
}

/// Runs approved commands. The PTY runner and the pipe runner conform; tests use a fake.
public protocol CommandRunner: Sendable {
    /// Runs the command to completion, streaming output to `sink`.
    /// Throws only when the command could not be started (missing shell or working directory).
    func run(_ request: CommandRequest, sink: any OutputSink) throws -> CommandResult
}

extension CommandRequest {
    /// Throws what would keep the command from starting (its shell not found, its working directory missing),
    /// before anything runs or is recorded.
    /// - Throws: `ExecutionError.shellNotFound`, `.workingDirectoryMissing`.
    public func checkCanStart() throws { _ = try ChildProcess.resolveShell(for: self) }
}

import Foundation

/// Runs an approved command the way every step runs: through a runner, with the output redacted and
/// limited on its way to storage while the screen shows it unchanged.
public struct CommandExecutor: Sendable {
    /// The pseudo-terminal or pipe runner (or a fake in tests).
    public var runner: any CommandRunner
    /// Secrets and patterns to keep out of storage.
    public var redactor: Redactor
    /// Most bytes stored per command (head and tail kept, the middle dropped and counted).
    public var outputLimit: Int

    /// An executor with `runner`, `redactor` and `outputLimit`.
    public init(
        runner: any CommandRunner, redactor: Redactor = Redactor(), outputLimit: Int = OutputLimiter.defaultLimit
    ) {
        self.runner = runner
        self.redactor = redactor
        self.outputLimit = outputLimit
    }

    /// Runs `request`, storing its redacted, limited output in `storage` (finished when the command ends).
    /// Throws `ExecutionError` when the command cannot start.
    public func run(_ request: CommandRequest, storage: any OutputSink) throws -> CommandResult {
        let limiter = OutputLimiter(forwardingTo: storage, limit: outputLimit)
        let redacting = StreamingRedactor(redactor: redactor, forwardingTo: limiter)
        var result = try runner.run(request, sink: redacting)
        redacting.finish()
        result.droppedBytes = limiter.droppedBytes
        return result
    }
}

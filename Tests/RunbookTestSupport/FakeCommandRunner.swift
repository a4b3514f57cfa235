import Foundation
import RunbookKit

/// A command runner that runs nothing: each request gets the output and exit code a test scripted for it.
public final class FakeCommandRunner: CommandRunner, @unchecked Sendable {
    /// What a fake command prints and how it ends.
    public struct Response: Sendable {
        public var output: String
        public var exitCode: Int32
        public var timedOut: Bool
        /// Throw this instead of running (a command that cannot start).
        public var startFailure: String?
        /// What the command "exported" (a real runner collects it from the shell).
        public var environmentChanges: EnvironmentChanges?

        public init(
            output: String = "", exitCode: Int32 = 0, timedOut: Bool = false, startFailure: String? = nil,
            environmentChanges: EnvironmentChanges? = nil
        ) {
            self.environmentChanges = environmentChanges
            self.output = output
            self.exitCode = exitCode
            self.timedOut = timedOut
            self.startFailure = startFailure
        }
    }

    /// Thrown when a response says the command could not start.
    public struct StartFailure: Error, CustomStringConvertible {
        public var description: String
    }

    private let lock = NSLock()
    private var responder: @Sendable (CommandRequest) -> Response
    private var received: [CommandRequest] = []

    /// Creates a runner that answers every request with `responder` (exit 0, no output by default).
    public init(_ responder: @escaping @Sendable (CommandRequest) -> Response = { _ in Response() }) {
        self.responder = responder
    }

    /// Every request run so far, in order.
    public var requests: [CommandRequest] { lock.withLock { received } }

    public func run(_ request: CommandRequest, sink: any OutputSink) throws -> CommandResult {
        let response = lock.withLock {
            received.append(request)
            return responder(request)
        }
        if let failure = response.startFailure { throw StartFailure(description: failure) }
        let data = Data(response.output.utf8)
        if !data.isEmpty { sink.receive(data, offset: 0.01) }
        return CommandResult(
            exitCode: response.timedOut ? nil : response.exitCode, signal: response.timedOut ? 15 : nil, duration: 0.02,
            timedOut: response.timedOut, outputBytes: data.count, environmentChanges: response.environmentChanges)
    }
}

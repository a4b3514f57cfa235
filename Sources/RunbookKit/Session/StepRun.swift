import Foundation

/// What happened when the responder approved a command.
public struct StepRun: Sendable, Hashable {
    /// How the run ended.
    public enum Outcome: Sendable, Hashable {
        /// Ran and exited with an expected code.
        case completed
        /// Ran and ended with an unexpected exit code, a signal or a timeout.
        case unexpectedExit
        /// Could not start (missing shell or working directory); the message says why.
        case failedToStart(String)
        /// Destructive in production and the typed name did not match: nothing ran.
        case refused(expected: String)
        /// A `background` step: started detached, and the session moved on; its end is recorded when it comes.
        case startedInBackground
    }

    public var outcome: Outcome
    /// The command's result when it ran.
    public var result: CommandResult?
    /// Exit codes that count as success.
    public var expect: Set<Int32>
    /// The variable set from the output (`capture=VAR`), when the step captures.
    public var captured: CapturedValue?
    /// The variables the command exported (or changed), in name order: later commands get them.
    public var exported: [CapturedValue] = []
    /// Names the command exported or unset that later commands do not get (`PATH`, `LD_*`, …; see
    /// `VariableReferences.isReserved`).
    public var ignoredExports: [String] = []
    /// The step's `on-fail` target, offered after an unexpected result.
    public var onFail: String?
    /// Sequence number of the `command.started` event (the output is stored under it).
    public var commandSequence: Int64?

    public init(
        outcome: Outcome, result: CommandResult? = nil, expect: Set<Int32> = [0], captured: CapturedValue? = nil,
        onFail: String? = nil, commandSequence: Int64? = nil
    ) {
        self.outcome = outcome
        self.result = result
        self.expect = expect
        self.captured = captured
        self.onFail = onFail
        self.commandSequence = commandSequence
    }
}

/// A variable set from a command's trimmed standard output, or exported by a command.
public struct CapturedValue: Sendable, Hashable {
    public var name: String
    public var value: String
    public var isSecret: Bool

    public init(name: String, value: String, isSecret: Bool) {
        self.name = name
        self.value = value
        self.isSecret = isSecret
    }
}

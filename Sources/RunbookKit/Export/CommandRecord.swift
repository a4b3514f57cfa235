import Foundation

/// One command of an incident as the transcript recorded it: the text that ran, how it ended, and its output.
public struct CommandRecord: Sendable, Hashable {
    /// Sequence of the `command.started` event; output chunks are stored under it.
    public var sequence: Int64
    /// The step the command belongs to, if any.
    public var stepID: String?
    /// The title of that step, from its `step.shown` event.
    public var stepTitle: String?
    /// The command as it ran (the edited text when the responder edited the step).
    public var text: String
    /// The runbook's text, when the responder edited it before running; `nil` when it ran as written.
    public var originalText: String?
    /// Working directory, when recorded.
    public var workingDirectory: String?
    /// Who ran it.
    public var actor: String
    /// When it started (the `command.started` event).
    public var startedAt: Date
    /// Sequence of the `command.finished` (or `command.failed_to_start`) event; `nil` while running.
    public var finishSequence: Int64?
    /// When it ended (the `command.finished` or `command.failed_to_start` event); `nil` while running.
    public var finishedAt: Date?
    /// Exit code, when the process exited.
    public var exitCode: Int64?
    /// The signal that ended it, when one did (as recorded: a number or a name).
    public var signal: String?
    /// Duration as measured by the runner, else the time between the two events.
    public var duration: TimeInterval?
    /// Whether the step timeout ended it.
    public var timedOut: Bool
    /// Output bytes the store dropped (beyond its cap), as recorded.
    public var droppedBytes: Int64
    /// Where in the stored output the dropped bytes were (a byte offset), when recorded.
    public var droppedAt: Int64?
    /// Whether the exit code was one the step expects; `nil` when not recorded.
    public var expected: Bool?
    /// Whether a `step.shown` (a runbook step, or an ad-hoc `sh`) came before it; `false` for `runbook record`.
    public var wasShown = false
    /// Why it could not start, for `command.failed_to_start`.
    public var failureReason: String?
    /// The stored output, in order, when the report was built with it (`IncidentReport.load`); exporters read it
    /// from the transcript instead, a chunk at a time (`IncidentTranscript.forEachOutputChunk`).
    public var output: [OutputChunk]

    /// Memberwise initializer.
    public init(
        sequence: Int64, stepID: String? = nil, stepTitle: String? = nil, text: String, originalText: String? = nil,
        workingDirectory: String? = nil, actor: String, startedAt: Date, finishSequence: Int64? = nil,
        finishedAt: Date? = nil,
        exitCode: Int64? = nil, signal: String? = nil, duration: TimeInterval? = nil, timedOut: Bool = false,
        droppedBytes: Int64 = 0, failureReason: String? = nil, output: [OutputChunk] = []
    ) {
        self.sequence = sequence
        self.stepID = stepID
        self.stepTitle = stepTitle
        self.text = text
        self.originalText = originalText
        self.workingDirectory = workingDirectory
        self.actor = actor
        self.startedAt = startedAt
        self.finishSequence = finishSequence
        self.finishedAt = finishedAt
        self.exitCode = exitCode
        self.signal = signal
        self.duration = duration
        self.timedOut = timedOut
        self.droppedBytes = droppedBytes
        self.failureReason = failureReason
        self.output = output
    }

    /// All output bytes, concatenated.
    public var outputData: Data {
        var data = Data()
        for chunk in output { data.append(chunk.data) }
        return data
    }

    /// Whether the exit was not what the step expects: `expected` recorded false, or (older records) a non-zero
    /// exit code.
    public var isUnexpected: Bool {
        if failureReason != nil || timedOut || signal != nil { return true }
        guard let exitCode else { return false }
        return expected.map { !$0 } ?? (exitCode != 0)
    }

    /// What the command was run as, for a heading or a timeline row: its step's title, else `Ad-hoc command`
    /// (`sh` in a session) or `Recorded command` (`runbook record`).
    public var label: String {
        stepTitle ?? stepID ?? (wasShown ? "Ad-hoc command" : "Recorded command")
    }

    /// Whether the command was edited before it ran.
    public var wasEdited: Bool { originalText != nil }

    /// One-line outcome for people: `exit 0`, `signal 9`, `timed out`, `did not start`, `running`.
    public var outcome: String {
        if let failureReason { return "did not start: \(failureReason)" }
        if timedOut { return exitCode.map { "timed out (exit \($0))" } ?? "timed out" }
        if let signal { return "signal \(signal)" }
        if let exitCode { return "exit \(exitCode)" + (isUnexpected ? " (unexpected)" : "") }
        return finishedAt == nil ? "no finish recorded" : "finished"
    }
}

import Foundation

/// The one way a command is run and recorded, for a session's steps, its ad-hoc `sh` commands and `runbook record`:
/// `command.started`, the output through `TranscriptOutputWriter` (redacted, limited, committed before the end), then
/// `command.finished` or `command.failed_to_start`, with the same payload names whoever ran it
/// (docs/transcript-schema.md).
struct CommandRecorder {
    /// Records one event of the incident and returns it as stored (a session also folds it into its state).
    let record: (EventDraft) throws -> RecordedEvent
    /// The store the output goes to.
    let store: any TranscriptStore
    /// The incident recorded into.
    let incidentID: Int64
    /// Most bytes of output stored (head and tail kept).
    let outputLimit: Int

    /// How a recorded command ended.
    struct Outcome {
        /// The `command.started` event.
        var started: RecordedEvent
        /// The runner's result, or why the command could not start (then `command.failed_to_start` was recorded).
        var result: Result<CommandResult, any Error>
        /// Whether the exit code was one the step expects (and no timeout ended it).
        var matched: Bool
    }

    /// Runs `request` and records it. `common` goes into every event's payload (a session's `runbook`), `started`
    /// into `command.started` only. `beforeFinish` records what must precede `command.finished` (exports, a
    /// captured value); it gets the result, whether it matched `expect`, and the output as the screen saw it.
    func run(
        _ request: CommandRequest, stepID: String?, runner: any CommandRunner, screen: (any OutputSink)?,
        common: [String: JSONValue] = [:], started extra: [String: JSONValue] = [:], expect: Set<Int32> = [0],
        secretCapture: String? = nil,
        beforeFinish: (CommandResult, Bool, CommandOutputRecorder) throws -> Void = { _, _, _ in }
    ) throws -> Outcome {
        let started = try recordStarted(request, stepID: stepID, common: common, started: extra)
        let recorder = CommandOutputRecorder(
            screen: screen, store: store, incidentID: incidentID, commandSequence: started.sequence,
            outputLimit: outputLimit, secretCapture: secretCapture)
        var result: CommandResult
        do {
            result = try runner.run(request, sink: recorder)
        } catch {
            try recordFailedToStart(error, stepID: stepID, common: common, started: started, output: recorder)
            return Outcome(started: started, result: .failure(error), matched: false)
        }
        let stored = try recorder.finish()
        result.droppedBytes = max(result.droppedBytes, stored.droppedBytes)
        let matched = !result.timedOut && result.exitCode.map { expect.contains($0) } == true
        try beforeFinish(result, matched, recorder)
        _ = try record(
            EventDraft(
                .commandFinished, stepID: stepID,
                payload: .object(
                    Self.finishedPayload(
                        result, matched: matched, stored: stored, sequence: started.sequence, common: common))))
        return Outcome(started: started, result: .success(result), matched: matched)
    }

    /// Records `command.started` for `request`: `common` and `started` extra fields, the command, its shell, where it
    /// runs and its timeout.
    func recordStarted(
        _ request: CommandRequest, stepID: String?, common: [String: JSONValue], started extra: [String: JSONValue]
    ) throws -> RecordedEvent {
        var startedPayload = common.merging(extra) { _, new in new }
        startedPayload["command"] = .string(request.command)
        startedPayload["shell"] = .string(request.shell)
        // Without a directory of its own the command runs in ours: that is where it ran.
        startedPayload["cwd"] = .string(request.workingDirectory ?? FileManager.default.currentDirectoryPath)
        startedPayload["timeout"] = request.timeout.map { .double($0) } ?? .null
        return try record(EventDraft(.commandStarted, stepID: stepID, payload: .object(startedPayload)))
    }

    /// Records `command.failed_to_start` for a command the runner could not start (missing shell or directory),
    /// after committing what `output` holds.
    func recordFailedToStart(
        _ error: any Error, stepID: String?, common: [String: JSONValue], started: RecordedEvent,
        output: CommandOutputRecorder
    ) throws {
        try output.finish()
        var payload = common
        payload["error"] = .string((error as? any UserFacingError)?.summary ?? String(describing: error))
        payload["command_sequence"] = .int(started.sequence)
        _ = try record(EventDraft(.commandFailedToStart, stepID: stepID, payload: .object(payload)))
    }

    /// The payload of `command.finished`.
    static func finishedPayload(
        _ result: CommandResult, matched: Bool, stored: TranscriptOutputWriter.Summary, sequence: Int64,
        common: [String: JSONValue]
    ) -> [String: JSONValue] {
        var finished = common
        finished["exit_code"] = result.exitCode.map { .int(Int64($0)) } ?? .null
        finished["signal"] = result.signal.map { .int(Int64($0)) } ?? .null
        finished["duration"] = .double((result.duration * 1000).rounded() / 1000)
        finished["timed_out"] = .bool(result.timedOut)
        finished["expected"] = .bool(matched)
        finished["output_bytes"] = .int(Int64(result.outputBytes))
        finished["dropped_bytes"] = .int(Int64(result.droppedBytes))
        // Where in the stored output the dropped bytes were, so exports can mark the cut.
        if let cut = stored.droppedAt { finished["dropped_at"] = .int(Int64(cut)) }
        finished["command_sequence"] = .int(sequence)
        if let received = result.receivedSignal { finished["received_signal"] = .int(Int64(received)) }
        finished.merge(stored.payloadFields) { _, digest in digest }
        return finished
    }
}

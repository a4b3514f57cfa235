import Foundation

/// Background steps (Runme's `background`, docs/execution.md "Background steps"): approved like any step, started
/// detached, and the session moves on at once. The output goes only to the transcript (redacted and limited like
/// any step's, never to the screen), and a thread of its own waits for the command and records its
/// `command.finished`, marked `"background": true`, straight into the store. The state the session keeps is never
/// touched from that thread: the step counts as done when it starts (`SessionState`), and the REPL learns of the
/// end from `finishedBackgroundJobs()`.
extension IncidentSession {
    /// Starts a background step whose `command.started` is recorded.
    func startInBackground(
        command: String, stepID: String?, runbook: Runbook, attributes: StepAttributes, timeout: TimeInterval?,
        workingDirectory: String?, startedEvent: RecordedEvent
    ) throws -> StepRun {
        guard let starter = dependencies.backgroundRunner else { throw SessionError.noCurrentItem }
        let recorder = CommandOutputRecorder(
            screen: nil, store: dependencies.store, incidentID: incident.id, commandSequence: startedEvent.sequence,
            outputLimit: dependencies.outputLimit)
        let request = CommandRequest(
            command: command, shell: attributes.shell ?? runbook.shell, environment: childEnvironment(),
            workingDirectory: workingDirectory, timeout: timeout, interactive: false,
            isolation: dependencies.isolation)
        let running: RunningCommand
        do {
            running = try starter.start(request, sink: recorder)
        } catch {
            return try failedToStart(
                error, recorder: recorder, stepID: stepID, runbook: runbook, attributes: attributes,
                commandSequence: startedEvent.sequence)
        }
        let job = BackgroundJob(
            commandSequence: startedEvent.sequence, stepID: stepID, command: command,
            startedAt: startedEvent.timestamp)
        backgroundJobs.add(job, running: running)
        let waiter = BackgroundWaiter(
            running: running, recorder: recorder, jobs: backgroundJobs, store: dependencies.store,
            clock: dependencies.clock, incidentID: incident.id, actor: dependencies.actor, stepID: stepID,
            runbookID: runbook.id, expect: attributes.expect, commandSequence: startedEvent.sequence)
        Thread.detachNewThread { waiter.run() }
        return StepRun(
            outcome: .startedInBackground, expect: attributes.expect, onFail: attributes.onFail,
            commandSequence: startedEvent.sequence)
    }

    /// The session's background steps, running and ended, oldest first (`jobs`).
    public var backgroundJobList: [BackgroundJob] { backgroundJobs.all }

    /// Background steps that ended since the last call, each once: the REPL says so at its next prompt.
    public func finishedBackgroundJobs() -> [BackgroundJob] { backgroundJobs.newlyFinished() }

    /// Ends the background steps still running (SIGTERM to each process group, SIGKILL after `grace` seconds) and
    /// waits until each end is recorded. The session calls it before `resolve` and `abandon` record the end of
    /// the incident; the CLI calls it when the session ends otherwise (`quit`, `handoff`, end of input).
    @discardableResult
    public func stopBackgroundJobs(grace: TimeInterval = 5) -> [BackgroundJob] {
        backgroundJobs.stopAll(grace: grace)
    }

    /// Records `command.failed_to_start` for a command the runner could not start (missing shell or directory).
    func failedToStart(
        _ error: any Error, recorder: CommandOutputRecorder, stepID: String?, runbook: Runbook,
        attributes: StepAttributes, commandSequence: Int64
    ) throws -> StepRun {
        try recorder.finish()
        let message = (error as? any UserFacingError)?.summary ?? String(describing: error)
        try record(
            EventDraft(
                .commandFailedToStart, stepID: stepID,
                payload: ["runbook": .string(runbook.id), "error": .string(message)]))
        return StepRun(
            outcome: .failedToStart(message), expect: attributes.expect, onFail: attributes.onFail,
            commandSequence: commandSequence)
    }

    /// The payload of `command.finished`, for foreground and background steps alike.
    static func finishedPayload(
        runbookID: String, result: CommandResult, matched: Bool, commandSequence: Int64,
        stored: TranscriptOutputWriter.Summary
    ) -> [String: JSONValue] {
        var finished: [String: JSONValue] = [
            "runbook": .string(runbookID), "exit_code": result.exitCode.map { .int(Int64($0)) } ?? .null,
            "signal": result.signal.map { .int(Int64($0)) } ?? .null, "duration": .double(result.duration),
            "timed_out": .bool(result.timedOut), "expected": .bool(matched),
            "output_bytes": .int(Int64(result.outputBytes)), "dropped_bytes": .int(Int64(result.droppedBytes)),
            "command_sequence": .int(commandSequence),
        ]
        if let received = result.receivedSignal { finished["received_signal"] = .int(Int64(received)) }
        finished.merge(stored.payloadFields) { _, digest in digest }
        return finished
    }
}

/// What the thread of one background step needs: it waits for the command, then records its end.
private final class BackgroundWaiter: @unchecked Sendable {
    let running: RunningCommand
    let recorder: CommandOutputRecorder
    let jobs: BackgroundJobs
    let store: any TranscriptStore
    let clock: any Clock
    let incidentID: Int64
    let actor: String
    let stepID: String?
    let runbookID: String
    let expect: Set<Int32>
    let commandSequence: Int64

    init(
        running: RunningCommand, recorder: CommandOutputRecorder, jobs: BackgroundJobs, store: any TranscriptStore,
        clock: any Clock, incidentID: Int64, actor: String, stepID: String?, runbookID: String, expect: Set<Int32>,
        commandSequence: Int64
    ) {
        self.running = running
        self.recorder = recorder
        self.jobs = jobs
        self.store = store
        self.clock = clock
        self.incidentID = incidentID
        self.actor = actor
        self.stepID = stepID
        self.runbookID = runbookID
        self.expect = expect
        self.commandSequence = commandSequence
    }

    func run() {
        var result = running.wait()
        var recordingError: String?
        do {
            let stored = try recorder.finish()
            result.droppedBytes = max(result.droppedBytes, recorder.droppedBytes)
            let matched = !result.timedOut && result.exitCode.map { expect.contains($0) } == true
            var payload = IncidentSession.finishedPayload(
                runbookID: runbookID, result: result, matched: matched, commandSequence: commandSequence,
                stored: stored)
            payload["background"] = true
            _ = try store.append(
                EventDraft(.commandFinished, stepID: stepID, payload: .object(payload)), to: incidentID, actor: actor,
                at: clock.now())
        } catch {
            recordingError = (error as? any UserFacingError)?.summary ?? String(describing: error)
        }
        jobs.finish(commandSequence, result: result, recordingError: recordingError)
    }
}

import Foundation

/// Background steps (Runme's `background`, docs/execution.md "Background steps"): approved like any step, started
/// detached, and the session moves on at once. The output goes only to the transcript (redacted and limited like
/// any step's, never to the screen), and a thread of its own waits for the command and records its
/// `command.finished`, marked `"background": true`, straight into the store. The state the session keeps is never
/// touched from that thread: the step counts as done when it starts (`SessionState`), and the REPL learns of the
/// end from `finishedBackgroundJobs()`.
extension IncidentSession {
    /// Records `command.started` (marked background) for the approved `request` and starts it detached.
    func startInBackground(
        _ request: CommandRequest, stepID: String?, runbook: Runbook, attributes: StepAttributes,
        recorder: CommandRecorder
    ) throws -> StepRun {
        guard let starter = dependencies.backgroundRunner else { throw SessionError.noCurrentItem }
        var request = request
        request.collectsExports = false
        request.showsOutput = false
        let common: [String: JSONValue] = ["runbook": .string(runbook.id)]
        let started = try recorder.recordStarted(
            request, stepID: stepID, common: common,
            started: [
                "variables": .array(variableNames(in: request.command).map { .string($0) }),
                "interactive": false, "background": true,
            ])
        let output = CommandOutputRecorder(
            screen: nil, store: dependencies.store, incidentID: incident.id, commandSequence: started.sequence,
            outputLimit: dependencies.outputLimit)
        let running: RunningCommand
        do {
            running = try starter.start(request, sink: output)
        } catch {
            try recorder.recordFailedToStart(error, stepID: stepID, common: common, started: started, output: output)
            return StepRun(
                outcome: .failedToStart((error as? any UserFacingError)?.summary ?? String(describing: error)),
                expect: attributes.expect, onFail: attributes.onFail, commandSequence: started.sequence)
        }
        backgroundJobs.add(
            BackgroundJob(
                commandSequence: started.sequence, stepID: stepID, command: request.command,
                startedAt: started.timestamp),
            running: running)
        let waiter = BackgroundWaiter(
            running: running, output: output, jobs: backgroundJobs, store: dependencies.store,
            clock: dependencies.clock, incidentID: incident.id, actor: dependencies.actor, stepID: stepID,
            common: common, expect: attributes.expect, commandSequence: started.sequence)
        Thread.detachNewThread { waiter.run() }
        return StepRun(
            outcome: .startedInBackground, expect: attributes.expect, onFail: attributes.onFail,
            commandSequence: started.sequence)
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
}

/// What the thread of one background step needs: it waits for the command, then records its end.
private final class BackgroundWaiter: @unchecked Sendable {
    let running: RunningCommand
    let output: CommandOutputRecorder
    let jobs: BackgroundJobs
    let store: any TranscriptStore
    let clock: any Clock
    let incidentID: Int64
    let actor: String
    let stepID: String?
    let common: [String: JSONValue]
    let expect: Set<Int32>
    let commandSequence: Int64

    init(
        running: RunningCommand, output: CommandOutputRecorder, jobs: BackgroundJobs, store: any TranscriptStore,
        clock: any Clock, incidentID: Int64, actor: String, stepID: String?, common: [String: JSONValue],
        expect: Set<Int32>, commandSequence: Int64
    ) {
        self.running = running
        self.output = output
        self.jobs = jobs
        self.store = store
        self.clock = clock
        self.incidentID = incidentID
        self.actor = actor
        self.stepID = stepID
        self.common = common
        self.expect = expect
        self.commandSequence = commandSequence
    }

    func run() {
        var result = running.wait()
        var recordingError: String?
        do {
            let stored = try output.finish()
            result.droppedBytes = max(result.droppedBytes, stored.droppedBytes)
            let matched = !result.timedOut && result.exitCode.map { expect.contains($0) } == true
            var payload = CommandRecorder.finishedPayload(
                result, matched: matched, stored: stored, sequence: commandSequence, common: common)
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

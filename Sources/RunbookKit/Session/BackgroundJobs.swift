import Foundation

/// A step started with Runme's `background` attribute, as `jobs` lists it.
public struct BackgroundJob: Sendable, Hashable {
    /// The sequence of its `command.started` event: its number in the transcript.
    public var commandSequence: Int64
    public var stepID: String?
    public var command: String
    public var startedAt: Date
    /// How it ended, once it has.
    public var result: CommandResult?
    /// Why its end could not be recorded (a full disk), when it could not.
    public var recordingError: String?
}

/// The background steps of one session: started on approval, each waited for on a thread of its own, which
/// records its `command.finished` in the store when it ends. Thread-safe.
final class BackgroundJobs: @unchecked Sendable {
    private struct Entry {
        var job: BackgroundJob
        let running: RunningCommand
        let ended = DispatchSemaphore(value: 0)
        var reported = false
    }

    private let lock = NSLock()
    private var entries: [Int64: Entry] = [:]

    /// Every job, oldest first.
    var all: [BackgroundJob] {
        lock.withLock { entries.values.map(\.job).sorted { $0.commandSequence < $1.commandSequence } }
    }

    func add(_ job: BackgroundJob, running: RunningCommand) {
        lock.withLock { entries[job.commandSequence] = Entry(job: job, running: running) }
    }

    /// Called on the job's thread once its end is recorded (or could not be).
    func finish(_ sequence: Int64, result: CommandResult, recordingError: String?) {
        let ended: DispatchSemaphore? = lock.withLock {
            entries[sequence]?.job.result = result
            entries[sequence]?.job.recordingError = recordingError
            return entries[sequence]?.ended
        }
        ended?.signal()
    }

    /// Jobs that ended since the last call, each returned once.
    func newlyFinished() -> [BackgroundJob] {
        lock.withLock {
            var finished: [BackgroundJob] = []
            for key in entries.keys.sorted() where entries[key]!.job.result != nil && !entries[key]!.reported {
                entries[key]!.reported = true
                finished.append(entries[key]!.job)
            }
            return finished
        }
    }

    /// Ends every job still running: SIGTERM to its process group, SIGKILL after `grace` seconds, and waits until
    /// each end is recorded. Returns the jobs it stopped.
    func stopAll(grace: TimeInterval) -> [BackgroundJob] {
        let running = lock.withLock { entries.values.filter { $0.job.result == nil } }
        for entry in running { entry.running.terminate() }
        for entry in running where entry.ended.wait(timeout: .now() + grace) == .timedOut {
            entry.running.kill()
            entry.ended.wait()
        }
        let stopped = Set(running.map(\.job.commandSequence))
        return all.filter { stopped.contains($0.commandSequence) }
    }
}

import Foundation

/// The one way a running command's output reaches the transcript: redacted with the store's redactor (also a
/// secret split across two reads), limited to its head and tail (`outputLimit`), and committed in batches.
///
/// Redaction comes before the limit, so a secret cut by the limit is never stored half.
///
/// Committing every read of a chatty command would cost an fsync each; batching keeps up with
/// output at disk speed. The guarantee is bounded delay: a chunk is committed within `maxDelay`
/// (1 s by default) of being received, sooner when `maxBatchBytes` accumulate, and `finish()`
/// commits the rest, so call it before appending `command.finished`. Writes happen on a serial
/// queue, so the reading thread (and the responder's terminal) never waits for the disk, unless
/// more than `maxPendingBytes` are waiting.
///
/// Redaction holds the last few KiB back until more output shows how they continue. When the output pauses for
/// `quietAfter` (a quiet command such as `kubectl get pods -w`), its complete lines are released
/// (`StreamingRedactor.releaseCompleteLines`), so that `runbook follow` and the live page show them while it runs.
public final class TranscriptOutputWriter: OutputSink, @unchecked Sendable {
    /// Schedules `work` to run after `delay` seconds; injected so tests need not wait.
    public typealias Scheduler = @Sendable (_ delay: TimeInterval, _ work: @escaping @Sendable () -> Void) -> Void

    /// What was stored.
    public struct Summary: Sendable, Hashable {
        /// Chunks committed.
        public var chunks: Int
        /// Bytes committed, after redaction.
        public var bytes: Int
        /// Bytes kept out of the store by the output limit.
        public var droppedBytes: Int = 0
        /// Where in the stored bytes the dropped ones were (the end of the head), when any were dropped.
        public var droppedAt: Int?
        /// The `OutputDigest` of the chunks committed, in hex.
        public var sha256: String = OutputDigest().hex

        /// What `command.finished` records of it, binding the stored output into the hash chain:
        /// `output_sha256` and `output_chunks`.
        public var payloadFields: [String: JSONValue] {
            [OutputDigest.payloadKey: .string(sha256), OutputDigest.chunksKey: .int(Int64(chunks))]
        }
    }

    /// The incident of the command.
    public let incidentID: Int64
    /// The `seq` of the command's `command.started` event.
    public let commandSequence: Int64
    private let store: any TranscriptStore
    private let limiter: OutputLimiter
    /// The redaction stage: streaming for the executor's `Redactor`, per read for any other redactor.
    private var redacting: (any FinishingOutputSink)?
    private let maxDelay: TimeInterval
    private let maxBatchBytes: Int
    private let maxPendingBytes: Int
    private let schedule: Scheduler
    /// Runs the pause check (not on `queue`: a release may have to wait for `queue`'s flush).
    private let scheduleQuietCheck: Scheduler
    private let quietAfter: TimeInterval
    /// Reads received so far, and whether a pause check is scheduled.
    private var reads = 0
    private var quietCheckScheduled = false
    private let queue = DispatchQueue(label: "runbook.transcript.output")

    private let lock = NSLock()
    private var pending: [OutputChunk] = []
    private var pendingBytes = 0
    private var flushScheduled = false
    private var failure: (any Error)?
    private var stored = Summary(chunks: 0, bytes: 0)
    /// Set for a step that captures into a secret variable: its output is counted, never stored.
    private let secretCapture: String?
    private var secretBytes = 0
    private var secretOffset: TimeInterval?
    private var digest = OutputDigest()

    /// A writer for the command whose `command.started` event has `commandSequence`.
    ///
    /// With `secretCapture` (the name of the secret variable the step captures into), no byte of the output is
    /// written or indexed: `finish()` stores one chunk, `[secret output of capture NAME, N bytes]`, instead.
    public init(
        store: any TranscriptStore, incidentID: Int64, commandSequence: Int64,
        outputLimit: Int = OutputLimiter.defaultLimit, maxDelay: TimeInterval = 1, maxBatchBytes: Int = 1 << 20,
        maxPendingBytes: Int = 4 << 20, quietAfter: TimeInterval = 0.25, scheduler: Scheduler? = nil,
        secretCapture: String? = nil
    ) {
        self.store = store
        self.secretCapture = secretCapture
        let batches = BatchSink()
        let limiter = OutputLimiter(forwardingTo: batches, limit: outputLimit)
        self.limiter = limiter
        switch store.redactor {
        case let redactor as Redactor: redacting = StreamingRedactor(redactor: redactor, forwardingTo: limiter)
        case let redactor?: redacting = TextRedactingSink(redactor: redactor, forwardingTo: limiter)
        case nil: redacting = nil
        }
        self.incidentID = incidentID
        self.commandSequence = commandSequence
        self.maxDelay = maxDelay
        self.maxBatchBytes = maxBatchBytes
        self.maxPendingBytes = maxPendingBytes
        let queue = self.queue
        self.schedule =
            scheduler ?? { delay, work in
                queue.asyncAfter(deadline: .now() + delay, execute: work)
            }
        self.quietAfter = quietAfter
        self.scheduleQuietCheck =
            scheduler ?? { delay, work in
                DispatchQueue.global().asyncAfter(deadline: .now() + delay, execute: work)
            }
        batches.writer = self
    }

    /// Takes one read of the command's output; never blocks on the disk unless far behind.
    public func receive(_ bytes: Data, offset: TimeInterval) {
        if secretCapture != nil {
            lock.withLock {
                secretBytes += bytes.count
                if secretOffset == nil, !bytes.isEmpty { secretOffset = offset }
            }
            return
        }
        if let redacting { redacting.receive(bytes, offset: offset) } else { limiter.receive(bytes, offset: offset) }
        guard redacting is StreamingRedactor, !bytes.isEmpty else { return }
        let (count, schedule) = lock.withLock { () -> (Int, Bool) in
            reads += 1
            defer { quietCheckScheduled = true }
            return (reads, !quietCheckScheduled)
        }
        if schedule { checkQuiet(after: count) }
    }

    /// Releases the complete lines held back by redaction when no read came for `quietAfter` after read `count`;
    /// looks again later otherwise. One check is scheduled at a time.
    private func checkQuiet(after count: Int) {
        scheduleQuietCheck(quietAfter) { [weak self] in
            guard let self else { return }
            let latest = self.lock.withLock { () -> Int? in
                guard self.reads == count else { return self.reads }
                self.quietCheckScheduled = false
                return nil
            }
            if let latest {
                self.checkQuiet(after: latest)
            } else {
                (self.redacting as? StreamingRedactor)?.releaseCompleteLines()
            }
        }
    }

    /// Bytes of output kept out of the store by the limit so far.
    public var droppedBytes: Int { limiter.droppedBytes }

    /// A redacted, limited read, batched for the disk.
    fileprivate func batch(_ bytes: Data, offset: TimeInterval) {
        guard !bytes.isEmpty else { return }
        let (scheduleTimer, flushNow, mustWait) = lock.withLock { () -> (Bool, Bool, Bool) in
            // The store keeps offsets in milliseconds: reads within the same millisecond (a pty delivers
            // about 4 KiB per read) become one row, which loses no timing and saves a row per read.
            if let last = pending.last, last.data.count < maxBatchBytes,
                Self.millisecond(last.offset) == Self.millisecond(offset)
            {
                pending[pending.count - 1].data.append(bytes)
            } else {
                pending.append(OutputChunk(offset: offset, data: bytes))
            }
            pendingBytes += bytes.count
            let scheduleTimer = !flushScheduled
            flushScheduled = true
            return (scheduleTimer, pendingBytes >= maxBatchBytes, pendingBytes >= maxPendingBytes)
        }
        if scheduleTimer {
            // Half the allowed delay leaves room for the commit itself.
            schedule(maxDelay / 2) { [weak self] in
                guard let self else { return }
                self.queue.async { self.flush() }
            }
        }
        if mustWait {
            queue.sync { flush() }
        } else if flushNow {
            queue.async { [weak self] in self?.flush() }
        }
    }

    /// Commits everything received so far, then reports what was stored or the first failure.
    @discardableResult
    public func finish() throws -> Summary {
        if let name = secretCapture {
            let (count, offset) = lock.withLock { (secretBytes, secretOffset) }
            if let offset, count > 0 {
                batch(Data("[secret output of capture \(name), \(count) bytes]".utf8), offset: offset)
            }
        }
        if let redacting { redacting.finish() } else { limiter.finish() }
        queue.sync { flush() }
        return try lock.withLock {
            if let failure { throw failure }
            var summary = stored
            summary.droppedBytes = limiter.droppedBytes
            summary.droppedAt = limiter.droppedAt
            summary.sha256 = digest.hex
            return summary
        }
    }

    static func millisecond(_ offset: TimeInterval) -> Int64 { Int64((offset * 1000).rounded()) }

    /// Runs on `queue` only, so batches are committed in the order they were received.
    private func flush() {
        let batch = lock.withLock { () -> [OutputChunk] in
            let batch = pending
            pending = []
            pendingBytes = 0
            flushScheduled = false
            return batch
        }
        guard !batch.isEmpty else { return }
        do {
            try store.appendOutput(batch, incidentID: incidentID, commandSequence: commandSequence)
            lock.withLock {
                // The store numbers this command's chunks from 0 in the order committed (this writer is their
                // only source), and keeps offsets in whole milliseconds: the digest covers them as stored.
                for chunk in batch {
                    digest.add(
                        index: Int64(stored.chunks), offsetMilliseconds: Self.millisecond(chunk.offset),
                        bytes: chunk.data)
                    stored.chunks += 1
                }
                stored.bytes += batch.reduce(0) { $0 + $1.data.count }
            }
        } catch {
            lock.withLock { if failure == nil { failure = error } }
        }
    }
}

/// The end of the pipeline: hands limited output back to its writer for batching.
private final class BatchSink: OutputSink, @unchecked Sendable {
    weak var writer: TranscriptOutputWriter?
    func receive(_ bytes: Data, offset: TimeInterval) { writer?.batch(bytes, offset: offset) }
}

/// Redaction for a redactor that works on text only (not the executor's `Redactor`): each read on its own.
private final class TextRedactingSink: FinishingOutputSink {
    let redactor: any TextRedacting
    let downstream: OutputLimiter
    init(redactor: any TextRedacting, forwardingTo downstream: OutputLimiter) {
        self.redactor = redactor
        self.downstream = downstream
    }
    func receive(_ bytes: Data, offset: TimeInterval) {
        // Invalid UTF-8 is decoded lossily on purpose: a secret must not hide behind a stray byte.
        let text = String(decoding: bytes, as: UTF8.self)
        let redacted = redactor.redact(text)
        let unchanged = redacted == text && String(data: bytes, encoding: .utf8) != nil
        downstream.receive(unchanged ? bytes : Data(redacted.utf8), offset: offset)
    }
    func finish() { downstream.finish() }
}

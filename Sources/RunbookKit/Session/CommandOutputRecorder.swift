import Foundation

/// Passes a running command's output to the screen as it arrives, and to the transcript redacted and limited.
///
/// Storage goes redactor → `OutputLimiter` (head and tail of at most `outputLimit` bytes) → `TranscriptOutputWriter`,
/// which commits within a second of reading and before `command.finished`. The raw output is kept in memory (up to
/// `captureLimit` bytes) for `capture=VAR`.
final class CommandOutputRecorder: OutputSink, @unchecked Sendable {
    private let screen: any OutputSink
    private let writer: TranscriptOutputWriter
    private let limiter: OutputLimiter
    private let redactor: any TextRedacting
    /// Redacts across chunk boundaries (a secret split over two reads) when the redactor is the executor's.
    private let streaming: StreamingRedactor?
    private let lock = NSLock()
    private var capturedBytes = Data()
    private let captureLimit = 1 << 20

    init(
        screen: any OutputSink, store: any TranscriptStore, redactor: any TextRedacting, incidentID: Int64,
        commandSequence: Int64, outputLimit: Int = OutputLimiter.defaultLimit
    ) {
        self.screen = screen
        self.redactor = redactor
        let writer = TranscriptOutputWriter(store: store, incidentID: incidentID, commandSequence: commandSequence)
        self.writer = writer
        let limiter = OutputLimiter(forwardingTo: writer, limit: outputLimit)
        self.limiter = limiter
        streaming = (redactor as? Redactor).map { StreamingRedactor(redactor: $0, forwardingTo: limiter) }
    }

    /// Bytes of output kept out of the store by the limit.
    var droppedBytes: Int { limiter.droppedBytes }

    /// The output so far, unredacted (never stored as such).
    var captured: Data { lock.withLock { capturedBytes } }

    func receive(_ bytes: Data, offset: TimeInterval) {
        screen.receive(bytes, offset: offset)
        lock.withLock {
            if capturedBytes.count < captureLimit {
                capturedBytes.append(bytes.prefix(captureLimit - capturedBytes.count))
            }
        }
        // Secret values entered in this session and the redaction patterns are applied before the bytes leave
        // for the store, also when a secret is split across two reads.
        if let streaming {
            streaming.receive(bytes, offset: offset)
        } else if let text = String(data: bytes, encoding: .utf8) {
            limiter.receive(Data(redactor.redact(text).utf8), offset: offset)
        } else {
            limiter.receive(bytes, offset: offset)
        }
    }

    /// Commits what is pending; throws the first storage error seen while the command ran.
    func finish() throws {
        if let streaming { streaming.finish() } else { limiter.finish() }
        try writer.finish()
    }
}

import Foundation

/// Passes a running command's output to the screen as it arrives, and to the transcript through
/// `TranscriptOutputWriter` (which redacts, limits and commits it within a second, before `command.finished`).
/// The raw output is kept in memory (up to `captureLimit` bytes) for `capture=VAR`.
final class CommandOutputRecorder: OutputSink, @unchecked Sendable {
    private let screen: (any OutputSink)?
    private let writer: TranscriptOutputWriter
    private let lock = NSLock()
    private var capturedBytes = Data()
    private let captureLimit = 1 << 20

    init(
        screen: (any OutputSink)?, store: any TranscriptStore, incidentID: Int64, commandSequence: Int64,
        outputLimit: Int = OutputLimiter.defaultLimit, secretCapture: String? = nil
    ) {
        self.screen = screen
        writer = TranscriptOutputWriter(
            store: store, incidentID: incidentID, commandSequence: commandSequence, outputLimit: outputLimit,
            secretCapture: secretCapture)
    }

    /// The output so far, unredacted (never stored as such).
    var captured: Data { lock.withLock { capturedBytes } }

    func receive(_ bytes: Data, offset: TimeInterval) {
        screen?.receive(bytes, offset: offset)
        lock.withLock {
            if capturedBytes.count < captureLimit {
                capturedBytes.append(bytes.prefix(captureLimit - capturedBytes.count))
            }
        }
        writer.receive(bytes, offset: offset)
    }

    /// Commits what is pending and reports what was stored; throws the first storage error seen while the command
    /// ran.
    @discardableResult
    func finish() throws -> TranscriptOutputWriter.Summary {
        try writer.finish()
    }
}

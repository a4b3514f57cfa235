import Foundation

/// Passes a running command's output to the screen as it arrives, and stores it redacted in timed chunks.
///
/// Chunks are committed in batches, at the latest about a second after they were read and always before the
/// command's `command.finished`, so a crash loses at most the last second of output. The raw output is kept
/// in memory (up to `captureLimit` bytes) for `capture=VAR`.
final class CommandOutputRecorder: OutputSink, @unchecked Sendable {
    private let screen: any OutputSink
    private let store: any TranscriptStore
    private let redactor: any TextRedacting
    private let incidentID: Int64
    private let commandSequence: Int64
    private let lock = NSLock()
    private var pending: [OutputChunk] = []
    private var pendingBytes = 0
    private var lastFlushOffset: TimeInterval = 0
    private var storeError: (any Error)?
    private(set) var captured = Data()
    private let captureLimit = 1 << 20
    private let batchBytes = 64 << 10

    init(
        screen: any OutputSink, store: any TranscriptStore, redactor: any TextRedacting, incidentID: Int64,
        commandSequence: Int64
    ) {
        self.screen = screen
        self.store = store
        self.redactor = redactor
        self.incidentID = incidentID
        self.commandSequence = commandSequence
    }

    func receive(_ bytes: Data, offset: TimeInterval) {
        screen.receive(bytes, offset: offset)
        lock.withLock {
            if captured.count < captureLimit { captured.append(bytes.prefix(captureLimit - captured.count)) }
            // Redaction works on text; invalid UTF-8 becomes U+FFFD in the stored copy only.
            let text = redactor.redact(String(decoding: bytes, as: UTF8.self))
            pending.append(OutputChunk(offset: offset, data: Data(text.utf8)))
            pendingBytes += bytes.count
            if pendingBytes >= batchBytes || offset - lastFlushOffset >= 1 { flushLocked(at: offset) }
        }
    }

    /// Commits what is pending; throws the first storage error seen while the command ran.
    func finish() throws {
        try lock.withLock {
            flushLocked(at: lastFlushOffset)
            if let storeError { throw storeError }
        }
    }

    private func flushLocked(at offset: TimeInterval) {
        lastFlushOffset = offset
        guard !pending.isEmpty else { return }
        do {
            try store.appendOutput(pending, incidentID: incidentID, commandSequence: commandSequence)
        } catch {
            if storeError == nil { storeError = error }
        }
        pending.removeAll()
        pendingBytes = 0
    }
}

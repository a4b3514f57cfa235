import Foundation
import RunbookKit

/// An in-memory `OutputSink` that keeps every chunk, for unit tests of runners and output filters.
public final class CollectingOutputSink: FinishingOutputSink, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [OutputChunk] = []
    private var finishedCount = 0

    public init() {}

    public func receive(_ bytes: Data, offset: TimeInterval) {
        lock.withLock { stored.append(OutputChunk(offset: offset, data: bytes)) }
    }

    public func finish() { lock.withLock { finishedCount += 1 } }

    /// Every chunk, in arrival order.
    public var chunks: [OutputChunk] { lock.withLock { stored } }
    /// All bytes, concatenated.
    public var data: Data { chunks.reduce(into: Data()) { $0.append($1.data) } }
    /// All bytes as UTF-8 text (invalid bytes replaced).
    public var text: String { String(decoding: data, as: UTF8.self) }
    /// How many times `finish()` was called.
    public var finishCount: Int { lock.withLock { finishedCount } }
}

import Foundation

/// Reads an incident's events on a second thread, a few batches ahead of the exporter that formats them, so that
/// on a machine with two cores SQLite's work and the formatting overlap. The events still arrive in order, and at
/// most `capacity` batches of `batchSize` are held at once.
final class EventReadAhead: @unchecked Sendable {
    /// Events per batch handed from the reader to the exporter.
    static let batchSize = 512
    /// Batches the reader may be ahead.
    static let capacity = 8

    private let condition = NSCondition()
    private var batches: [[RecordedEvent]] = []
    private var readerDone = false
    private var readerError: (any Error)?
    private var stopped = false
    private let readerExited = DispatchSemaphore(value: 0)

    /// Calls `body` with each event `read` gives (on another thread), in order. An error of `read` is thrown here
    /// after the events before it; an error of `body` stops the reader and is thrown once it has finished.
    static func forEach(
        read: @escaping @Sendable (_ deliver: (RecordedEvent) throws -> Void) throws -> Void,
        _ body: (RecordedEvent) throws -> Void
    ) throws {
        let pipe = EventReadAhead()
        let thread = Thread {
            var batch: [RecordedEvent] = []
            batch.reserveCapacity(batchSize)
            do {
                try read { event in
                    batch.append(event)
                    if batch.count == batchSize {
                        try pipe.put(batch)
                        batch.removeAll(keepingCapacity: true)
                    }
                }
                if !batch.isEmpty { try pipe.put(batch) }
                pipe.finish(nil)
            } catch {
                // The events read before a failure still go out, then the failure.
                if !(error is Stopped), !batch.isEmpty { try? pipe.put(batch) }
                pipe.finish(error)
            }
            pipe.readerExited.signal()
        }
        thread.start()
        // Whatever happens here, the reader has left the store before this returns.
        defer {
            pipe.stop()
            pipe.readerExited.wait()
        }
        while let batch = try pipe.take() {
            for index in batch.indices { try body(batch[index]) }
        }
    }

    /// Why the reader stopped early: the exporter failed and no longer wants events.
    private struct Stopped: Error {}

    private func put(_ batch: [RecordedEvent]) throws {
        condition.lock()
        defer { condition.unlock() }
        while batches.count >= Self.capacity, !stopped { condition.wait() }
        if stopped { throw Stopped() }
        batches.append(batch)
        condition.broadcast()
    }

    private func finish(_ error: (any Error)?) {
        condition.lock()
        defer { condition.unlock() }
        readerDone = true
        if !(error is Stopped) { readerError = error }
        condition.broadcast()
    }

    /// The next batch; `nil` after the last; the reader's error once the batches before it are taken.
    private func take() throws -> [RecordedEvent]? {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty, !readerDone { condition.wait() }
        if !batches.isEmpty {
            condition.broadcast()
            return batches.removeFirst()
        }
        if let readerError { throw readerError }
        return nil
    }

    private func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }
}

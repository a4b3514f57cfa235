import Foundation
import Testing

@testable import RunbookKit

/// The second-thread reader of exports: order, errors from either side, and a reader that always finishes.
@Suite struct EventReadAheadTests {
    private struct Failure: Error, Equatable { let at: Int64 }

    private static func event(_ sequence: Int64) -> RecordedEvent {
        RecordedEvent(
            incidentID: 1, sequence: sequence, timestamp: Date(timeIntervalSince1970: Double(sequence)), actor: "a",
            type: .noteAdded, stepID: nil, payload: ["text": .string("note \(sequence)")], previousHash: "",
            hash: "")
    }

    @Test func eventsArriveInOrderAcrossManyBatches() throws {
        let count = Int64(EventReadAhead.batchSize * EventReadAhead.capacity * 3 + 17)
        var seen: [Int64] = []
        try EventReadAhead.forEach(read: { deliver in
            for sequence in 1...count { try deliver(Self.event(sequence)) }
        }) { seen.append($0.sequence) }
        #expect(seen == Array(1...count))
    }

    @Test func aReadErrorComesAfterTheEventsBeforeIt() {
        var seen: [Int64] = []
        #expect(throws: Failure(at: 1000)) {
            try EventReadAhead.forEach(read: { deliver in
                for sequence in 1...Int64(999) { try deliver(Self.event(sequence)) }
                throw Failure(at: 1000)
            }) { seen.append($0.sequence) }
        }
        #expect(seen == Array(1...999))
    }

    @Test func anExporterErrorStopsTheReaderWhichFinishesFirst() {
        let delivered = Counter()
        #expect(throws: Failure(at: 5)) {
            try EventReadAhead.forEach(read: { deliver in
                // Far more than the read-ahead can hold: only a stop ends this.
                for sequence in 1...Int64(10_000_000) {
                    try deliver(Self.event(sequence))
                    delivered.increment()
                }
            }) { event in
                if event.sequence == 5 { throw Failure(at: 5) }
            }
        }
        // The reader was stopped, not drained: it delivered at most what the read-ahead holds, plus a batch.
        #expect(delivered.value <= EventReadAhead.batchSize * (EventReadAhead.capacity + 2))
    }

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func increment() { lock.withLock { count += 1 } }
        var value: Int { lock.withLock { count } }
    }
}

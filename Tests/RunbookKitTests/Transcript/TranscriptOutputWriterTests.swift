import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// Holds the flush the writer scheduled, so a test can fire it instead of waiting a second.
final class ManualScheduler: @unchecked Sendable {
    private let lock = NSLock()
    private var scheduled: [(TimeInterval, @Sendable () -> Void)] = []

    var scheduler: TranscriptOutputWriter.Scheduler {
        { delay, work in self.lock.withLock { self.scheduled.append((delay, work)) } }
    }

    var delays: [TimeInterval] { lock.withLock { scheduled.map(\.0) } }

    func fireAll() {
        let work = lock.withLock {
            defer { scheduled = [] }
            return scheduled.map(\.1)
        }
        work.forEach { $0() }
    }
}

@Suite struct TranscriptOutputWriterTests {
    let clock = TestClock()

    func command(in store: SQLiteTranscriptStore) throws -> RecordedEvent {
        let (incident, _) = try store.declareIncident(.sample(), actor: "a@h", at: clock.now())
        return try store.append(
            EventDraft(.commandStarted, stepID: "tail-logs", payload: ["command": "tail -f app.log"]),
            to: incident.id, actor: "a@h", at: clock.now())
    }

    @Test(arguments: StoreKind.allCases)
    func finishCommitsEverythingInOrder(kind: StoreKind) throws {
        let store = try kind.make()
        let started = try command(in: store)
        let writer = TranscriptOutputWriter(
            store: store, incidentID: started.incidentID, commandSequence: started.sequence,
            scheduler: ManualScheduler().scheduler)
        for index in 0..<500 { writer.receive(Data("line \(index)\n".utf8), offset: Double(index) / 100) }
        let summary = try writer.finish()
        #expect(summary.chunks == 500)
        let chunks = try store.output(incidentID: started.incidentID, commandSequence: started.sequence)
        #expect(chunks.count == 500)
        #expect(String(decoding: chunks[499].data, as: UTF8.self) == "line 499\n")
        #expect(chunks.map(\.offset) == (0..<500).map { Double($0) / 100 })
    }

    @Test(arguments: StoreKind.allCases)
    func readsWithinOneMillisecondAreStoredAsOneChunk(kind: StoreKind) throws {
        let store = try kind.make()
        let started = try command(in: store)
        let writer = TranscriptOutputWriter(
            store: store, incidentID: started.incidentID, commandSequence: started.sequence,
            scheduler: ManualScheduler().scheduler)
        writer.receive(Data("one ".utf8), offset: 0.0101)
        writer.receive(Data("two ".utf8), offset: 0.0103)
        writer.receive(Data("three\n".utf8), offset: 0.0104)
        writer.receive(Data("later\n".utf8), offset: 0.011)
        let summary = try writer.finish()
        #expect(summary.chunks == 2)
        #expect(summary.bytes == 20)
        let chunks = try store.output(incidentID: started.incidentID, commandSequence: started.sequence)
        #expect(chunks.map { String(decoding: $0.data, as: UTF8.self) } == ["one two three\n", "later\n"])
        #expect(chunks.map(\.offset) == [0.01, 0.011])
    }

    @Test(arguments: StoreKind.allCases)
    func aChunkIsCommittedByTheScheduledFlushWithinTheDelay(kind: StoreKind) throws {
        let store = try kind.make()
        let started = try command(in: store)
        let manual = ManualScheduler()
        let writer = TranscriptOutputWriter(
            store: store, incidentID: started.incidentID, commandSequence: started.sequence, maxDelay: 1,
            scheduler: manual.scheduler)
        writer.receive(Data("first\n".utf8), offset: 0)
        writer.receive(Data("second\n".utf8), offset: 0.1)
        #expect(manual.delays.count == 1)
        #expect(manual.delays.allSatisfy { $0 <= 1 })
        #expect(try store.output(incidentID: started.incidentID, commandSequence: started.sequence).isEmpty)
        manual.fireAll()
        // The timer hands the flush to the writer's queue; an empty finish() waits for that queue.
        _ = try writer.finish()
        #expect(try store.output(incidentID: started.incidentID, commandSequence: started.sequence).count == 2)
    }

    /// A quiet command (`kubectl get pods -w`): redaction holds its output back until more shows how it goes on, so
    /// when the output pauses for `quietAfter`, its complete lines are released, redacted, and stored while it runs.
    @Test func aQuietCommandsCompleteLinesAreStoredWhileItRuns() throws {
        let store = try StoreKind.file.make(redactor: Redactor())
        let started = try command(in: store)
        let manual = ManualScheduler()
        let writer = TranscriptOutputWriter(
            store: store, incidentID: started.incidentID, commandSequence: started.sequence, quietAfter: 0.25,
            scheduler: manual.scheduler)
        func stored() throws -> String {
            try store.output(incidentID: started.incidentID, commandSequence: started.sequence)
                .map { String(decoding: $0.data, as: UTF8.self) }.joined()
        }
        writer.receive(Data("NAME   READY\napi-1  0/1  password=hunter2x\napi-2  1/".utf8), offset: 0)
        #expect(manual.delays == [0.25], "one pause check")
        writer.receive(Data("1\napi-3".utf8), offset: 0.1)
        #expect(manual.delays == [0.25], "still one")
        // A read came after the check was scheduled: it looks again rather than release.
        manual.fireAll()
        #expect(manual.delays == [0.25])
        #expect(try stored().isEmpty)
        // No read since: the complete lines go to the store (through the flush timer it arms).
        manual.fireAll()
        manual.fireAll()
        let lines = "NAME   READY\napi-1  0/1  password=[REDACTED:password]\napi-2  1/1\n"
        try waitUntil("the complete lines to be stored; stored: \((try? stored()) ?? "")") { try stored() == lines }
        _ = try writer.finish()
        #expect(try stored() == lines + "api-3")
        manual.fireAll()
        #expect(try stored() == lines + "api-3", "a pause check after the end adds nothing")
    }

    @Test func aLargeBatchFlushesWithoutWaitingForTheTimer() throws {
        let store = try StoreKind.file.make()
        let started = try command(in: store)
        let writer = TranscriptOutputWriter(
            store: store, incidentID: started.incidentID, commandSequence: started.sequence, maxBatchBytes: 1024,
            maxPendingBytes: 2048, scheduler: ManualScheduler().scheduler)
        let block = Data(repeating: UInt8(ascii: "x"), count: 1024)
        for index in 0..<3 { writer.receive(block, offset: Double(index)) }
        // Each full batch is handed to the writer's queue at once: every block is stored although the timer never
        // fires and finish() is not called. (How many are stored at the instant the last receive returns depends on
        // the queue's thread, so the test waits, with a deadline, rather than looking once.)
        try waitUntil("three blocks stored without the timer or finish()") {
            try store.output(incidentID: started.incidentID, commandSequence: started.sequence).count == 3
        }
        #expect(try writer.finish().bytes == 3072)
    }

    @Test func aFailedWriteIsReportedByFinish() throws {
        let store = try StoreKind.memory.make()
        let writer = TranscriptOutputWriter(
            store: store, incidentID: 99, commandSequence: 1, scheduler: ManualScheduler().scheduler)
        writer.receive(Data("lost\n".utf8), offset: 0)
        #expect(throws: TranscriptError.self) { try writer.finish() }
    }

    @Test(arguments: StoreKind.allCases)
    func outputCapturedIntoASecretIsReplacedInFullByOneChunk(kind: StoreKind) throws {
        let store = try kind.make()
        let started = try command(in: store)
        let scheduler = ManualScheduler()
        let writer = TranscriptOutputWriter(
            store: store, incidentID: started.incidentID, commandSequence: started.sequence,
            scheduler: scheduler.scheduler, secretCapture: "DB_PASSWORD")
        writer.receive(Data("s3cr".utf8), offset: 0.25)
        scheduler.fireAll()
        writer.receive(Data("et-value\n".utf8), offset: 0.5)
        let summary = try writer.finish()
        let chunks = try store.output(incidentID: started.incidentID, commandSequence: started.sequence)
        #expect(
            chunks.map { String(decoding: $0.data, as: UTF8.self) } == [
                "[secret output of capture DB_PASSWORD, 13 bytes]"
            ])
        #expect(chunks.map(\.offset) == [0.25])
        #expect(summary.chunks == 1)
        #expect(try store.search("s3cr*", limit: 10).isEmpty)
    }
}

import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit

@Suite struct SQLiteTranscriptStoreTests {
    let clock = TestClock()

    @Test(arguments: StoreKind.allCases)
    func manyBatchesContinueTheChunkNumbersAndOnlyTheFirstMebibyteIsSearchable(kind: StoreKind) throws {
        let store = try kind.make()
        let (incident, _) = try store.declareIncident(.sample(), actor: "a@h", at: clock.now())
        let started = try store.append(
            EventDraft(.commandStarted, payload: ["command": "cat big.log"]), to: incident.id, actor: "a@h",
            at: clock.now())
        // 360 KiB batches of two chunks: the word of the fourth batch begins past the first MiB.
        let block = Data(String(repeating: "filler ", count: 360 * 1024 / 7).utf8)
        let words = ["alphaword", "betaword", "gammaword", "deltaword"]
        for (batch, word) in words.enumerated() {
            try store.appendOutput(
                [
                    OutputChunk(offset: Double(batch), data: Data((word + "\n").utf8)),
                    OutputChunk(offset: Double(batch) + 0.5, data: block),
                ], incidentID: incident.id, commandSequence: started.sequence)
        }
        let chunks = try store.output(incidentID: incident.id, commandSequence: started.sequence)
        #expect(chunks.count == 8)
        #expect(chunks.map(\.offset) == [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5])
        #expect(String(decoding: chunks[6].data, as: UTF8.self) == "deltaword\n")
        for word in words.prefix(3) { #expect(try store.search(word).count == 1, "\(word)") }
        #expect(try store.search("deltaword").isEmpty)
    }

    /// The executor's `Redactor` as the store's: a secret split across two reads is still redacted, before the
    /// output limit keeps only the head and tail (so a cut never stores half a secret).
    @Test func outputThroughTheWriterIsRedactedAcrossReadsBeforeTheLimit() throws {
        let redactor = Redactor()
        redactor.addSecret(name: "TOKEN", value: "hunter2-secret")
        let store = try SQLiteTranscriptStore.inMemory(redactor: redactor)
        let (incident, _) = try store.declareIncident(.sample(), actor: "a@h", at: clock.now())
        let started = try store.append(
            EventDraft(.commandStarted, payload: ["command": "login"]), to: incident.id, actor: "a@h", at: clock.now())
        let writer = TranscriptOutputWriter(
            store: store, incidentID: incident.id, commandSequence: started.sequence, outputLimit: 30)
        writer.receive(Data("token=hunter2-".utf8), offset: 0)
        writer.receive(Data("secret\n".utf8), offset: 0.5)
        writer.receive(Data(String(repeating: "x", count: 100).utf8), offset: 1)
        let summary = try writer.finish()
        let stored = try store.output(incidentID: incident.id, commandSequence: started.sequence)
            .reduce(into: Data()) { $0.append($1.data) }
        let text = String(decoding: stored, as: UTF8.self)
        #expect(text.hasPrefix("token=[REDACTED:TOKEN]"))
        #expect(!text.contains("hunter2"))
        #expect(stored.count == 30)
        #expect(summary.bytes == 30)
        #expect(summary.droppedBytes == "token=[REDACTED:TOKEN]\n".utf8.count + 100 - 30)
    }

    @Test(arguments: StoreKind.allCases)
    func searchFindsNotesCommandsAndStrippedOutputNewestFirst(kind: StoreKind) throws {
        let store = try kind.make()
        let (incident, _) = try store.declareIncident(.sample(), actor: "a@h", at: clock.now())
        clock.advance(by: 1)
        let started = try store.append(
            EventDraft(.commandStarted, stepID: "restart-db", payload: ["command": "systemctl restart postgresql"]),
            to: incident.id, actor: "a@h", at: clock.now())
        try store.appendOutput(
            [OutputChunk(offset: 0.5, data: Data("\u{1B}[31mFATAL\u{1B}[0m: connection refused\r\n".utf8))],
            incidentID: incident.id, commandSequence: started.sequence)
        clock.advance(by: 5)
        let note = try store.append(
            EventDraft(.noteAdded, payload: ["text": "postgresql restarted, replica lag 3s"]), to: incident.id,
            actor: "a@h", at: clock.now())
        let hits = try store.search("postgresql")
        #expect(hits.map(\.kind) == [.note, .command])
        #expect(hits.map(\.sequence) == [note.sequence, started.sequence])
        #expect(hits[1].stepID == "restart-db")
        #expect(hits[1].snippet.contains("[postgresql]"))
        let output = try store.search("fatal refused")
        #expect(output.map(\.kind) == [.output])
        #expect(output.first?.snippet.contains("\u{1B}") == false)
        #expect(try store.search("restarting").count == 2)  // porter stemming
        #expect(try store.search("kubectl -n \"prod").isEmpty)  // shell text is searched as words, never a syntax error
    }

    @Test(arguments: StoreKind.allCases)
    func anEventTypeFromANewerRunbookIsNamedRatherThanMislabelled(kind: StoreKind) throws {
        let store = try kind.make()
        let (incident, _) = try store.declareIncident(.sample(), actor: "a@h", at: clock.now())
        try store.executeForTesting(
            """
            INSERT INTO events (incident, seq, ts_ms, actor, type, payload, prev_hash, hash)
            VALUES (\(incident.id), 2, 0, 'a@h', 'pager.rang', '{}', '', '')
            """)
        #expect(
            throws: TranscriptError.unknownEventType(
                path: store.path, type: "pager.rang", incidentID: incident.id, sequence: 2)
        ) {
            try store.events(incidentID: incident.id)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func batchAppendsAreChainedLikeSingleOnes(kind: StoreKind) throws {
        let store = try kind.make()
        let (incident, _) = try store.declareIncident(.sample(), actor: "a@h", at: clock.now())
        let events = try store.append(
            contentsOf: (0..<3).map { (EventDraft(.noteAdded, payload: ["text": .string("n\($0)")]), clock.now()) },
            to: incident.id, actor: "a@h")
        #expect(events.map(\.sequence) == [2, 3, 4])
        #expect(try store.events(incidentID: incident.id).suffix(3) == events[...])
        #expect(try store.verify(incidentID: incident.id).isIntact)
    }
}

import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit

@Suite struct SQLiteTranscriptStoreTests {
    let clock = TestClock()

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

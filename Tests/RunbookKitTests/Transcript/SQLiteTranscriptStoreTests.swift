import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit

@Suite struct SQLiteTranscriptStoreTests {
    let clock = TestClock()

    @Test(arguments: StoreKind.allCases)
    func declaringCreatesTheIncidentAndItsFirstEvent(kind: StoreKind) throws {
        let store = try kind.make()
        let (incident, event) = try store.declareIncident(.sample(), actor: "alice@bastion-1", at: clock.now())
        #expect(incident.title == "Database down")
        #expect(incident.status == .open)
        #expect(incident.severity == .p1)
        #expect(incident.policySnapshot?["contacts"] == ["DevOps Lead"])
        #expect(event.sequence == 1)
        #expect(event.type == .incidentDeclared)
        #expect(event.previousHash == "")
        #expect(event.payload["environment"] == "production")
        #expect(try store.incident(incident.id) == incident)
    }

    @Test(arguments: StoreKind.allCases)
    func appendedEventsAreNumberedChainedAndReadBackInOrder(kind: StoreKind) throws {
        let store = try kind.make()
        let (incident, first) = try store.declareIncident(.sample(), actor: "alice@h", at: clock.now())
        clock.advance(by: 1.2345)
        let shown = try store.append(
            EventDraft(.stepShown, stepID: "check-pods", payload: ["title": "Check pods"]), to: incident.id,
            actor: "alice@h", at: clock.now())
        let note = try store.append(
            EventDraft(.noteAdded, payload: ["text": "looks like the primary is gone"]), to: incident.id,
            actor: "bob@h", at: clock.now())
        #expect(shown.sequence == 2)
        #expect(note.sequence == 3)
        #expect(shown.previousHash == first.hash)
        #expect(note.previousHash == shown.hash)
        let events = try store.events(incidentID: incident.id)
        #expect(events == [first, shown, note])
        #expect(events[1].timestamp == Date(timeIntervalSince1970: 1_767_225_601.235))
        #expect(try store.verify(incidentID: incident.id).isIntact)
    }

    @Test(arguments: StoreKind.allCases)
    func eventsUpdateTheIncidentColumnsTheyImply(kind: StoreKind) throws {
        let store = try kind.make()
        let (incident, _) = try store.declareIncident(.sample(), actor: "a@h", at: clock.now())
        clock.advance(by: 60)
        _ = try store.append(
            EventDraft(.ackReceived, payload: ["by": "bob"]), to: incident.id, actor: "b@h", at: clock.now())
        let acknowledged = clock.now()
        clock.advance(by: 60)
        _ = try store.append(
            EventDraft(.ackReceived, payload: ["by": "carol"]), to: incident.id, actor: "c@h", at: clock.now())
        _ = try store.append(
            EventDraft(.severityChanged, payload: ["from": "P1", "to": "P0"]), to: incident.id, actor: "a@h",
            at: clock.now())
        clock.advance(by: 60)
        _ = try store.append(
            EventDraft(.statusChanged, payload: ["from": "open", "to": "mitigated"]), to: incident.id, actor: "a@h",
            at: clock.now())
        let mitigated = clock.now()
        clock.advance(by: 60)
        _ = try store.append(
            EventDraft(.incidentResolved, payload: [:]), to: incident.id, actor: "a@h", at: clock.now())
        let row = try #require(try store.incident(incident.id))
        #expect(row.severity == .p0)
        #expect(row.status == .resolved)
        #expect(row.acknowledgedAt == acknowledged)
        #expect(row.mitigatedAt == mitigated)
        #expect(row.resolvedAt == clock.now())
        #expect(try store.incidents(openOnly: true, drillsOnly: false).isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func anInvalidSeverityChangeIsRejectedAndRecordsNothing(kind: StoreKind) throws {
        let store = try kind.make()
        let (incident, _) = try store.declareIncident(.sample(), actor: "a@h", at: clock.now())
        #expect(throws: TranscriptError.self) {
            try store.append(
                EventDraft(.severityChanged, payload: ["to": "P9"]), to: incident.id, actor: "a@h", at: clock.now())
        }
        #expect(try store.events(incidentID: incident.id).count == 1)
        #expect(try store.incident(incident.id)?.severity == .p1)
    }

    @Test(arguments: StoreKind.allCases)
    func appendingToAMissingIncidentNamesIt(kind: StoreKind) throws {
        let store = try kind.make()
        #expect(throws: TranscriptError.unknownIncident(id: 42, path: store.path)) {
            try store.append(EventDraft(.noteAdded, payload: ["text": "x"]), to: 42, actor: "a@h", at: clock.now())
        }
    }

    @Test(arguments: StoreKind.allCases)
    func outputIsStoredInOrderAndOnlyForCommands(kind: StoreKind) throws {
        let store = try kind.make()
        let (incident, _) = try store.declareIncident(.sample(), actor: "a@h", at: clock.now())
        let started = try store.append(
            EventDraft(.commandStarted, stepID: "check-pods", payload: ["command": "kubectl get pods"]),
            to: incident.id, actor: "a@h", at: clock.now())
        try store.appendOutput(
            [OutputChunk(offset: 0.1, data: Data("NAME READY\n".utf8))], incidentID: incident.id,
            commandSequence: started.sequence)
        try store.appendOutput(
            [OutputChunk(offset: 0.25, data: Data("api-1 1/1\n".utf8))], incidentID: incident.id,
            commandSequence: started.sequence)
        let chunks = try store.output(incidentID: incident.id, commandSequence: started.sequence)
        #expect(chunks.map(\.offset) == [0.1, 0.25])
        #expect(String(decoding: chunks.flatMap(\.data), as: UTF8.self) == "NAME READY\napi-1 1/1\n")
        #expect(throws: TranscriptError.notACommand(incidentID: incident.id, sequence: 1)) {
            try store.appendOutput(
                [OutputChunk(offset: 0, data: Data("x".utf8))], incidentID: incident.id, commandSequence: 1)
        }
    }

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

    @Test(arguments: StoreKind.allCases)
    func theRedactorCoversPayloadsTitlesAndOutputWrittenThroughTheWriter(kind: StoreKind) throws {
        let store = try kind.make(redactor: SecretRedactor(secret: "hunter2"))
        let (incident, declared) = try store.declareIncident(
            .sample(title: "login with hunter2 fails"), actor: "a@h", at: clock.now())
        #expect(incident.title == "login with [REDACTED] fails")
        #expect(declared.payload["title"] == "login with [REDACTED] fails")
        let started = try store.append(
            EventDraft(.commandStarted, payload: ["command": "psql", "argv": ["-W", "hunter2"]]), to: incident.id,
            actor: "a@h", at: clock.now())
        #expect(started.payload["argv"] == ["-W", "[REDACTED]"])
        let writer = TranscriptOutputWriter(store: store, incidentID: incident.id, commandSequence: started.sequence)
        writer.receive(Data("token=hunter2\n".utf8), offset: 0)
        try writer.finish()
        let stored = try store.output(incidentID: incident.id, commandSequence: started.sequence)
        #expect(String(decoding: stored[0].data, as: UTF8.self) == "token=[REDACTED]\n")
        let events = try store.events(incidentID: incident.id)
        #expect(!events.map(\.payload.canonicalString).joined().contains("hunter2"))
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
    func incidentsAreListedNewestFirstAndFiltered(kind: StoreKind) throws {
        let store = try kind.make()
        let (old, _) = try store.declareIncident(.sample(title: "old"), actor: "a@h", at: clock.now())
        clock.advance(by: 10)
        let (drill, _) = try store.declareIncident(
            .sample(title: "drill", isDrill: true), actor: "a@h", at: clock.now())
        _ = try store.append(EventDraft(.incidentResolved), to: old.id, actor: "a@h", at: clock.now())
        #expect(try store.incidents(openOnly: false, drillsOnly: false).map(\.id) == [drill.id, old.id])
        #expect(try store.incidents(openOnly: true, drillsOnly: false).map(\.id) == [drill.id])
        #expect(try store.incidents(openOnly: false, drillsOnly: true).map(\.id) == [drill.id])
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
    func storeRefusesToUpdateOrDeleteEventsEvenThroughSQL(kind: StoreKind) throws {
        let store = try kind.make()
        let (incident, _) = try store.declareIncident(.sample(), actor: "a@h", at: clock.now())
        #expect(throws: (any Error).self) { try store.executeForTesting("UPDATE events SET actor = 'mallory'") }
        #expect(throws: (any Error).self) { try store.executeForTesting("DELETE FROM events") }
        #expect(try store.verify(incidentID: incident.id).isIntact)
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

import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit
@testable import RunbookPostgres

/// The behaviour every `TranscriptStore` backend shares, run against each: an SQLite file, and a real PostgreSQL
/// server when `RUNBOOK_TEST_POSTGRES` names one (`.ci/run` starts a throwaway cluster: scripts/pg-test-cluster).
protocol StoreBackend: Sendable {
    /// A new, empty store.
    func make(redactor: (any TextRedacting)?) throws -> any TranscriptStore
    /// A second store on the same database as `store` (another process, or another machine).
    func another(like store: any TranscriptStore) throws -> any TranscriptStore
    /// Raw SQL on `store`'s database, as someone with a SQL prompt would run it.
    func execute(_ sql: String, on store: any TranscriptStore) throws
    /// The SQL that lifts the append-only triggers, as the owner of the database file or schema can.
    var liftTriggers: String { get }
    /// The backend's verification.
    func verify(_ incidentID: Int64, in store: any TranscriptStore) throws -> VerificationResult
}

struct SQLiteFileBackend: StoreBackend {
    func make(redactor: (any TextRedacting)?) throws -> any TranscriptStore {
        try SQLiteTranscriptStore(path: TemporaryDirectory().path + "/t.sqlite3", redactor: redactor)
    }
    func another(like store: any TranscriptStore) throws -> any TranscriptStore {
        try SQLiteTranscriptStore(path: (store as! SQLiteTranscriptStore).path, redactor: nil)
    }
    func execute(_ sql: String, on store: any TranscriptStore) throws {
        try (store as! SQLiteTranscriptStore).executeForTesting(sql)
    }
    var liftTriggers: String { "DROP TRIGGER events_no_update; DROP TRIGGER outputs_no_update" }
    func verify(_ incidentID: Int64, in store: any TranscriptStore) throws -> VerificationResult {
        try (store as! SQLiteTranscriptStore).verify(incidentID: incidentID)
    }
}

/// Each store gets a schema of its own in the test database (`?options=-c search_path=…`).
struct PostgresBackend: StoreBackend {
    static let url = ProcessInfo.processInfo.environment["RUNBOOK_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }

    func make(redactor: (any TextRedacting)?) throws -> any TranscriptStore {
        let base = try PostgresLocation(url: try #require(Self.url))
        let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try PostgresTranscriptStore(location: base, redactor: nil).execute(sql: "CREATE SCHEMA \(schema)")
        var location = base
        location.options = "-c search_path=\(schema)"
        return try PostgresTranscriptStore(location: location, redactor: redactor)
    }
    func another(like store: any TranscriptStore) throws -> any TranscriptStore {
        try PostgresTranscriptStore(location: (store as! PostgresTranscriptStore).location, redactor: nil)
    }
    func execute(_ sql: String, on store: any TranscriptStore) throws {
        for statement in sql.split(separator: ";") {
            try (store as! PostgresTranscriptStore).execute(sql: String(statement))
        }
    }
    var liftTriggers: String { "ALTER TABLE events DISABLE TRIGGER USER; ALTER TABLE outputs DISABLE TRIGGER USER" }
    func verify(_ incidentID: Int64, in store: any TranscriptStore) throws -> VerificationResult {
        try (store as! PostgresTranscriptStore).verify(incidentID: incidentID)
    }
}

@Suite struct SQLiteStoreContractTests {
    let contract = StoreContract(backend: SQLiteFileBackend())
    @Test func declare() throws { try contract.declaringCreatesTheIncidentAndItsFirstEvent() }
    @Test func incidentKey() throws { try contract.aSecondDeclarationWithTheSameIncidentKeyIsRefused() }
    @Test func shareLinks() throws { try contract.shareLinksAreStoredByDigestUntilRemoved() }
    @Test func append() throws { try contract.appendedEventsAreNumberedChainedAndReadBackInOrder() }
    @Test func incidentRow() throws { try contract.eventsUpdateTheIncidentColumnsTheyImply() }
    @Test func invalidPayload() throws { try contract.anInvalidSeverityChangeIsRejectedAndRecordsNothing() }
    @Test func missingIncident() throws { try contract.appendingToAMissingIncidentFails() }
    @Test func output() throws { try contract.outputRoundTripsInOrderAndOnlyForCommands() }
    @Test func redaction() throws { try contract.theRedactorCoversPayloadsTitlesAndOutputThroughTheWriter() }
    @Test func listing() throws { try contract.incidentsAreListedNewestFirstAndFiltered() }
    @Test func appendOnly() throws { try contract.eventsRefuseUpdateAndDeleteEvenThroughSQL() }
    @Test(.ownThreads) func concurrentWriters() throws {
        try contract.twoWritersKeepTheSequenceGaplessAndTheChainLinear()
    }
    @Test func verifyIntact() throws { try contract.anUntouchedTranscriptVerifies() }
    @Test func verifyTampered() throws { try contract.verifyNamesTheFirstTamperedRow() }
}

@Suite(
    .enabled(
        if: PostgresBackend.url != nil,
        "RUNBOOK_TEST_POSTGRES is not set: no PostgreSQL server to test against (.ci/run starts one)"),
    .ownThreads)
struct PostgresStoreContractTests {
    let contract = StoreContract(backend: PostgresBackend())
    @Test func declare() throws { try contract.declaringCreatesTheIncidentAndItsFirstEvent() }
    @Test func incidentKey() throws { try contract.aSecondDeclarationWithTheSameIncidentKeyIsRefused() }
    @Test func shareLinks() throws { try contract.shareLinksAreStoredByDigestUntilRemoved() }
    @Test func append() throws { try contract.appendedEventsAreNumberedChainedAndReadBackInOrder() }
    @Test func incidentRow() throws { try contract.eventsUpdateTheIncidentColumnsTheyImply() }
    @Test func invalidPayload() throws { try contract.anInvalidSeverityChangeIsRejectedAndRecordsNothing() }
    @Test func missingIncident() throws { try contract.appendingToAMissingIncidentFails() }
    @Test func output() throws { try contract.outputRoundTripsInOrderAndOnlyForCommands() }
    @Test func redaction() throws { try contract.theRedactorCoversPayloadsTitlesAndOutputThroughTheWriter() }
    @Test func listing() throws { try contract.incidentsAreListedNewestFirstAndFiltered() }
    @Test func appendOnly() throws { try contract.eventsRefuseUpdateAndDeleteEvenThroughSQL() }
    @Test func concurrentWriters() throws { try contract.twoWritersKeepTheSequenceGaplessAndTheChainLinear() }
    @Test func verifyIntact() throws { try contract.anUntouchedTranscriptVerifies() }
    @Test func verifyTampered() throws { try contract.verifyNamesTheFirstTamperedRow() }
}

/// The shared test bodies.
struct StoreContract {
    let backend: any StoreBackend
    let clock = TestClock()

    func make(redactor: (any TextRedacting)? = nil) throws -> any TranscriptStore {
        try backend.make(redactor: redactor)
    }

    func declaringCreatesTheIncidentAndItsFirstEvent() throws {
        let store = try make()
        let (incident, event) = try store.declareIncident(.sample(), actor: "alice@bastion-1", at: clock.now())
        #expect(incident.title == "Database down")
        #expect(incident.status == .open)
        #expect(incident.severity == .p1)
        #expect(incident.policySnapshot?["contacts"] == ["DevOps Lead"])
        #expect(incident.incidentKey?.count == 32)
        #expect(event.sequence == 1)
        #expect(event.type == .incidentDeclared)
        #expect(event.previousHash == "")
        #expect(event.payload["environment"] == "production")
        #expect(try store.incident(incident.id) == incident)
        #expect(try store.events(incidentID: incident.id) == [event])
    }

    /// Two services declaring one alert group's incident from two processes: the second declaration with the key
    /// is refused, writes nothing, and says which key, so the caller can add to the first one instead.
    func aSecondDeclarationWithTheSameIncidentKeyIsRefused() throws {
        let store = try make()
        let other = try backend.another(like: store)
        var declaration = IncidentDeclaration.sample()
        declaration.incidentKey = "am-0123456789ab-1"
        let (first, _) = try store.declareIncident(declaration, actor: "serve@a", at: clock.now())
        #expect(first.incidentKey == "am-0123456789ab-1")
        #expect(throws: TranscriptError.duplicateIncidentKey(key: "am-0123456789ab-1")) {
            try other.declareIncident(declaration, actor: "serve@b", at: clock.now())
        }
        #expect(try store.incidents(openOnly: false, drillsOnly: false).map(\.id) == [first.id])
        // Keys drawn at random (no key given) never collide with it.
        let (second, _) = try other.declareIncident(.sample(), actor: "serve@b", at: clock.now())
        #expect(second.incidentKey != first.incidentKey)
    }

    /// `runbook serve share` on one machine, the service on another: a link added through one connection opens its
    /// incident through the other until it is removed, alone or with every link to the incident.
    func shareLinksAreStoredByDigestUntilRemoved() throws {
        let store = try make()
        let other = try backend.another(like: store) as! any ShareLinkStore
        let links = store as! any ShareLinkStore
        let (incident, _) = try store.declareIncident(.sample(), actor: "a@h", at: clock.now())
        let (second, _) = try store.declareIncident(.sample(), actor: "a@h", at: clock.now())
        let (a, b, c) = (
            String(repeating: "a", count: 64), String(repeating: "b", count: 64), String(repeating: "c", count: 64)
        )
        try links.addShareLink(digest: a, incidentID: incident.id, at: clock.now())
        try links.addShareLink(digest: b, incidentID: incident.id, at: clock.now())
        try links.addShareLink(digest: c, incidentID: second.id, at: clock.now())
        #expect(throws: TranscriptError.self) { try links.addShareLink(digest: "d", incidentID: 999, at: clock.now()) }
        #expect(try other.shareLinkIncident(digest: a) == incident.id)
        #expect(try other.shareLinkIncident(digest: c) == second.id)
        #expect(try other.shareLinkIncident(digest: "d") == nil)
        #expect(try other.removeShareLink(digest: a) == 1)
        #expect(try other.removeShareLink(digest: a) == 0)
        #expect(try links.shareLinkIncident(digest: a) == nil)
        #expect(try other.removeShareLinks(incidentID: incident.id) == 1)
        #expect(try links.shareLinkIncident(digest: b) == nil)
        #expect(try links.shareLinkIncident(digest: c) == second.id)
    }

    func appendedEventsAreNumberedChainedAndReadBackInOrder() throws {
        let store = try make()
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
        // The one hash implementation: what a store returns is what EventHash computes.
        let canonical = EventHash.canonicalEncoding(
            incidentID: incident.id, sequence: 3, timestampMilliseconds: 1_767_225_601_235, actor: "bob@h",
            type: "note.added", stepID: nil, payloadJSON: note.payload.canonicalString)
        #expect(note.hash == EventHash.hash(previousHash: shown.hash, canonical: canonical))
        let events = try store.events(incidentID: incident.id)
        #expect(events == [first, shown, note])
        #expect(events[1].timestamp == Date(timeIntervalSince1970: 1_767_225_601.235))
        var after: [Int64] = []
        try store.forEachEvent(incidentID: incident.id, after: 1, types: [.noteAdded], hashes: true) {
            after.append($0.sequence)
        }
        #expect(after == [3])
        #expect(try store.chainHead(incidentID: incident.id) == ChainHead(sequence: 3, hash: note.hash))
    }

    func eventsUpdateTheIncidentColumnsTheyImply() throws {
        let store = try make()
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

    func anInvalidSeverityChangeIsRejectedAndRecordsNothing() throws {
        let store = try make()
        let (incident, _) = try store.declareIncident(.sample(), actor: "a@h", at: clock.now())
        #expect(throws: TranscriptError.self) {
            try store.append(
                EventDraft(.severityChanged, payload: ["to": "P9"]), to: incident.id, actor: "a@h", at: clock.now())
        }
        #expect(try store.events(incidentID: incident.id).count == 1)
        #expect(try store.incident(incident.id)?.severity == .p1)
    }

    func appendingToAMissingIncidentFails() throws {
        let store = try make()
        #expect {
            try store.append(EventDraft(.noteAdded, payload: ["text": "x"]), to: 42, actor: "a@h", at: clock.now())
        } throws: { error in
            if case TranscriptError.unknownIncident(id: 42, _) = error { return true }
            return false
        }
    }

    func outputRoundTripsInOrderAndOnlyForCommands() throws {
        let store = try make()
        let (incident, _) = try store.declareIncident(.sample(), actor: "a@h", at: clock.now())
        let started = try store.append(
            EventDraft(.commandStarted, stepID: "check-pods", payload: ["command": "kubectl get pods"]),
            to: incident.id, actor: "a@h", at: clock.now())
        let binary = Data([0, 255, 0x1B, 0x5B, 0x33, 0x31, 0x6D, 10])
        try store.appendOutput(
            [
                OutputChunk(offset: 0.1, data: Data("NAME READY\n".utf8)),
                OutputChunk(offset: 0.2, data: binary),
            ], incidentID: incident.id, commandSequence: started.sequence)
        try store.appendOutput(
            [OutputChunk(offset: 0.25, data: Data("api-1 1/1\n".utf8))], incidentID: incident.id,
            commandSequence: started.sequence)
        let chunks = try store.output(incidentID: incident.id, commandSequence: started.sequence)
        #expect(chunks.map(\.offset) == [0.1, 0.2, 0.25])
        #expect(chunks[1].data == binary)
        #expect(try store.outputs(incidentID: incident.id) == [started.sequence: chunks])
        #expect(throws: TranscriptError.notACommand(incidentID: incident.id, sequence: 1)) {
            try store.appendOutput(
                [OutputChunk(offset: 0, data: Data("x".utf8))], incidentID: incident.id, commandSequence: 1)
        }
    }

    func theRedactorCoversPayloadsTitlesAndOutputThroughTheWriter() throws {
        let store = try make(redactor: SecretRedactor(secret: "hunter2"))
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
        let reread = try backend.another(like: store)
        #expect(try !reread.events(incidentID: incident.id).map(\.payload.canonicalString).joined().contains("hunter2"))
        #expect(try reread.incident(incident.id)?.title == "login with [REDACTED] fails")
    }

    func incidentsAreListedNewestFirstAndFiltered() throws {
        let store = try make()
        let (old, _) = try store.declareIncident(.sample(title: "old"), actor: "a@h", at: clock.now())
        clock.advance(by: 10)
        let (drill, _) = try store.declareIncident(
            .sample(title: "drill", isDrill: true), actor: "a@h", at: clock.now())
        _ = try store.append(EventDraft(.incidentResolved), to: old.id, actor: "a@h", at: clock.now())
        #expect(try store.incidents(openOnly: false, drillsOnly: false).map(\.id) == [drill.id, old.id])
        #expect(try store.incidents(openOnly: true, drillsOnly: false).map(\.id) == [drill.id])
        #expect(try store.incidents(openOnly: false, drillsOnly: true).map(\.id) == [drill.id])
    }

    func eventsRefuseUpdateAndDeleteEvenThroughSQL() throws {
        let store = try make()
        let (incident, declared) = try store.declareIncident(.sample(), actor: "a@h", at: clock.now())
        #expect(throws: (any Error).self) { try backend.execute("UPDATE events SET actor = 'mallory'", on: store) }
        #expect(throws: (any Error).self) { try backend.execute("DELETE FROM events", on: store) }
        #expect(try store.events(incidentID: incident.id) == [declared])
    }

    /// Two connections (as two machines would hold) append to one incident at once: every event is kept, the
    /// sequence has no gap and no duplicate, and each event links to the one before it.
    func twoWritersKeepTheSequenceGaplessAndTheChainLinear() throws {
        let store = try make()
        let (incident, _) = try store.declareIncident(.sample(), actor: "a@h", at: clock.now())
        let writers = [store, try backend.another(like: store)]
        let perWriter = 40
        let failures = LockedErrors()
        let group = DispatchGroup()
        for (number, writer) in writers.enumerated() {
            let thread = Thread { [clock] in
                for index in 0..<perWriter {
                    do {
                        _ = try writer.append(
                            EventDraft(.noteAdded, payload: ["text": .string("w\(number)-\(index)")]),
                            to: incident.id, actor: "w\(number)@h", at: clock.now())
                    } catch { failures.append(error) }
                }
                group.leave()
            }
            group.enter()
            thread.start()
        }
        #expect(group.wait(timeout: .now() + 120) == .success)
        #expect(failures.errors.isEmpty, "\(failures.errors)")
        let events = try store.events(incidentID: incident.id)
        #expect(events.map(\.sequence) == Array(1...Int64(1 + 2 * perWriter)))
        for (before, event) in zip(events, events.dropFirst()) { #expect(event.previousHash == before.hash) }
        #expect(Set(events.compactMap { $0.payload["text"]?.stringValue }).count == 2 * perWriter)
    }
}

extension StoreContract {
    /// An incident with a command, its output and its digest, a severity change and an ack.
    func recordedIncident(in store: any TranscriptStore) throws -> Int64 {
        let (incident, _) = try store.declareIncident(.sample(), actor: "a@h", at: clock.now())
        let started = try store.append(
            EventDraft(.commandStarted, payload: ["command": "kubectl get pods"]), to: incident.id, actor: "a@h",
            at: clock.now())
        let writer = TranscriptOutputWriter(store: store, incidentID: incident.id, commandSequence: started.sequence)
        writer.receive(Data("NAME READY\napi-1 1/1\n".utf8), offset: 0.5)
        let summary = try writer.finish()
        var finished: [String: JSONValue] = ["command_sequence": .int(started.sequence), "exit_code": 0]
        finished.merge(summary.payloadFields) { $1 }
        _ = try store.append(
            EventDraft(.commandFinished, payload: .object(finished)), to: incident.id, actor: "a@h", at: clock.now())
        _ = try store.append(
            EventDraft(.severityChanged, payload: ["from": "P1", "to": "P0"]), to: incident.id, actor: "a@h",
            at: clock.now())
        _ = try store.append(
            EventDraft(.ackReceived, payload: ["by": "bob"]), to: incident.id, actor: "b@h", at: clock.now())
        return incident.id
    }

    func anUntouchedTranscriptVerifies() throws {
        let store = try make()
        let id = try recordedIncident(in: store)
        let result = try backend.verify(id, in: store)
        #expect(result.isIntact, "\(result)")
        #expect(result.eventCount == 5)
        #expect(result.unboundOutputs.isEmpty)
    }

    /// The same tampering on each backend, found by the one verification: an event's payload, a byte of output,
    /// the incident row's severity, and its declared title.
    func verifyNamesTheFirstTamperedRow() throws {
        let cases: [(sql: String, sequence: Int64, reason: String)] = [
            ("UPDATE events SET payload = '{\"by\":\"mallory\"}' WHERE seq = 5", 5, "does not match its hash"),
            ("UPDATE outputs SET data = data || 'x'::bytea", 2, "the command at event #2"),
            ("UPDATE incidents SET severity = 'P3'", 4, "severity"),
            ("UPDATE incidents SET title = 'nothing happened'", 1, "title"),
        ]
        for tamper in cases {
            let store = try make()
            let id = try recordedIncident(in: store)
            try backend.execute(backend.liftTriggers, on: store)
            let sql =
                store is SQLiteTranscriptStore
                ? tamper.sql.replacingOccurrences(of: "data || 'x'::bytea", with: "data || x'78'") : tamper.sql
            try backend.execute(sql, on: store)
            let result = try backend.verify(id, in: store)
            #expect(result.firstBrokenSequence == tamper.sequence, "\(tamper.sql): \(result)")
            #expect(result.reason?.contains(tamper.reason) == true, "\(tamper.sql): \(result)")
        }
    }
}

/// Errors collected from several threads.
final class LockedErrors: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [any Error] = []
    func append(_ error: any Error) { lock.withLock { collected.append(error) } }
    var errors: [any Error] { lock.withLock { collected } }
}

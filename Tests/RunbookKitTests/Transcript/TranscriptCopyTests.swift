import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit
@testable import RunbookPostgres

/// `TranscriptCopier` (`runbook store copy`) between SQLite files, and through PostgreSQL when a server is given.
@Suite struct TranscriptCopyTests {
    /// A store with two incidents: the sample (output, an escalation, a hand-off, a resolution) and a second one
    /// with a large output that the SQLite store deflates.
    static func source() throws -> SQLiteTranscriptStore {
        let store = try SQLiteTranscriptStore(path: TemporaryDirectory().path + "/source.sqlite3", redactor: nil)
        try SampleIncident.record(into: store)
        let (incident, _) = try store.declareIncident(.sample(title: "Disk full"), actor: "bob@h", at: Date())
        let command = try store.append(
            EventDraft(.commandStarted, stepID: "df", payload: ["command": "df -h"]), to: incident.id, actor: "bob@h",
            at: Date())
        let big = Data(String(repeating: "/dev/sda1  100G  100G  0 100% /var\n", count: 400).utf8)
        try store.appendOutput(
            [OutputChunk(offset: 0.1, data: big), OutputChunk(offset: 0.2, data: Data("done\n".utf8))],
            incidentID: incident.id, commandSequence: command.sequence)
        _ = try store.append(
            EventDraft(.noteAdded, payload: ["text": "purged the journald archive"]), to: incident.id,
            actor: "bob@h", at: Date())
        return store
    }

    static func all(_ store: some TranscriptCopying) throws -> [StoredIncident] {
        try store.incidentIdentities().map { try #require(try store.storedIncident($0.id)) }
    }

    @Test func aCopyHoldsEveryIncidentEventAndChunkAsStoredAndVerifies() throws {
        let source = try Self.source()
        let destination = try SQLiteTranscriptStore(
            path: TemporaryDirectory().path + "/copy.sqlite3", redactor: SecretRedactor(secret: "journald"))
        let summary = try TranscriptCopier(from: source, named: "a", to: destination, named: "b").copy(
            allowBroken: false)
        let original = try Self.all(source)
        #expect(try Self.all(destination) == original)
        #expect(summary.incidents == 2)
        #expect(summary.verified == 2)
        #expect(summary.events == original.reduce(0) { $0 + $1.events.count })
        #expect(summary.outputBytes == original.reduce(0) { $0 + $1.outputBytes })
        #expect(summary.outputBytes > 14_000)
        // Copied as stored: the destination's redactor is not applied to what it receives.
        #expect(try destination.events(incidentID: 2).last?.payload["text"] == "purged the journald archive")
        for id in [Int64(1), 2] { #expect(try destination.verify(incidentID: id).isIntact) }
        // Search finds copied notes, commands and output, as it finds recorded ones.
        #expect(try destination.search("journald", limit: 5).map(\.incidentID) == [2])
        #expect(try !destination.search("sda1", limit: 5).isEmpty)
        // The next incident declared on the destination gets an id above the copied ones.
        let (next, _) = try destination.declareIncident(.sample(), actor: "carol@h", at: Date())
        #expect(next.id == 3)
    }

    @Test func aDestinationThatHoldsAnIdOrKeyIsRefusedAndNothingIsWritten() throws {
        let source = try Self.source()
        let destination = try SQLiteTranscriptStore(
            path: TemporaryDirectory().path + "/copy.sqlite3", redactor: nil)
        _ = try destination.declareIncident(.sample(title: "Already here"), actor: "carol@h", at: Date())
        #expect(throws: TranscriptCopyError.destinationHoldsIncidents(destination: "b", ids: [1])) {
            try TranscriptCopier(from: source, named: "a", to: destination, named: "b").copy(allowBroken: false)
        }
        #expect(try destination.incidentIdentities().map(\.id) == [1])
        #expect(try destination.incident(1)?.title == "Already here")
        #expect(try destination.events(incidentID: 1).count == 1)
    }

    @Test func aSecondCopyIntoTheSameDestinationIsRefused() throws {
        let source = try Self.source()
        let destination = try SQLiteTranscriptStore(path: TemporaryDirectory().path + "/copy.sqlite3", redactor: nil)
        let copier = TranscriptCopier(from: source, named: "a", to: destination, named: "b")
        _ = try copier.copy(allowBroken: false)
        let before = try Self.all(destination)
        #expect(throws: TranscriptCopyError.destinationHoldsIncidents(destination: "b", ids: [1, 2])) {
            try copier.copy(allowBroken: false)
        }
        #expect(try Self.all(destination) == before)
    }

    @Test func aSourceThatDoesNotVerifyIsRefusedUnlessAllowedThenCopiedBrokenAsItIs() throws {
        let source = try Self.source()
        try source.executeForTesting(
            """
            DROP TRIGGER events_no_update;
            UPDATE events SET payload = '{"text":"nothing was purged"}' WHERE incident = 2 AND seq = 3;
            """)
        let destination = try SQLiteTranscriptStore(path: TemporaryDirectory().path + "/copy.sqlite3", redactor: nil)
        let copier = TranscriptCopier(from: source, named: "a", to: destination, named: "b")
        #expect {
            try copier.copy(allowBroken: false)
        } throws: { error in
            guard case TranscriptCopyError.brokenSource(_, let results) = error else { return false }
            return results.map(\.incidentID) == [2] && results[0].firstBrokenSequence == 3
        }
        #expect(try destination.incidentIdentities().isEmpty)
        let summary = try copier.copy(allowBroken: true)
        #expect(summary.copiedBroken == [2])
        #expect(summary.verified == 1)
        #expect(try destination.verify(incidentID: 2).firstBrokenSequence == 3)
        #expect(try Self.all(destination) == Self.all(source))
    }
}

@Suite(
    .enabled(
        if: PostgresBackend.url != nil,
        "RUNBOOK_TEST_POSTGRES is not set: no PostgreSQL server to test against (.ci/run starts one)"),
    .ownThreads)
struct PostgresTranscriptCopyTests {
    @Test func sqliteToPostgresAndBackToANewFileKeepsEveryRowAndTheChains() throws {
        let source = try TranscriptCopyTests.source()
        let postgres = try PostgresBackend().make(redactor: nil) as! PostgresTranscriptStore
        let there = try TranscriptCopier(from: source, named: "a", to: postgres, named: "pg").copy(allowBroken: false)
        #expect(there.verified == 2)
        let back = try SQLiteTranscriptStore(path: TemporaryDirectory().path + "/back.sqlite3", redactor: nil)
        let again = try TranscriptCopier(from: postgres, named: "pg", to: back, named: "b").copy(allowBroken: false)
        #expect(again == there)
        let original = try TranscriptCopyTests.all(source)
        #expect(try TranscriptCopyTests.all(postgres) == original)
        #expect(try TranscriptCopyTests.all(back) == original)
        #expect(try postgres.events(incidentID: 1) == source.events(incidentID: 1))
        #expect(try postgres.outputs(incidentID: 2) == source.outputs(incidentID: 2))
        // The id sequence moved past the copied ids: the next declaration does not collide.
        let (next, _) = try postgres.declareIncident(.sample(), actor: "carol@h", at: Date())
        #expect(next.id == 3)
        #expect(throws: TranscriptCopyError.self) {
            try TranscriptCopier(from: source, named: "a", to: postgres, named: "pg").copy(allowBroken: false)
        }
        #expect(try postgres.incidentIdentities().map(\.id) == [1, 2, 3])
    }
}

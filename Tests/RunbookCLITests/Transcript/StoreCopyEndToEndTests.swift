import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit
@testable import RunbookPostgres

/// `runbook store copy` through the built binary: SQLite to SQLite everywhere, and SQLite → PostgreSQL → a new
/// SQLite file when a server is given.
@Suite(.ownThreads) struct StoreCopyEndToEndTests {
    /// An SQLite file with two incidents (the sample with output and a hand-off, and one with a large output).
    static func source() throws -> ScratchDatabase {
        let db = ScratchDatabase()
        let store = try SQLiteTranscriptStore(path: db.path)
        try SampleIncident.record(into: store)
        let (incident, _) = try store.declareIncident(
            IncidentDeclaration(
                title: "Disk full", runbook: "disk", environment: "production", severity: .p2, host: "ops-2",
                user: "bob"),
            actor: "bob@ops-2", at: SampleIncident.start)
        let command = try store.append(
            EventDraft(.commandStarted, stepID: "df", payload: ["command": "df -h"]), to: incident.id,
            actor: "bob@ops-2", at: SampleIncident.start.addingTimeInterval(5))
        let big = Data(String(repeating: "/dev/sda1  100G  100G  0 100% /var\n", count: 400).utf8)
        try store.appendOutput(
            [OutputChunk(offset: 0.1, data: big), OutputChunk(offset: 0.2, data: Data("done\n".utf8))],
            incidentID: incident.id, commandSequence: command.sequence)
        _ = try store.append(
            EventDraft(.noteAdded, payload: ["text": "purged the journald archive"]), to: incident.id,
            actor: "bob@ops-2", at: SampleIncident.start.addingTimeInterval(9))
        return db
    }

    /// `runbook transcript ID --format json --full` of each incident.
    static func transcripts(_ path: String, ids: [Int64]) throws -> [String] {
        try ids.map { id in
            let result = try BuiltBinary.run(
                ["transcript", String(id), "--format", "json", "--full", "--db", path], environment: ["RUNBOOK_DB": ""])
            #expect(result.status == 0, "\(result.stderr)")
            // An open incident's duration runs on with the clock; everything else must be the same.
            return result.stdout.split(separator: "\n").filter { !$0.contains("\"duration_seconds\"") }
                .joined(separator: "\n")
        }
    }

    func copy(_ from: String, _ to: String, _ extra: [String] = []) throws -> BuiltBinary.Result {
        try BuiltBinary.run(["store", "copy", "--from", from, "--to", to] + extra, environment: ["RUNBOOK_DB": ""])
    }

    /// What a person reads before moving a team: compared with Golden/help-store-copy.txt (RECORD_GOLDEN=1).
    @Test func theHelpOfStoreCopyMatchesItsGoldenFile() throws {
        let result = try BuiltBinary.run(["store", "copy", "--help"], environment: ["COLUMNS": "80"])
        #expect(result.status == 0, "\(result.stderr)")
        try Golden.check(result.stdout, against: "help-store-copy.txt")
    }

    @Test func aCopyIntoANewFileVerifiesAndHasTheSameTranscripts() throws {
        let source = try Self.source()
        let destination = ScratchDatabase().path
        let copied = try copy(source.path, destination)
        #expect(copied.status == 0, "\(copied.stderr)")
        #expect(copied.stdout.hasSuffix("verified 2 of 2\n"), "\(copied.stdout)")
        #expect(copied.stdout.contains("copied 2 incidents, "), "\(copied.stdout)")
        let verified = try BuiltBinary.run(["verify", "--all", "--db", destination], environment: ["RUNBOOK_DB": ""])
        #expect(verified.status == 0, "\(verified.stdout)")
        #expect(try Self.transcripts(destination, ids: [1, 2]) == Self.transcripts(source.path, ids: [1, 2]))
    }

    @Test func aSecondCopyIsRefusedWithExitStatus5AndWritesNothing() throws {
        let source = try Self.source()
        let destination = ScratchDatabase().path
        #expect(try copy(source.path, destination).status == 0)
        let before = try Self.transcripts(destination, ids: [1, 2])
        let again = try copy(source.path, destination)
        #expect(again.status == 5)
        #expect(again.stderr.contains("already holds incident(s) 1, 2"), "\(again.stderr)")
        #expect(again.stderr.contains("copy into a new SQLite file or an empty database"), "\(again.stderr)")
        #expect(try Self.transcripts(destination, ids: [1, 2]) == before)
        let store = try SQLiteTranscriptStore(readingEvidenceAt: destination)
        #expect(try store.incidentIdentities().map(\.id) == [1, 2])
    }

    @Test func aTamperedSourceIsRefusedWithExitStatus1AndNothingIsCopied() throws {
        let source = try Self.source()
        try SQLiteTranscriptStore(path: source.path).executeSQLForTesting(
            """
            DROP TRIGGER events_no_update;
            UPDATE events SET actor = 'mallory@h' WHERE incident = 1 AND seq = 4;
            """)
        let destination = ScratchDatabase().path
        let refused = try copy(source.path, destination)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("incident 1 in \(source.path) does not verify"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--allow-broken"), "\(refused.stderr)")
        #expect(try SQLiteTranscriptStore(readingEvidenceAt: destination).incidentIdentities().isEmpty)
        let allowed = try copy(source.path, destination, ["--allow-broken"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(allowed.stdout.contains("incident 1: "), "\(allowed.stdout)")
        #expect(allowed.stdout.contains("BROKEN at event #4, as in the source"), "\(allowed.stdout)")
        let verified = try BuiltBinary.run(["verify", "1", "--db", destination], environment: ["RUNBOOK_DB": ""])
        #expect(verified.status == 1)
        #expect(verified.stdout.contains("BROKEN at event #4"), "\(verified.stdout)")
    }

    @Test(
        .enabled(
            if: ProcessInfo.processInfo.environment["RUNBOOK_TEST_POSTGRES"].map { !$0.isEmpty } ?? false,
            "RUNBOOK_TEST_POSTGRES is not set: no PostgreSQL server to test against (.ci/run starts one)"))
    func sqliteToPostgresToANewFileKeepsEveryTranscript() throws {
        let source = try Self.source()
        let (url, _) = try PostgresStoreEndToEndTests().freshSchema()
        let there = try copy(source.path, url)
        #expect(there.status == 0, "\(there.stderr)")
        #expect(there.stdout.hasSuffix("verified 2 of 2\n"), "\(there.stdout)")
        let verified = try BuiltBinary.run(["verify", "--all", "--db", url], environment: ["RUNBOOK_DB": ""])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(verified.stdout.components(separatedBy: "intact").count == 3, "\(verified.stdout)")
        // The rows on the server are the source's, byte for byte.
        let sqlite = try SQLiteTranscriptStore(readingEvidenceAt: source.path)
        let postgres = try PostgresTranscriptStore(location: PostgresLocation(url: url), redactor: nil)
        for id in [Int64(1), 2] { #expect(try postgres.storedIncident(id) == sqlite.storedIncident(id)) }

        let back = ScratchDatabase().path
        let returned = try copy(url, back)
        #expect(returned.status == 0, "\(returned.stderr)")
        #expect(returned.stdout.hasSuffix("verified 2 of 2\n"), "\(returned.stdout)")
        #expect(try BuiltBinary.run(["verify", "--all", "--db", back], environment: ["RUNBOOK_DB": ""]).status == 0)
        #expect(try Self.transcripts(back, ids: [1, 2]) == Self.transcripts(source.path, ids: [1, 2]))

        let again = try copy(source.path, url)
        #expect(again.status == 5, "\(again.stderr)")
        #expect(try postgres.incidentIdentities().map(\.id) == [1, 2])
        #expect(try postgres.events(incidentID: 1) == sqlite.events(incidentID: 1))
    }
}

extension SQLiteTranscriptStore {
    /// Raw SQL on the file, as an attacker with the file would run it.
    fileprivate func executeSQLForTesting(_ sql: String) throws {
        try writer.write { db in try db.execute(sql: sql) }
    }
}

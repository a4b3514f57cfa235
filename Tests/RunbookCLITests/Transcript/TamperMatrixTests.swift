import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// The tamper matrix of `docs/reliability.md`: each change an attacker with write access to the database can make
/// with `sqlite3` (after dropping the append-only triggers), and what `runbook verify` says about it without an
/// anchor. Every row here is detected: exit 1, naming what changed.
@Suite struct TamperMatrixTests {
    /// One change, and the words `verify` must use for it.
    struct Tamper: Sendable, CustomStringConvertible {
        var description: String
        var sql: String
        var reported: [String]
    }

    static let dropTriggers = """
        DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;
        DROP TRIGGER outputs_no_update; DROP TRIGGER outputs_no_delete;
        """

    /// Incident 1: a recorded command with deflated output (event #2, #3), a note (#4), a command with a short raw
    /// output (#5, #6), an acknowledgement (#7), then resolved (#8).
    static func recordedIncident() throws -> ScratchDatabase {
        let db = ScratchDatabase()
        let first = try db.run(["record", "--", "yes 'hello world' | head -c 20000"])
        #expect(first.status == 0, "\(first.stderr)")
        try db.run(["note", "1", "rolled back the deploy"])
        let second = try db.run(["record", "--incident", "1", "--", "echo small output"])
        #expect(second.status == 0, "\(second.stderr)")
        try db.run(["ack", "1", "--by", "alice"])
        let store = try SQLiteTranscriptStore(path: db.path)
        _ = try store.append(EventDraft(.statusChanged, payload: ["to": "resolved"]), to: 1, actor: "alice", at: Date())
        let types = try store.events(incidentID: 1).map(\.type)
        #expect(
            types == [
                .incidentDeclared, .commandStarted, .commandFinished, .noteAdded, .commandStarted, .commandFinished,
                .ackReceived, .statusChanged,
            ])
        #expect(try db.sqlite("SELECT DISTINCT encoding FROM outputs WHERE command_seq = 2").contains("deflate"))
        #expect(try db.sqlite("SELECT encoding FROM outputs WHERE command_seq = 5") == "raw\n")
        return db
    }

    static let matrix: [Tamper] = [
        Tamper(
            description: "a byte of command output changed",
            sql: "UPDATE outputs SET data = CAST(replace(CAST(data AS TEXT), 'small', 'smell') AS BLOB) "
                + "WHERE command_seq = 5",
            reported: ["BROKEN at event #5", "output of the command at event #5", "does not match the digest"]),
        Tamper(
            description: "a chunk of command output deleted",
            sql: "DELETE FROM outputs WHERE command_seq = 5",
            reported: ["BROKEN at event #5", "does not match the digest recorded in event #6"]),
        Tamper(
            description: "incidents.status changed",
            sql: "UPDATE incidents SET status = 'open' WHERE id = 1",
            reported: ["BROKEN at event #8", "status: the row holds \"open\"", "\"resolved\""]),
        Tamper(
            description: "incidents.severity changed",
            sql: "UPDATE incidents SET severity = 'P0' WHERE id = 1",
            reported: ["BROKEN at event #1", "severity: the row holds \"P0\""]),
        Tamper(
            description: "incidents.declared_at_ms changed",
            sql: "UPDATE incidents SET declared_at_ms = declared_at_ms - 3600000 WHERE id = 1",
            reported: ["BROKEN at event #1", "(declared_at_ms: the row holds"]),
        Tamper(
            description: "incidents.acknowledged_at_ms cleared",
            sql: "UPDATE incidents SET acknowledged_at_ms = NULL WHERE id = 1",
            reported: ["BROKEN at event #7", "acknowledged_at_ms: the row holds NULL"]),
        Tamper(
            description: "outputs.size tampered",
            sql: "UPDATE outputs SET size = -1 WHERE command_seq = 2 AND encoding = 'deflate'",
            reported: ["BROKEN at event #2", "of the command at event #2: size -1 is impossible"]),
        Tamper(
            description: "outputs.size of a raw chunk tampered",
            sql: "UPDATE outputs SET size = 9999999 WHERE command_seq = 5",
            reported: ["BROKEN at event #5", "size is 9999999 but the raw data holds 13 bytes"]),
        Tamper(
            description: "a middle event's payload changed",
            sql: "UPDATE events SET payload = replace(payload, 'rolled back', 'never touched') WHERE seq = 4",
            reported: ["BROKEN at event #4", "does not match its hash"]),
    ]

    /// A value of the wrong type forged into the incident row is an error naming the column, never a crash (it
    /// trapped in GRDB's row subscript before).
    @Test func aWrongTypeInTheIncidentRowIsAnErrorNamingTheColumn() throws {
        let db = try Self.recordedIncident()
        _ = try db.sqlite("UPDATE incidents SET declared_at_ms = 'abc' WHERE id = 1;")
        for arguments in [["transcript", "1"], ["incidents"], ["export", "1", "--format", "json", "-o", "-"]] {
            let result = try db.run(arguments)
            #expect(result.status == 4, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains("the row of incident 1 cannot be read: column declared_at_ms holds"))
        }
        #expect(try db.run(["verify", "1"]).status == 1)
    }

    @Test(arguments: matrix) func verifyNamesEachChange(_ tamper: Tamper) throws {
        let db = try Self.recordedIncident()
        let clean = try db.run(["verify", "1"])
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        #expect(clean.stdout == "incident 1: intact (8 events)\n")
        try db.sqlite(Self.dropTriggers + tamper.sql)
        let result = try db.run(["verify", "1"])
        #expect(result.status == 1, "\(tamper): \(result.stdout)\(result.stderr)")
        for words in tamper.reported {
            #expect(result.stdout.contains(words), "\(tamper): \(result.stdout)")
        }
        #expect(result.stderr.contains("was changed after it was written"))
    }

    /// A forged size (negative, or far beyond what the stored bytes inflate to) made `transcript` and `export` die
    /// with SIGILL; now each names the row and exits 4.
    @Test(arguments: ["-1", "4611686018427387904", "20001"]) func aForgedSizeIsAnErrorNamingTheRowNotACrash(
        _ size: String
    ) throws {
        let db = try Self.recordedIncident()
        try db.sqlite(
            Self.dropTriggers + "UPDATE outputs SET size = \(size) WHERE command_seq = 2 AND encoding = 'deflate'")
        for arguments in [
            ["transcript", "1"], ["export", "1", "--format", "markdown", "-o", "-"],
            ["export", "1", "--format", "json", "-o", "-"],
        ] {
            let result = try db.run(arguments)
            #expect(result.status == 4, "\(arguments): \(result.status) \(result.stderr)")
            #expect(
                result.stderr.contains("of the command at event #2 of incident 1 cannot be read"),
                "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("runbook verify 1"))
        }
    }

    @Test func dataThatDoesNotInflateAndAnUnknownEncodingAreNamed() throws {
        let db = try Self.recordedIncident()
        try db.sqlite(
            Self.dropTriggers
                + "UPDATE outputs SET data = zeroblob(length(data)) WHERE command_seq = 2 AND encoding = 'deflate'")
        let transcript = try db.run(["transcript", "1"])
        #expect(transcript.status == 4)
        #expect(transcript.stderr.contains("the deflated data does not inflate"), "\(transcript.stderr)")
        let verify = try db.run(["verify", "1"])
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("BROKEN at event #2: output chunk "), "\(verify.stdout)")
        try db.sqlite(
            """
            UPDATE outputs SET encoding = 'raw', size = 0 WHERE command_seq = 2;
            UPDATE outputs SET encoding = 'gzip' WHERE command_seq = 5;
            """)
        let unknown = try db.run(["export", "1", "--format", "markdown", "-o", "-"])
        #expect(unknown.status == 4)
        #expect(unknown.stderr.contains("output chunk 0 of the command at event #5"), "\(unknown.stderr)")
        #expect(unknown.stderr.contains("unknown encoding \"gzip\""), "\(unknown.stderr)")
    }

    /// Output recorded before `command.finished` carried a digest is reported as not covered, and is no failure.
    @Test func outputRecordedWithoutADigestIsANoteNotAFailure() throws {
        let db = ScratchDatabase()
        let id = try db.declare()
        let store = try SQLiteTranscriptStore(path: db.path)
        let started = try store.append(
            EventDraft(.commandStarted, payload: ["command": "uptime"]), to: id, actor: "alice", at: Date())
        try store.appendOutput(
            [OutputChunk(offset: 0.01, data: Data("up 3 days\n".utf8))], incidentID: id,
            commandSequence: started.sequence)
        _ = try store.append(
            EventDraft(.commandFinished, payload: ["command_sequence": .int(started.sequence), "exit_code": 0]),
            to: id, actor: "alice", at: Date())
        let result = try db.run(["verify", String(id)])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(
            result.stdout.contains(
                "incident \(id): note: output not bound (recorded before runbook recorded output digests) for "
                    + "the command(s) at #2"), "\(result.stdout)")
    }
}

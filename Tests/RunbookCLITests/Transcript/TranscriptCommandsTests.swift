import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// The transcript commands through the built binary, on a real file.
@Suite struct TranscriptCommandsTests {
    let declared = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    /// An incident with a command, its 30 lines of coloured output, and a note, recorded through the library.
    func seed(_ db: ScratchDatabase) throws -> Int64 {
        let store = try SQLiteTranscriptStore(path: db.path)
        let (incident, _) = try store.declareIncident(
            IncidentDeclaration(
                title: "Primary database down", runbook: "database-issues", environment: "production",
                severity: .p0, host: "bastion-1", user: "alice"),
            actor: "alice@bastion-1", at: declared)
        let started = try store.append(
            EventDraft(.commandStarted, stepID: "promote-replica", payload: ["command": "pg_ctl promote -D /data"]),
            to: incident.id, actor: "alice@bastion-1", at: declared + 5)
        let lines = (1...30).map { "\u{1B}[32mline \($0)\u{1B}[0m: server promoting\n" }.joined()
        try store.appendOutput(
            [OutputChunk(offset: 0.2, data: Data(lines.utf8))], incidentID: incident.id,
            commandSequence: started.sequence)
        _ = try store.append(
            EventDraft(.commandFinished, stepID: "promote-replica", payload: ["exit_code": 0, "duration_ms": 1500]),
            to: incident.id, actor: "alice@bastion-1", at: declared + 6.5)
        _ = try store.append(
            EventDraft(.noteAdded, payload: ["text": "replica promoted, writes flowing again"]), to: incident.id,
            actor: "bob@laptop", at: declared + 65)
        return incident.id
    }

    @Test func declareThenNotesAreListedWithTheirSequenceNumbers() throws {
        let db = ScratchDatabase()
        let id = try db.declare(title: "Ingress 502s")
        let single = try db.run(["note", String(id), "looking", "at", "ingress"])
        #expect(single.stdout == "#2\n")
        let piped = try db.run(["note", String(id), "--stdin"], stdin: "first\n\nsecond\n")
        #expect(piped.stdout == "#3\n#4\n")
        let listed = try db.run(["incidents", "--open"])
        #expect(listed.status == 0)
        #expect(listed.stdout.contains("Ingress 502s"))
        #expect(listed.stdout.contains("P1"))
        let missing = try db.run(["note", "999", "x"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no incident 999"))
    }

    /// The one-shot commands open the store with the pattern redactor too: a password typed into a title or a note
    /// never reaches the database file.
    @Test func declareAndNoteStoreAPasswordRedacted() throws {
        let db = ScratchDatabase()
        let declared = try db.run([
            "declare", "--title", "login fails with password=hunter2", "--severity", "P2", "--env", "staging",
        ])
        #expect(declared.status == 0, "\(declared.stderr)")
        let id = declared.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let noted = try db.run(["note", id, "tried PGPASSWORD=hunter2 psql by hand"])
        #expect(noted.status == 0, "\(noted.stderr)")
        let shown = try db.run(["transcript", id])
        #expect(shown.stdout.contains("PGPASSWORD=[REDACTED:password]"), "\(shown.stdout)")
        for file in [db.path, db.path + "-wal"] where FileManager.default.fileExists(atPath: file) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            #expect(bytes.range(of: Data("hunter2".utf8)) == nil, "hunter2 in \(file)")
        }
    }

    /// `note`, `ack` and `declare` also know the directory's secrets: the value of a variable notifiers.yaml names,
    /// and the rules of redaction.yaml.
    @Test func oneShotCommandsRedactTheDirectorysSecrets() throws {
        let db = ScratchDatabase()
        let runbooks = db.directory + "/runbooks"
        try FileManager.default.createDirectory(atPath: runbooks, withIntermediateDirectories: true)
        try "notifiers:\n  - type: pagerduty\n    routing_key_env: PD_KEY\n"
            .write(toFile: runbooks + "/notifiers.yaml", atomically: true, encoding: .utf8)
        try "rules:\n  - name: ticket\n    pattern: 'TICKET-[0-9]{6}'\n"
            .write(toFile: runbooks + "/redaction.yaml", atomically: true, encoding: .utf8)
        let key = "R0ut1ngK3yQ7x9v2b8n4m6"
        let environment = ["PD_KEY": key]
        let declared = try db.run(
            [
                "declare", "--runbooks", runbooks, "--title", "pager key \(key) leaked", "--severity", "P3", "--env",
                "staging",
            ],
            environment: environment)
        #expect(declared.status == 0, "\(declared.stderr)")
        let id = declared.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let noted = try db.run(
            ["note", "--runbooks", runbooks, id, "key \(key) and TICKET-123456"], environment: environment)
        #expect(noted.status == 0, "\(noted.stderr)")
        let shown = try db.run(["transcript", id])
        #expect(shown.stdout.contains("[REDACTED:PD_KEY]"), "\(shown.stdout)")
        #expect(shown.stdout.contains("[REDACTED:ticket]"), "\(shown.stdout)")
        for file in [db.path, db.path + "-wal"] where FileManager.default.fileExists(atPath: file) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            #expect(bytes.range(of: Data(key.utf8)) == nil, "the key in \(file)")
            #expect(bytes.range(of: Data("TICKET-123456".utf8)) == nil, "the ticket in \(file)")
        }
        // A redaction.yaml that does not load stops a command that would record, naming the file.
        try "rules: [oops\n".write(toFile: runbooks + "/redaction.yaml", atomically: true, encoding: .utf8)
        let refused = try db.run(["note", "--runbooks", runbooks, id, "x"], environment: environment)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("redaction.yaml"), "\(refused.stderr)")
    }

    @Test func aDrillInProductionIsRefused() throws {
        let db = ScratchDatabase()
        let result = try db.run(["declare", "--title", "t", "--severity", "P2", "--env", "production", "--drill"])
        #expect(result.status == 5)
        let staging = try db.run(["declare", "--title", "t", "--severity", "P2", "--env", "staging", "--drill"])
        #expect(staging.status == 0)
        let drills = try db.run(["incidents", "--drill", "--format", "json"])
        let decoded = try #require(try JSONValue(parsing: drills.stdout).arrayValue)
        #expect(decoded.count == 1)
        #expect(decoded.first?["drill"] == true)
    }

    @Test func transcriptShowsUTCTimesElapsedTimesAndAbbreviatedOutput() throws {
        let db = ScratchDatabase()
        let id = try seed(db)
        let text = try db.run(["transcript", String(id)])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("2026-01-01 00:00:05Z  T+00:05  #2  command.started [promote-replica]"))
        #expect(text.stdout.contains("$ pg_ctl promote -D /data"))
        #expect(text.stdout.contains("2026-01-01 00:01:05Z  T+01:05  #4  note.added  bob@laptop"))
        #expect(text.stdout.contains("│ line 10: server promoting"))
        #expect(!text.stdout.contains("line 11:"))
        #expect(text.stdout.contains("20 more lines"))
        #expect(!text.stdout.contains("\u{1B}"))
        let full = try db.run(["transcript", String(id), "--full"])
        #expect(full.stdout.contains("│ line 30: server promoting"))
        let json = try db.run(["transcript", String(id), "--format", "json"])
        let document = try JSONValue(parsing: json.stdout)
        guard case .array(let events) = document["events"] else {
            Issue.record("no events in \(json.stdout)")
            return
        }
        #expect(events.count == 4)
        #expect(events[1]["output_truncated"] == true)
        #expect(events[1]["ts"] == "2026-01-01T00:00:05.000Z")
    }

    @Test func searchFindsANoteAndACommandOutputAcrossIncidents() throws {
        let db = ScratchDatabase()
        let id = try seed(db)
        let note = try db.run(["search", "writes", "flowing"])
        #expect(note.status == 0)
        #expect(note.stdout.contains("\(id) Primary database down"))
        #expect(note.stdout.contains("note"))
        let output = try db.run(["search", "server", "promoting", "--format", "json"])
        let hits = try #require(try JSONValue(parsing: output.stdout).arrayValue)
        #expect(hits.first?["kind"] == "output")
        #expect(hits.first?["step_id"] == "promote-replica")
        #expect(hits.first?["seq"] == 2)
        let command = try db.run(["search", "pg_ctl"])
        #expect(command.stdout.contains("promote-replica"))
        #expect(try db.run(["search", "nothing-like-this"]).stdout.contains("No matches"))
    }

    @Test func theDatabaseDefaultsToTranscriptsThenTheStateDirectory() throws {
        let root = ScratchDatabase().directory
        let project = root + "/project"
        try FileManager.default.createDirectory(atPath: project + "/transcripts", withIntermediateDirectories: true)
        let environment = ["RUNBOOK_DB": "", "XDG_STATE_HOME": root + "/state"]
        let inProject = try BuiltBinary.run(
            ["declare", "--title", "t", "--severity", "P3", "--env", "staging"], environment: environment,
            currentDirectory: URL(fileURLWithPath: project))
        #expect(inProject.status == 0, "\(inProject.stderr)")
        let projectFile = project + "/transcripts/runbook.sqlite3"
        #expect(try mode(projectFile) == 0o600)

        let elsewhere = try BuiltBinary.run(
            ["declare", "--title", "t", "--severity", "P3", "--env", "staging"], environment: environment,
            currentDirectory: URL(fileURLWithPath: root))
        #expect(elsewhere.status == 0, "\(elsewhere.stderr)")
        #expect(try mode(root + "/state/runbook/runbook.sqlite3") == 0o600)
        #expect(try mode(root + "/state/runbook") == 0o700)

        let flag = try BuiltBinary.run(
            ["incidents", "--db", root + "/flag.sqlite3"], environment: environment,
            currentDirectory: URL(fileURLWithPath: project))
        // --db wins over ./transcripts/; `incidents` only reads, so the missing file is named, not created.
        #expect(flag.status == 4)
        #expect(flag.stderr.contains("\(root)/flag.sqlite3: no transcript database here"), "\(flag.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root + "/flag.sqlite3"))
    }

    func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }
}

import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// `verify`, `export` and `transcript` read the database as evidence: a read-only file in a read-only directory
/// works, and nothing is written in the file or beside it.
@Suite struct ReadOnlyEvidenceTests {
    func chmod(_ path: String, _ mode: Int) throws {
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    func modified(_ path: String) throws -> Date? {
        try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
    }

    @Test func aReadOnlyDatabaseInAReadOnlyDirectoryIsReadAndLeftAsItWas() throws {
        let db = try TamperMatrixTests.recordedIncident()
        // The database and its anchor log, nothing else (no -wal or -shm left by the recording).
        let files = try FileManager.default.contentsOfDirectory(atPath: db.directory).sorted()
        #expect(files == ["runbook.sqlite3", "runbook.sqlite3.anchors"])
        let bytes = FileManager.default.contents(atPath: db.path)
        let mtime = try modified(db.path)
        try chmod(db.path, 0o444)
        try chmod(db.directory, 0o555)
        defer {
            try? chmod(db.directory, 0o755)
            try? chmod(db.path, 0o644)
        }
        let elsewhere = NSTemporaryDirectory() + "runbook-evidence-" + UUID().uuidString
        let commands = [
            ["verify", "1"], ["verify", "--all"], ["transcript", "1"], ["transcript", "1", "--format", "json"],
            ["export", "1", "--format", "markdown", "-o", "-"],
            ["export", "1", "--format", "json", "-o", elsewhere + "-root.json"],
        ]
        for arguments in commands {
            // As this user (root in CI: file modes do not stop it, so this shows what SQLite itself creates) …
            let result = try db.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            #expect(result.stdout.contains("hello world") || arguments[0] != "transcript")
            // … and as a user the modes do stop.
            let unprivileged = try BadDatabaseTests().runUnprivileged(
                arguments.map { $0.hasSuffix("-root.json") ? elsewhere + "-nobody.json" : $0 }, database: db.path)
            #expect(unprivileged.status == 0, "\(arguments): \(unprivileged.stderr)")
            if arguments == ["verify", "1"] || arguments == ["transcript", "1"] {
                #expect(unprivileged.stdout == result.stdout)
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: db.directory).sorted() == files)
        }
        #expect(FileManager.default.contents(atPath: db.path) == bytes)
        #expect(try modified(db.path) == mtime)
        let exported = try String(contentsOfFile: elsewhere + "-nobody.json", encoding: .utf8)
        #expect(exported.contains("rolled back the deploy"))
    }

    /// While a session holds the database (its -wal file beside it), readers see what it committed there.
    @Test func eventsStillInTheWriteAheadLogAreRead() throws {
        let db = try TamperMatrixTests.recordedIncident()
        let store = try SQLiteTranscriptStore(path: db.path)
        _ = try store.append(
            EventDraft(.noteAdded, payload: ["text": "still in the WAL"]), to: 1, actor: "bob", at: Date())
        #expect(FileManager.default.fileExists(atPath: db.path + "-wal"))
        let transcript = try db.run(["transcript", "1"])
        #expect(transcript.status == 0, "\(transcript.stderr)")
        #expect(transcript.stdout.contains("still in the WAL"))
        let verify = try db.run(["verify", "1"])
        #expect(verify.stdout == "incident 1: intact (9 events)\n", "\(verify.stdout)\(verify.stderr)")
        withExtendedLifetime(store) {}
    }

    @Test func aMissingDatabaseIsNamedAndNotCreated() throws {
        let db = ScratchDatabase()
        let result = try db.run(["verify", "--all"])
        #expect(result.status == 4)
        #expect(result.stderr.contains("\(db.path): no transcript database here"), "\(result.stderr)")
        #expect(result.stderr.contains("hint: check the path given with --db"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: db.path))
    }

    /// A mistyped `--db` on any command that only reads is exit 4, names the path, and creates neither the
    /// directory nor the database.
    @Test func commandsThatOnlyReadNeverCreateADatabase() throws {
        let root = ScratchDatabase().directory
        let missing = root + "/typo/runbook.sqlite3"
        let commands = [
            ["export", "1", "--format", "markdown", "-o", "-"], ["export", "1", "--format", "json"],
            ["transcript", "1"], ["verify", "1"], ["verify", "--all"], ["incidents"], ["search", "disk"],
            ["escalations", "1"],
        ]
        for arguments in commands {
            let result = try BuiltBinary.run(
                arguments + ["--db", missing], environment: ["RUNBOOK_DB": ""],
                currentDirectory: URL(fileURLWithPath: root))
            #expect(result.status == 4, "\(arguments): \(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains("\(missing): no transcript database here"), "\(arguments): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: root + "/typo"), "\(arguments)")
            #expect(!FileManager.default.fileExists(atPath: root + "/transcripts"), "\(arguments)")
        }
    }
}

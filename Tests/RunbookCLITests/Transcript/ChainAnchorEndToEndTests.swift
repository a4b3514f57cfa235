import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// What only a chain head kept outside the database detects, through the built binary: a cut-off tail and a chain
/// rewritten with every hash recomputed. Each change is made with `sqlite3` after dropping the append-only
/// triggers, as an attacker with write access to the file would.
@Suite struct ChainAnchorEndToEndTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/session").path

    /// An incident with notes, mitigated and resolved in a scripted session: the anchor log then has a line for
    /// the declaration, the mitigation and the resolve.
    func resolvedIncident() throws -> ScratchDatabase {
        let db = ScratchDatabase()
        let session = try db.run(
            ["start", "triage", "--env", "staging", "--runbooks", Self.fixtures],
            stdin: "note alpha\nnote the quick fix\nmitigated\nresolve done\n")
        #expect(session.status == 0, "\(session.stdout)\n\(session.stderr)")
        return db
    }

    @Test func aCutOffTailPassesTheChainButNotTheAnchorLog() throws {
        let db = try resolvedIncident()
        let log = db.path + ".anchors"
        let anchors = try AnchorLog(path: log).anchors(incidentID: 1)
        #expect(anchors.map(\.eventType) == ["incident.declared", "status.changed", "incident.resolved"])
        let last = try #require(anchors.last).head.sequence
        #expect(try db.run(["verify", "1", "--anchor", log]).status == 0)

        // Deleting the last events leaves a shorter chain whose every link still holds; an attacker also sets the
        // incident row back to what the remaining events imply (verify checks the row against them).
        try db.sqlite(
            "DROP TRIGGER events_no_delete; DELETE FROM events WHERE incident = 1 AND seq >= \(last - 1); "
                + "UPDATE incidents SET status = 'open', mitigated_at_ms = NULL, resolved_at_ms = NULL WHERE id = 1;")
        let alone = try db.run(["verify", "1"])
        #expect(alone.status == 0, "the chain alone cannot see a cut-off tail: \(alone.stdout)")
        #expect(alone.stdout.contains("intact"))

        let anchored = try db.run(["verify", "1", "--anchor", log])
        #expect(anchored.status == 1, "\(anchored.stdout)\n\(anchored.stderr)")
        #expect(anchored.stdout.contains("anchor 1:\(anchors[0].head.hash)"))
        #expect(anchored.stdout.contains("holds"))
        #expect(anchored.stdout.contains("TRUNCATED: event #\(last) is not in the database"))
        #expect(anchored.stderr.contains("incident 1 in \(db.path) was truncated: event #\(last - 1) is gone"))
        #expect(anchored.stderr.contains("(anchor from \(log):2)"))
    }

    @Test func aRewrittenChainPassesTheChainButNotTheHeadFromAnExport() throws {
        let db = try resolvedIncident()
        let export = try db.run(["export", "1", "--format", "json", "-o", "-"])
        #expect(export.status == 0, "\(export.stderr)")
        let head = try #require(try JSONValue(parsing: export.stdout)["chain_head"])
        let anchor = "\(try #require(head["seq"]?.intValue)):\(try #require(head["hash"]?.stringValue))"
        #expect(try db.run(["verify", "1", "--anchor", anchor]).status == 0)

        // Change a note and recompute every hash after it: the chain is consistent again.
        let previous = try db.rewriteChain { event in
            event.payload["text"] == "the quick fix" ? ["text": "nothing to see"] : event.payload
        }
        #expect(try db.sqlite("SELECT count(*) FROM events WHERE payload LIKE '%nothing to see%'") == "1\n")

        let alone = try db.run(["verify", "1"])
        #expect(alone.status == 0, "the chain alone cannot see a rewrite: \(alone.stdout)")
        let anchored = try db.run(["verify", "1", "--anchor", anchor])
        #expect(anchored.status == 1, "\(anchored.stdout)\n\(anchored.stderr)")
        #expect(anchored.stdout.contains("REWRITTEN: event #\(head["seq"]?.intValue ?? 0) now has hash \(previous)"))
        #expect(anchored.stderr.contains("was rewritten"))
        // The anchor log written at the time says the same, and so does the export file itself.
        #expect(try db.run(["verify", "1", "--anchor", db.path + ".anchors"]).status == 1)
        let file = db.directory + "/export.json"
        try export.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let fromFile = try db.run(["verify", "1", "--anchor", file])
        #expect(fromFile.status == 1, "\(fromFile.stdout)\n\(fromFile.stderr)")
        #expect(fromFile.stdout.contains("(\(file) (export chain_head)): REWRITTEN"))
    }

    @Test func everyExportFormatCarriesTheHeadItWasTakenAt() throws {
        let db = try resolvedIncident()
        let head = try #require(try SQLiteTranscriptStore(path: db.path).chainHead(incidentID: 1))
        let markdown = try db.run(["export", "1", "--format", "markdown", "-o", "-"])
        #expect(markdown.stdout.contains("Chain head: event #\(head.sequence), SHA-256 `\(head.hash)`"))
        #expect(markdown.stdout.contains("`runbook verify 1 --anchor \(head)`"))
        let cast = try db.run(["export", "1", "--format", "asciicast", "-o", "-"])
        let header = try JSONValue(parsing: String(cast.stdout.prefix { $0 != "\n" }))
        #expect(header["chain_head"] == head.json)
    }

    @Test func anAnchorThatIsNeitherAFileNorSeqColonHashIsAUsageError() throws {
        let db = ScratchDatabase()
        let id = try db.declare()
        let result = try db.run(["verify", String(id), "--anchor", "3:nothex"])
        #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("not SEQ:HASH"))
        let all = try db.run(["verify", "--all", "--anchor", db.path + ".anchors"])
        #expect(all.status == 2)
        #expect(all.stderr.contains("--anchor checks one incident"))
        let empty = db.directory + "/empty.anchors"
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        let other = try db.run(["verify", String(id), "--anchor", empty])
        #expect(other.status == 2, "\(other.stderr)")
        #expect(other.stderr.contains("holds no anchor of incident \(id)"))
        let missing = try db.run(["verify", String(id), "--anchor", db.directory + "/nothing-here"])
        #expect(missing.status == 2, "\(missing.stderr)")
        #expect(missing.stderr.contains("cannot read the anchor file \(db.directory)/nothing-here"))
    }
}

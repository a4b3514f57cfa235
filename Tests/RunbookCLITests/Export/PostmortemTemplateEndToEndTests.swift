import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// The postmortem template through the built binary: the facts recorded from the REPL and the one-shot commands,
/// and `export --update`, which keeps the author's words.
@Suite struct PostmortemTemplateEndToEndTests {
    static let runbook = """
        ---
        title: Checkout
        environments: [staging]
        ---
        # Checkout

        ## Look

        ```bash {id=look risk=read}
        echo looking
        ```

        """

    private func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// `text` on its own paragraph right after the end marker of block `name`.
    private func append(_ text: String, after name: String, in document: String) throws -> String {
        let marker = try #require(document.range(of: "<!-- runbook:end \(name) sha256:"))
        let lineEnd = try #require(document.range(of: "\n", range: marker.upperBound..<document.endIndex))
        return document.replacingCharacters(in: lineEnd, with: "\n\n\(text)\n")
    }

    /// The text of block `name` in `document`.
    private func block(_ name: String, in document: String) throws -> Substring {
        let begin = try #require(document.range(of: "<!-- runbook:begin \(name) -->"))
        let end = try #require(
            document.range(of: "<!-- runbook:end \(name) ", range: begin.upperBound..<document.endIndex))
        return document[begin.upperBound..<end.lowerBound]
    }

    @Test func factsFromTheREPLAndTheCommandLineAppearInTheExports() throws {
        let scratch = ScratchDatabase()
        let runbooks = scratch.directory + "/runbooks"
        try FileManager.default.createDirectory(atPath: runbooks, withIntermediateDirectories: true)
        try Self.runbook.write(toFile: runbooks + "/checkout.md", atomically: true, encoding: .utf8)
        let session = try BuiltBinary.run(
            ["start", "checkout", "--env", "staging", "--runbooks", runbooks, "--db", scratch.path],
            stdin: """
                impact-start -20m checkout errors for EU users
                cause a config push without a canary
                action add a canary stage --owner alice --priority P1 --ticket OPS-7
                y
                resolve rolled the config back

                """)
        #expect(session.status == 0, "\(session.stdout)\n\(session.stderr)")
        #expect(session.stdout.contains("impact start recorded"), "\(session.stdout)")
        for arguments in [
            ["detected", "1", "-2m", "the", "checkout", "SLO", "alert"], ["cause", "1", "the", "alert", "was", "slow"],
            ["action", "1", "tune", "the", "alert", "--owner", "bob", "--ticket", "OPS-8"],
        ] {
            let result = try scratch.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            #expect(result.stdout.hasPrefix("#"), "\(arguments): \(result.stdout)")
        }

        let markdown = try scratch.run(["export", "1", "-o", "-"])
        #expect(markdown.status == 0, "\(markdown.stderr)")
        let text = markdown.stdout
        #expect(try block("summary", in: text).contains("rolled the config back"))
        #expect(try block("impact", in: text).contains("Impact began: checkout errors for EU users"))
        #expect(try block("detection", in: text).contains("Detected: the checkout SLO alert"))
        #expect(try block("detection", in: text).contains("Time to detect: 18m"))
        #expect(try block("metrics", in: text).contains("- **Time to detect:** 18m"))
        let causes = try block("root-causes", in: text)
        #expect(causes.contains("a config push without a canary") && causes.contains("the alert was slow"))
        let actions = try block("action-items", in: text)
        #expect(actions.contains("| add a canary stage | alice | P1 | OPS-7 |"), "\(actions)")
        #expect(actions.contains("| tune the alert | bob | — | OPS-8 |"), "\(actions)")
        let moments = try block("key-moments", in: text)
        // `detected -2m`, typed after the session, is before the declaration.
        let order = ["Impact began", "Detected", "Incident declared", "Resolved"].map {
            moments.range(of: $0)?.lowerBound
        }
        #expect(order.allSatisfy { $0 != nil } && order.map { $0! } == order.map { $0! }.sorted(), "\(moments)")

        let json = try scratch.run(["export", "1", "--format", "json", "-o", "-"])
        #expect(json.status == 0, "\(json.stderr)")
        let value = try JSONValue(parsing: json.stdout)
        let types = try #require(value["events"]?.arrayValue).compactMap { $0["type"]?.stringValue }
        for type in ["impact.started", "incident.detected", "cause.added", "action.added"] {
            #expect(types.contains(type), "no \(type) in \(types)")
        }
        let detect = try #require(value["metrics"]?["time_to_detect_seconds"]?.doubleValue)
        #expect(abs(detect - 18 * 60) < 30, "\(detect)")
        #expect(
            try ExternalTool.schemaViolations(of: Data(json.stdout.utf8), schemaPath: ExportCommandTests.schemaPath)
                == nil)
    }

    @Test func aBadTimeOrMissingTextIsExitTwoWithAHintAndRecordsNothing() throws {
        let scratch = ScratchDatabase()
        let id = try scratch.declare()
        let before = try SQLiteTranscriptStore(path: scratch.path).events(incidentID: id).count
        for arguments in [
            ["impact-start", "\(id)", "soon"], ["detected", "\(id)", "25:00"], ["impact-start", "\(id)"],
            ["impact-start", "\(id)", "-1h30"], ["cause", "\(id)"], ["action", "\(id)", "--owner", "bob"],
        ] {
            let result = try scratch.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.stdout) \(result.stderr)")
            #expect(result.stderr.contains("error:"), "\(arguments): \(result.stderr)")
        }
        let bad = try scratch.run(["impact-start", "\(id)", "soon"])
        #expect(bad.stderr.contains("\"soon\" as the TIME of impact-start"), "\(bad.stderr)")
        #expect(
            bad.stderr.contains("hint: give a UTC time of day (impact-start 14:05), a time ago (impact-start -15m)"))
        #expect(try SQLiteTranscriptStore(path: scratch.path).events(incidentID: id).count == before)
    }

    /// The round trip of the issue: export, write in three sections, a late note, `export --update`.
    @Test func updateKeepsTheAuthorsTextAndAddsTheLateNote() throws {
        let scratch = ScratchDatabase()
        let id = try scratch.declare()
        #expect(try scratch.run(["note", "\(id)", "first look: 502s on checkout"]).status == 0)
        let path = scratch.directory + "/postmortem.md"
        let first = try scratch.run(["export", "\(id)", "-o", path])
        #expect(first.status == 0, "\(first.stderr)")
        var document = try read(path)
        document = try append("All EU checkouts failed for 20 minutes.", after: "impact", in: document)
        document = try append("A config push skipped the canary.", after: "root-causes", in: document)
        document = try append("- [ ] Review the **deploy** policy (Dana)", after: "action-items", in: document)
        try document.write(toFile: path, atomically: false, encoding: .utf8)
        #expect(try scratch.run(["note", "\(id)", "late: payments confirmed healthy"]).status == 0)

        let update = try scratch.run(["export", "\(id)", "--update", path])
        #expect(update.status == 0, "\(update.stderr)")
        #expect(update.stdout == path + "\n")
        let updated = try read(path)
        for kept in [
            "All EU checkouts failed for 20 minutes.", "A config push skipped the canary.",
            "- [ ] Review the **deploy** policy (Dana)",
        ] {
            #expect(updated.contains("\n\n\(kept)\n"), "lost: \(kept)")
        }
        #expect(try block("timeline", in: updated).contains("Note: late: payments confirmed healthy"))
        #expect(try block("notes", in: updated).contains("late: payments confirmed healthy"))
        // What the author wrote stays where it was: between the block it followed and the next heading.
        let impactEnd = try #require(updated.range(of: "<!-- runbook:end impact "))
        let trigger = try #require(updated.range(of: "## Trigger"))
        #expect(updated[impactEnd.upperBound..<trigger.lowerBound].contains("All EU checkouts failed"))
    }

    @Test func anEditedBlockIsAConflictThatWritesNothing() throws {
        let scratch = ScratchDatabase()
        let id = try scratch.declare()
        #expect(try scratch.run(["note", "\(id)", "first look"]).status == 0)
        let path = scratch.directory + "/postmortem.md"
        #expect(try scratch.run(["export", "\(id)", "-o", path]).status == 0)
        let edited = try read(path).replacingOccurrences(of: "Note: first look", with: "Note: first look (by Dana)")
        try edited.write(toFile: path, atomically: false, encoding: .utf8)
        #expect(try scratch.run(["note", "\(id)", "late note"]).status == 0)

        let update = try scratch.run(["export", "\(id)", "--update", path])
        #expect(update.status == 5, "\(update.stdout) \(update.stderr)")
        let line =
            try #require(
                edited.components(separatedBy: "\n").firstIndex { $0 == "<!-- runbook:begin timeline -->" }) + 1
        #expect(update.stderr.contains("\(path):\(line):1: error: conflict in section timeline"), "\(update.stderr)")
        #expect(update.stderr.contains("nothing was written"))
        #expect(update.stderr.contains("hint:"))
        #expect(try read(path) == edited)
    }

    @Test func aFileSavedWithCRLFIsUpdatedAndStaysCRLF() throws {
        let scratch = ScratchDatabase()
        let id = try scratch.declare()
        let path = scratch.directory + "/postmortem.md"
        #expect(try scratch.run(["export", "\(id)", "-o", path]).status == 0)
        let document = try append("Edited in Notepad.", after: "summary", in: try read(path))
        try document.replacingOccurrences(of: "\n", with: "\r\n").write(
            toFile: path, atomically: false, encoding: .utf8)
        #expect(try scratch.run(["note", "\(id)", "after the edit"]).status == 0)

        let update = try scratch.run(["export", "\(id)", "--update", path])
        #expect(update.status == 0, "\(update.stderr)")
        let updated = try read(path)
        #expect(updated.contains("\r\n\r\nEdited in Notepad.\r\n"))
        #expect(updated.contains("Note: after the edit"))
        #expect(!updated.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "a bare LF is left")
    }
}

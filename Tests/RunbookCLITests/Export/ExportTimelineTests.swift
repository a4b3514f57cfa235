import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// The Markdown timeline through the built binary: rows that keep their meaning, one row per command, and times
/// that agree with each other, also in a drill.
@Suite struct ExportTimelineTests {
    static let runbook = """
        ---
        title: Rows
        environments: [staging]
        ---
        # Rows

        ## Acknowledge

        - [ ] Page the database owner
        - [ ] Post in the incident channel

        ## Check

        ```bash {id=check risk=read}
        echo checking; exit 3
        ```

        ## After

        ```bash {id=after risk=read}
        echo after-check
        ```

        """

    /// The rows of the timeline table, as cmark-gfm reads them (the text of each row's last cell).
    static func timelineRows(_ markdown: String) throws -> [String] {
        let start = try #require(markdown.range(of: "### Full log\n"))
        let end = try #require(markdown.range(of: "\n\n## ", range: start.upperBound..<markdown.endIndex))
        return markdown[start.upperBound..<end.lowerBound].split(separator: "\n").filter { $0.hasPrefix("| 2") }.map(
            String.init)
    }

    @Test func rowsSayWhatHappenedOnePerCommand() throws {
        let scratch = ScratchDatabase()
        let runbooks = scratch.directory + "/runbooks"
        try FileManager.default.createDirectory(atPath: runbooks, withIntermediateDirectories: true)
        try Self.runbook.write(toFile: runbooks + "/rows.md", atomically: true, encoding: .utf8)
        let session = try scratch.run(
            ["start", "rows", "--env", "staging", "--runbooks", runbooks],
            stdin: "d\nd\ny\nc\ny\nsh echo adhoc-check\ny\ngoto check\ns not again\nresolve done\n")
        #expect(session.status == 0, "\(session.stdout)\n\(session.stderr)")
        let markdown = try scratch.run(["export", "1", "--format", "markdown", "-o", "-"]).stdout
        let rows = try Self.timelineRows(markdown)
        let text = rows.joined(separator: "\n")
        #expect(text.contains("Manual step done: Page the database owner"), "\(text)")
        #expect(text.contains("Manual step done: Post in the incident channel"), "\(text)")
        #expect(text.contains("Continued after a failure to step after"), "\(text)")
        #expect(text.contains("Went to step Check (goto)"), "\(text)")
        #expect(text.contains("Check: ran echo checking; exit 3 → exit 3 (unexpected) in "), "\(text)")
        #expect(text.contains("Ad-hoc command: ran echo adhoc-check → exit 0 in "), "\(text)")
        #expect(!text.contains("?"), "\(text)")
        // Only the start opens the runbook; the moves after it say what they were.
        #expect(rows.filter { $0.contains("Runbook rows opened") }.count == 1, "\(text)")
        // One row per command: no rows of their approval, start or finish.
        #expect(rows.filter { $0.contains("echo after-check") }.count == 1, "\(text)")
        #expect(!text.contains("approved") && !text.contains("Command finished"), "\(text)")

        // Every command says where it ran, also without a `cwd` of its own (the directory `runbook` ran in).
        let json = try scratch.run(["export", "1", "--format", "json", "-o", "-"])
        let commands = try #require(try JSONValue(parsing: json.stdout)["commands"]?.arrayValue)
        #expect(commands.count == 3)
        #expect(commands.allSatisfy { $0["cwd"]?.stringValue == BuiltBinary.packageRoot.path }, "\(commands)")
    }

    /// The notifications section says what was sent, to whom, and whether it arrived, and which escalation sent
    /// nothing at all.
    @Test func notificationsSayWhatWasSentAndWhatWasNot() throws {
        let scratch = ScratchDatabase()
        let store = try SQLiteTranscriptStore(path: scratch.path)
        let declared = Date(timeIntervalSince1970: 1_780_000_000)
        let (incident, _) = try store.declareIncident(
            IncidentDeclaration(
                title: "Paged", runbook: "", environment: "production", severity: .p1, host: "h", user: "u"),
            actor: "u@h", at: declared)
        func append(_ type: EventType, _ payload: JSONValue, at offset: TimeInterval) throws {
            _ = try store.append(
                EventDraft(type, payload: payload), to: incident.id, actor: "escalator",
                at: declared.addingTimeInterval(offset))
        }
        try append(.escalationTriggered, ["level": 1, "targets": ["DevOps Lead"], "severity": "P1"], at: 60)
        try append(
            .notificationSent, ["channel": "slack", "kind": "escalation", "attempt": 1, "detail": "HTTP 200"], at: 61)
        try append(
            .notificationFailed,
            ["channel": "pagerduty", "kind": "escalation", "attempt": 1, "error": "connection refused"], at: 61)
        try append(.escalationTriggered, ["level": 2, "targets": ["CTO"], "severity": "P1"], at: 600)
        let markdown = try scratch.run(["export", "\(incident.id)", "--format", "markdown", "-o", "-"]).stdout
        let section = try #require(markdown.components(separatedBy: "## Notifications\n").dropFirst().first)
        #expect(section.contains("| slack | escalation | — | delivered (attempt 1): HTTP 200 |"), "\(section)")
        #expect(
            section.contains("| pagerduty | escalation | — | failed (attempt 1): connection refused |"), "\(section)")
        #expect(
            section.contains("- T+01:00 escalation level 1 to DevOps Lead: delivered via slack; failed via pagerduty."),
            "\(section)")
        #expect(
            section.contains(
                "- T+10:00 escalation level 2 to CTO: **nothing was sent** (no notification channel was configured)."),
            "\(section)")
    }

    /// A note that Markdown would not misread goes into the document as written, and renders without a backslash.
    @Test func textIsEscapedOnlyWhereMarkdownWouldMisreadIt() throws {
        let scratch = ScratchDatabase()
        let id = try scratch.declare()
        let note = "took 0.42s in #incident-response, <b>bold</b> & R&D, snake_case"
        #expect(try scratch.run(["note", "\(id)", note]).status == 0)
        let markdown = try scratch.run(["export", "\(id)", "--format", "markdown", "-o", "-"]).stdout
        let written = "took 0.42s in #incident-response, &lt;b>bold&lt;/b> & R&D, snake_case"
        #expect(markdown.contains("| Note: \(written) |"), "\(markdown)")
        #expect(markdown.contains(": \(written)\n"), "\(markdown)")
        let html = try ExternalTool.run("cmark-gfm", ["-e", "table", "-t", "html"], stdin: Data(markdown.utf8)).stdout
        let rendered = "took 0.42s in #incident-response, &lt;b&gt;bold&lt;/b&gt; &amp; R&amp;D, snake_case"
        #expect(html.components(separatedBy: rendered).count - 1 == 2, "\(html)")
        #expect(!html.contains("\\"), "\(html)")
    }

    /// UTC and T+ come from the same rounded instant: T+ is always the difference of the UTC times shown.
    @Test func utcAndTPlusAgree() throws {
        let scratch = ScratchDatabase()
        let store = try SQLiteTranscriptStore(path: scratch.path)
        let declared = Date(timeIntervalSince1970: 1_780_000_000.9)
        let (incident, _) = try store.declareIncident(
            IncidentDeclaration(
                title: "Times", runbook: "", environment: "staging", severity: .p2, host: "h", user: "u"),
            actor: "u@h", at: declared)
        for offset in [1.2, 1.6, 59.3, 61.7] {
            _ = try store.append(
                EventDraft(.noteAdded, payload: ["text": .string("at \(offset)")]), to: incident.id, actor: "u@h",
                at: declared.addingTimeInterval(offset))
        }
        let markdown = try scratch.run(["export", "\(incident.id)", "--format", "markdown", "-o", "-"]).stdout
        let rows = try Self.timelineRows(markdown)
        #expect(rows.count == 5)
        for row in rows {
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            let clock = cells[0].suffix(9).prefix(8).split(separator: ":").compactMap { Int($0) }
            let since = cells[1].dropFirst(2).split(separator: ":").compactMap { Int($0) }
            let shown = clock[0] * 3600 + clock[1] * 60 + clock[2]
            // 1_780_000_000.9 is shown as 20:26:41 (its nearest second).
            #expect(shown - (20 * 3600 + 26 * 60 + 41) == since[0] * 60 + since[1], "\(row)")
        }
    }

    /// In a drill (here at speed 60) a command's duration and its output are on the drill's clock, like its events:
    /// 0.5 real seconds are 30 drill seconds, and output 0.25 s in plays 15 s after the command started.
    @Test func drillTimesAreOnTheDrillClock() throws {
        let scratch = ScratchDatabase()
        let store = try SQLiteTranscriptStore(path: scratch.path)
        let declared = Date(timeIntervalSince1970: 1_780_000_000)
        let (incident, _) = try store.declareIncident(
            IncidentDeclaration(
                title: "Drill", runbook: "", environment: "staging", severity: .p2, isDrill: true, host: "h", user: "u",
                drillSetup: ["speed": 60]),
            actor: "u@h", at: declared)
        let started = try store.append(
            EventDraft(.commandStarted, payload: ["command": "make-output"]), to: incident.id, actor: "u@h",
            at: declared.addingTimeInterval(60))
        try store.appendOutput(
            [OutputChunk(offset: 0.25, data: Data("line\n".utf8))], incidentID: incident.id,
            commandSequence: started.sequence)
        _ = try store.append(
            EventDraft(
                .commandFinished,
                payload: ["command_sequence": .int(started.sequence), "exit_code": 0, "duration": 0.5]),
            to: incident.id, actor: "u@h", at: declared.addingTimeInterval(90))
        let markdown = try scratch.run(["export", "\(incident.id)", "--format", "markdown", "-o", "-"]).stdout
        #expect(markdown.contains("took 30s"), "\(markdown)")
        let cast = try scratch.run(["export", "\(incident.id)", "--format", "asciicast", "-o", "-"]).stdout
        #expect(cast.contains("[75.000000, \"o\", \"line\\r\\n\"]"), "\(cast)")
    }
}

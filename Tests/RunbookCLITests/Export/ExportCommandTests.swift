import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// `runbook export` end to end: the built binary, a real SQLite transcript, and the real tools people read the
/// exports with (cmark-gfm, python3 jsonschema, asciinema).
@Suite struct ExportCommandTests {
    static let schemaPath = BuiltBinary.packageRoot.appendingPathComponent("docs/export-schema.json").path

    private func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test func declaredIncidentWithNotesExportsToTheDefaultPathPrivately() throws {
        let scratch = ScratchDatabase()
        let id = try scratch.declare(title: "Checkout | API down")
        #expect(try scratch.run(["note", "\(id)", "TODO: page the DB team earlier"]).status == 0)
        #expect(try scratch.run(["note", "\(id)", "--stdin"], stdin: "saw ``` in logs\nsecond | note\n").status == 0)
        let workdir = URL(fileURLWithPath: scratch.directory).appendingPathComponent("work")
        try FileManager.default.createDirectory(at: workdir, withIntermediateDirectories: true)

        let result = try BuiltBinary.run(
            ["export", "\(id)", "--format", "markdown"], environment: ["RUNBOOK_DB": scratch.path],
            currentDirectory: workdir)
        #expect(result.status == 0, "\(result.stderr)")
        let relative = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let day = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
        #expect(relative == "transcripts/\(day)-\(id)-checkout-api-down.md")
        let path = workdir.appendingPathComponent(relative).path
        #expect(try mode(path) == 0o600)
        #expect(try mode(workdir.appendingPathComponent("transcripts").path) == 0o700)
        let markdown = try String(contentsOfFile: path, encoding: .utf8)
        #expect(markdown.contains("**Open incident.**"))
        #expect(markdown.contains("| page the DB team earlier | — | — | — |"))
        let xml = try ExternalTool.cmarkXML(markdown)
        #expect(xml.contains("second | note"))
        #expect(!xml.contains("<code_block"), "a note's backticks must not open a fence")
    }

    @Test func exportWithoutFormatWritesTheMarkdownPostmortemAsTheREPLDoes() throws {
        let scratch = try ExportGoldenTests.sampleDatabase()
        let plain = try scratch.run(["export", "1", "-o", "-"])
        #expect(plain.status == 0, "\(plain.stderr)")
        let markdown = try scratch.run(["export", "1", "--format", "markdown", "-o", "-"])
        #expect(markdown.status == 0, "\(markdown.stderr)")
        #expect(plain.stdout == markdown.stdout)
        // The export's marker comment, then the H1.
        #expect(plain.stdout.hasPrefix("<!-- runbook export of incident 1;"), "\(plain.stdout.prefix(200))")
        #expect(plain.stdout.contains("-->\n# Postmortem: "), "\(plain.stdout.prefix(200))")
    }

    @Test func hostileOutputKeepsTheMarkdownTablesAndFencesIntact() throws {
        let scratch = try ExportGoldenTests.sampleDatabase()
        let result = try scratch.run(["export", "1", "--format", "markdown", "-o", "-", "--lines", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        let xml = try ExternalTool.cmarkXML(result.stdout)
        let heading = try #require(xml.range(of: ">Full log</text>"))
        let table = try #require(xml.range(of: "</table>", range: heading.upperBound..<xml.endIndex))
        let timeline = xml[heading.upperBound..<table.lowerBound]
        // One row per event, but one per command: its showing, approval and start make none.
        let events = try SQLiteTranscriptStore(path: scratch.path).events(incidentID: 1)
            .filter { ![.stepShown, .stepApproved, .commandStarted].contains($0.type) }
        #expect(timeline.components(separatedBy: "<table_row").count - 1 == events.count)
        #expect(xml.components(separatedBy: "<code_block").count - 1 == 5)
        #expect(
            xml.contains("```\n[… 2 lines left out …]\nbad\u{FFFD}\u{FFFD} bytes\n````` five backticks\n</code_block>"))
        #expect(!result.stdout.contains("\u{1B}"))
        #expect(xml.contains("<heading level=\"2\">\n    <text xml:space=\"preserve\">Where we got lucky</text>"))
    }

    @Test func jsonFromTheRealStoreValidatesAgainstTheSchema() throws {
        for resolved in [true, false] {
            let scratch = try ExportGoldenTests.sampleDatabase(resolved: resolved, drill: !resolved)
            let result = try scratch.run(["export", "1", "--format", "json", "-o", "-"])
            #expect(result.status == 0, "\(result.stderr)")
            let violations = try ExternalTool.schemaViolations(
                of: Data(result.stdout.utf8), schemaPath: Self.schemaPath)
            #expect(violations == nil, "\(violations ?? "")")
        }
    }

    /// A drill whose P0 response time is a minute, run at 600× until it has escalated and been acknowledged:
    /// the JSON export holds the incident's timers and notification outbox as the escalation tables have them.
    @Test func jsonHoldsTheIncidentsTimersAndOutbox() throws {
        let scratch = ScratchDatabase()
        let fixtures = EscalationTimersEndToEndTests.fixtures
        let drill = try BuiltBinary.run(
            ["drill", "slow", "--env", "staging", "--speed", "600", "--runbooks", fixtures, "--db", scratch.path],
            stdin: "y\ny\nstatus\nack Alice\ny\nresolve all good\n", environment: ["RUNBOOK_ESCALATOR": "auto"])
        defer { EscalatorProcess.stop(database: scratch.path) }
        #expect(drill.status == 0, "\(drill.stdout)\n\(drill.stderr)")
        let store = try SQLiteTranscriptStore(path: scratch.path)
        let id = try #require(try store.incidents(openOnly: false, drillsOnly: true).first?.id)
        let timers = try store.timers(incidentID: id)
        let outbox = try store.outbox(incidentID: id)
        try #require(timers.count >= 2 && !outbox.isEmpty, "the drill did not escalate: \(drill.stdout)")

        let result = try scratch.run(["export", "\(id)", "--format", "json", "-o", "-"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try ExternalTool.schemaViolations(of: Data(result.stdout.utf8), schemaPath: Self.schemaPath) == nil)
        let document = try JSONValue(parsing: result.stdout)
        let exportedTimers = EscalationTimersEndToEndTests.array(document["timers"])
        #expect(exportedTimers.map { $0["generation"]?.intValue } == timers.map(\.generation))
        #expect(exportedTimers.map { $0["status"]?.stringValue } == timers.map(\.status.rawValue))
        #expect(exportedTimers.map { $0["kind"]?.stringValue } == timers.map(\.kind.rawValue))
        #expect(exportedTimers.first?["kind"] == "response")
        #expect(exportedTimers.contains { $0["status"] == "fired" })
        // The acknowledgement stopped the escalation: nothing is left armed.
        #expect(exportedTimers.allSatisfy { $0["status"] != "pending" })
        let exportedOutbox = EscalationTimersEndToEndTests.array(document["outbox"])
        #expect(exportedOutbox.map { $0["id"]?.intValue } == outbox.map(\.id))
        #expect(exportedOutbox.allSatisfy { $0["channel"] == "log" })
        #expect(
            exportedOutbox.contains { $0["kind"] == "escalation" && $0["notification"]?["incident_id"] == .int(id) })
        #expect(exportedOutbox.contains { $0["kind"] == "acknowledge" })
        // What the recorded events hold, read as the engine and the runner write them.
        let escalations = EscalationTimersEndToEndTests.array(document["metrics"]?["escalations"])
        #expect(Array(escalations.map { $0["level"]?.intValue }.prefix(2)) == [1, 2])
        let sent = EscalationTimersEndToEndTests.array(document["notifications"]).filter { $0["sent"] == true }
        #expect(!sent.isEmpty && sent.allSatisfy { $0["status"] != nil && $0["status"] != .null })
        // Each step sleeps one real second: on the drill's clock, like its events, that is 600 drill seconds.
        for command in EscalationTimersEndToEndTests.array(document["commands"]) {
            let duration = command["duration_seconds"]?.doubleValue ?? 0
            #expect(duration > 0.9 * 600 && duration < 30 * 600, "\(command)")
        }
    }

    @Test func asciicastIsAcceptedByAsciinema() throws {
        let scratch = try ExportGoldenTests.sampleDatabase()
        let cast = scratch.directory + "/incident.cast"
        let result = try scratch.run(["export", "1", "--format", "asciicast", "-o", cast])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try mode(cast) == 0o600)
        let played = try ExternalTool.run("asciinema", ["cat", cast])
        #expect(played.status == 0, "\(played.stderr)")
        #expect(played.stdout.contains("CrashLoopBackOff"))
        #expect(played.stdout.contains("$ helm rollback api 40"))
    }

    /// `-o` onto a file the author wrote stops, names it and leaves it; `--force` replaces it, keeping its mode; a
    /// file an export wrote is replaced without `--force`, in every format.
    @Test func aFileAnExportDidNotWriteIsReplacedOnlyWithForceAndKeepsItsMode() throws {
        let scratch = try ExportGoldenTests.sampleDatabase()
        let path = scratch.directory + "/postmortem.md"
        let authored = "# Our postmortem\n\nWords only a human knows.\n"
        #expect(
            FileManager.default.createFile(
                atPath: path, contents: Data(authored.utf8), attributes: [.posixPermissions: 0o644]))
        let refused = try scratch.run(["export", "1", "--format", "markdown", "-o", path])
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("\(path) exists and was not written by runbook export"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--force replaces it"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == authored)

        let forced = try scratch.run(["export", "1", "--format", "markdown", "-o", path, "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try mode(path) == 0o644)
        let exported = try String(contentsOfFile: path, encoding: .utf8)
        #expect(exported.hasPrefix("<!-- runbook export of incident 1; "))
        #expect(exported.contains("-->\n# Postmortem: "))
        // Rendered, the marker is an HTML comment: nothing of it shows.
        #expect(try ExternalTool.cmarkXML(exported).contains("<html_block"))

        for format in ["markdown", "json", "asciicast"] {
            let again = scratch.directory + "/again." + format
            for _ in 0..<2 {
                let result = try scratch.run(["export", "1", "--format", format, "-o", again])
                #expect(result.status == 0, "\(format): \(result.stderr)")
            }
            #expect(try mode(again) == 0o600)
        }
        #expect(try scratch.run(["export", "1", "--format", "markdown", "-o", path]).status == 0)
        #expect(try mode(path) == 0o644)
        // No temporary file is left beside them.
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: scratch.directory).filter { $0.hasPrefix(".") }
                .isEmpty)
    }

    /// `kill -9` in the middle of a large export leaves the file it was replacing whole: the export goes to a
    /// temporary file that is renamed over the target only when complete.
    @Test func aKilledExportLeavesTheOldFileWhole() throws {
        let scratch = ScratchDatabase()
        let store = try SQLiteTranscriptStore(path: scratch.path)
        let (incident, _) = try store.declareIncident(
            IncidentDeclaration(
                title: "Big", runbook: "r", environment: "staging", severity: .p3, host: "h", user: "u"),
            actor: "u@h", at: Date())
        let started = try store.append(
            EventDraft(.commandStarted, payload: ["command": "seq"]), to: incident.id, actor: "u@h", at: Date())
        // 40 MB of output: seconds of Markdown for the debug build.
        for block in 0..<40 {
            let text = (0..<20_000).map { "line \(block * 20_000 + $0) of a long output\n" }.joined()
            let chunk = OutputChunk(offset: Double(block), data: Data(text.prefix(1_000_000).utf8))
            try store.appendOutput([chunk], incidentID: incident.id, commandSequence: started.sequence)
        }
        _ = try store.append(
            EventDraft(.commandFinished, payload: ["exit_code": 0]), to: incident.id, actor: "u@h", at: Date())

        let directory = scratch.directory + "/out"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/postmortem.md"
        let old = "<!-- runbook export of incident 1 -->\n# Postmortem\n\nThe author's words.\n"
        try old.write(toFile: path, atomically: false, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltBinary.path)
        process.arguments = ["export", "\(incident.id)", "--format", "markdown", "--lines", "0", "-o", path]
        process.environment = BuiltBinary.environment(adding: ["RUNBOOK_DB": scratch.path])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Killed as soon as its temporary file holds bytes: the export is under way.
        let deadline = Date().addingTimeInterval(60)
        var underWay = false
        while !underWay, process.isRunning, Date() < deadline {
            let temporaries = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasPrefix(".postmortem.md.export-") }
            underWay = try temporaries.contains {
                (try FileManager.default.attributesOfItem(atPath: directory + "/" + $0)[.size] as? Int ?? 0) > 0
            }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(underWay, "the export never started writing, or finished before it could be killed")
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == old)
    }

    @Test func aSymbolicLinkIsRefusedAndItsTargetLeftAlone() throws {
        let scratch = try ExportGoldenTests.sampleDatabase()
        let target = scratch.directory + "/target.json"
        let link = scratch.directory + "/link.json"
        #expect(try scratch.run(["export", "1", "--format", "json", "-o", target]).status == 0)
        let before = FileManager.default.contents(atPath: target)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        for extra in [[], ["--force"]] {
            let result = try scratch.run(["export", "1", "--format", "markdown", "-o", link] + extra)
            #expect(result.status == 2, "\(result.stderr)")
            #expect(result.stderr.contains("\(link): it is a symbolic link"), "\(result.stderr)")
        }
        #expect(FileManager.default.contents(atPath: target) == before)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
    }

    @Test func unknownIncidentIsAUsageErrorNamingTheDatabase() throws {
        let scratch = try ExportGoldenTests.sampleDatabase()
        let result = try scratch.run(["export", "99", "--format", "json", "-o", "-"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("99"))
        #expect(result.stdout.isEmpty)
    }

    @Test func badFormatAndNegativeLinesAreUsageErrors() throws {
        let scratch = try ExportGoldenTests.sampleDatabase()
        #expect(try scratch.run(["export", "1", "--format", "pdf"]).status == 2)
        #expect(try scratch.run(["export", "1", "--format", "markdown", "--lines", "-1"]).status == 2)
    }

    @Test func unwritablePathIsNamed() throws {
        let scratch = try ExportGoldenTests.sampleDatabase()
        let result = try scratch.run(["export", "1", "--format", "json", "-o", "/proc/no/such/export.json"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("/proc/no/such/export.json"))
    }

    /// A destination that refuses the bytes (a full disk) fails the export with the path and the system's reason,
    /// in every format: the sink's error comes out of the streaming exporters as it does from a plain write.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full"), "needs /dev/full"))
    func aFullDiskIsNamedWithItsReason() throws {
        let scratch = try ExportGoldenTests.sampleDatabase()
        for format in ["markdown", "json", "asciicast"] {
            let result = try scratch.run(["export", "1", "--format", format, "-o", "/dev/full"])
            #expect(result.status == 2, "\(format): \(result.stderr)")
            #expect(result.stderr.contains("cannot write the export to /dev/full: No space left on device"))
        }
    }

    /// The REPL's `export json` and `runbook export` open the incident through the same function, so both see the
    /// escalation timer the session armed (the REPL once exported it with none).
    @Test func replExportAndExportCommandShowTheSameArmedTimer() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-export-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("export.sqlite3").path
        let session = try BuiltBinary.run(
            [
                "start", "slow", "--env", "staging", "--runbooks", EscalationTimersEndToEndTests.fixtures, "--db",
                database,
            ], stdin: "export json\nq\n", currentDirectory: directory)
        defer { EscalatorProcess.stop(database: database) }
        #expect(session.status == 0, "\(session.stdout)\n\(session.stderr)")
        let written = try #require(session.stdout.range(of: "exported to ")).upperBound
        let relative = session.stdout[written...].prefix { $0 != "\n" }
        let fromREPL = try JSONValue(
            parsing: String(contentsOf: directory.appendingPathComponent(String(relative)), encoding: .utf8))

        let command = try BuiltBinary.run(["export", "1", "--format", "json", "-o", "-", "--db", database])
        #expect(command.status == 0, "\(command.stderr)")
        let fromCommand = try JSONValue(parsing: command.stdout)

        #expect(fromREPL["timers"]?.arrayValue?.count == 1)
        #expect(fromREPL["timers"] == fromCommand["timers"])
        #expect(fromREPL["outbox"] == fromCommand["outbox"])
    }

    /// The REPL's `export html` writes the same report as `runbook export --format html`.
    @Test func replExportsTheHTMLReportToo() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-export-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("export.sqlite3").path
        let session = try BuiltBinary.run(
            [
                "start", "slow", "--env", "staging", "--runbooks", EscalationTimersEndToEndTests.fixtures, "--db",
                database,
            ],
            stdin: "export html\nq\n", environment: ["RUNBOOK_REPLAY_DIR": ""], currentDirectory: directory)
        defer { EscalatorProcess.stop(database: database) }
        #expect(session.status == 0, "\(session.stdout)\n\(session.stderr)")
        let written = try #require(session.stdout.range(of: "exported to ")).upperBound
        let relative = String(session.stdout[written...].prefix { $0 != "\n" })
        #expect(relative.hasSuffix(".html"), "\(relative)")
        let page = try String(contentsOf: directory.appendingPathComponent(relative), encoding: .utf8)
        #expect(page.contains("<meta name=\"generator\" content=\"runbook export\">"))
        #expect(page.contains("Content-Security-Policy"))
    }
}

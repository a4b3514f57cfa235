import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// `runbook record` and a session record commands the same way, and the exports read them right: dropped output is
/// counted and marked where it was cut, a recorded command is not pinned to a runbook step, and a command whose shell
/// is missing leaves nothing behind.
@Suite struct ExportRecordPathTests {
    static let runbook = """
        ---
        title: Steps
        environments: [staging]
        ---
        # Steps

        ## Verify

        ```bash {id=verify risk=read}
        echo verified
        ```

        """

    /// `record --output-limit 2000 -- seq 1 2000` stores 2,000 of 8,893 bytes: the event says so with the sessions'
    /// names, the JSON counts the 6,893 dropped bytes, and the Markdown and the asciicast mark the cut.
    @Test func droppedOutputIsCountedAndMarkedWhereItWasCut() throws {
        let scratch = ScratchDatabase()
        let recorded = try scratch.run(["record", "--output-limit", "2000", "--", "seq 1 2000"])
        #expect(recorded.status == 0, "\(recorded.stderr)")
        let events = try SQLiteTranscriptStore(path: scratch.path).events(incidentID: 1)
        let finished = try #require(events.last { $0.type == .commandFinished }?.payload)
        #expect(finished["output_bytes"] == 8893)
        #expect(finished["dropped_bytes"] == 6893)
        #expect(finished["dropped_at"] == 1500)
        #expect(finished["bytes"] == nil && finished["dropped"] == nil)

        let json = try scratch.run(["export", "1", "--format", "json", "-o", "-"])
        let command = try #require(try JSONValue(parsing: json.stdout)["commands"]?.arrayValue?.first)
        #expect(command["dropped_bytes"] == 6893)

        let markdown = try scratch.run(["export", "1", "--format", "markdown", "--lines", "0", "-o", "-"]).stdout
        // The head (1500 bytes) ends with "402", the tail (the last 500 bytes) starts with "1901".
        #expect(markdown.contains("\n402\n[… 6893 bytes not kept (output limit) …]\n1901\n"), "\(markdown)")
        let cut = try scratch.run(["export", "1", "--format", "markdown", "-o", "-"]).stdout
        #expect(cut.contains("; 6893 bytes not kept (output limit) among them …]"), "\(cut)")

        let cast = try scratch.run(["export", "1", "--format", "asciicast", "-o", "-"]).stdout
        #expect(cast.contains("[… 6893 bytes not kept (output limit) …]"), "\(cast)")
    }

    /// A command recorded into an incident whose session ran a step is its own command, not an edit of that step,
    /// and the asciicast has a marker to jump to it.
    @Test func recordedCommandIsNotPinnedToTheLastStep() throws {
        let scratch = ScratchDatabase()
        let runbooks = scratch.directory + "/runbooks"
        try FileManager.default.createDirectory(atPath: runbooks, withIntermediateDirectories: true)
        try Self.runbook.write(toFile: runbooks + "/steps.md", atomically: true, encoding: .utf8)
        let session = try scratch.run(
            ["start", "steps", "--env", "staging", "--runbooks", runbooks], stdin: "y\nq\n")
        #expect(session.status == 0, "\(session.stdout)\n\(session.stderr)")
        let recorded = try scratch.run(["record", "--incident", "1", "--", "echo recorded-by-hand"])
        #expect(recorded.status == 0, "\(recorded.stderr)")

        let json = try scratch.run(["export", "1", "--format", "json", "-o", "-"])
        let commands = try #require(try JSONValue(parsing: json.stdout)["commands"]?.arrayValue)
        #expect(commands.map { $0["command"]?.stringValue } == ["echo verified", "echo recorded-by-hand"])
        #expect(commands[1]["step_title"] == .null)
        #expect(commands[1]["original_command"] == .null)
        #expect(commands[1]["edited"] == false)

        let markdown = try scratch.run(["export", "1", "--format", "markdown", "-o", "-"]).stdout
        #expect(markdown.contains("### 2. Recorded command\n"), "\(markdown)")
        #expect(!markdown.contains("Edited before running"), "\(markdown)")
        let cast = try scratch.run(["export", "1", "--format", "asciicast", "-o", "-"]).stdout
        #expect(cast.contains(", \"m\", \"$ echo recorded-by-hand\"]"), "\(cast)")
    }

    /// `record --shell /no/such/shell` starts nothing, so it records nothing: no incident, no command.
    @Test func commandWhoseShellIsMissingRecordsNothing() throws {
        let scratch = ScratchDatabase()
        let missing = try scratch.run(["record", "--shell", "/no/such/shell", "--", "true"])
        #expect(missing.status == 5)
        #expect(missing.stderr.contains("shell '/no/such/shell' was not found"), "\(missing.stderr)")
        let id = try scratch.declare()
        let into = try scratch.run(["record", "--incident", "\(id)", "--shell", "/no/such/shell", "--", "true"])
        #expect(into.status == 5)
        let store = try SQLiteTranscriptStore(path: scratch.path)
        #expect(try store.incidents(openOnly: false, drillsOnly: false).map(\.id) == [id])
        #expect(try store.events(incidentID: id).map(\.type) == [.incidentDeclared])
    }
}

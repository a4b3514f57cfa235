import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// What the exports say about an incident recorded through the built binary: edited commands, and text that could
/// break the Markdown's tables and headings.
@Suite struct ExportRecordTests {
    static let runbook = """
        ---
        title: Edits
        environments: [staging]
        ---
        # Edits

        ## First

        ```bash {id=first risk=read}
        echo first-as-written
        ```

        ## Second

        ```bash {id=second risk=read}
        echo second-as-written
        ```

        """

    /// A step edited with `e` and run, and a step edited, left with `q` and run after `resume`: both appear in the
    /// JSON as edited with the runbook's text, and in the Markdown with "Edited before running".
    @Test func editedCommandsAreExportedAsEditedAlsoAfterResume() throws {
        let scratch = ScratchDatabase()
        let runbooks = scratch.directory + "/runbooks"
        try FileManager.default.createDirectory(atPath: runbooks, withIntermediateDirectories: true)
        try Self.runbook.write(toFile: runbooks + "/edits.md", atomically: true, encoding: .utf8)
        let first = try BuiltBinary.run(
            ["start", "edits", "--env", "staging", "--runbooks", runbooks, "--db", scratch.path],
            stdin: "e\necho first-edited\ny\ne\necho second-edited\nq\n")
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        #expect(first.stdout.contains("first-edited"))
        let resumed = try BuiltBinary.run(
            ["resume", "1", "--runbooks", runbooks, "--db", scratch.path], stdin: "y\nresolve done\n")
        #expect(resumed.status == 0, "\(resumed.stdout)\n\(resumed.stderr)")
        #expect(resumed.stdout.contains("second-edited"))

        let json = try scratch.run(["export", "1", "--format", "json", "-o", "-"])
        #expect(json.status == 0, "\(json.stderr)")
        let commands = try #require(try JSONValue(parsing: json.stdout)["commands"]?.arrayValue)
        #expect(commands.map { $0["command"]?.stringValue } == ["echo first-edited", "echo second-edited"])
        #expect(
            commands.map { $0["original_command"]?.stringValue }
                == ["echo first-as-written", "echo second-as-written"])
        #expect(commands.map { $0["edited"]?.boolValue } == [true, true])

        let markdown = try scratch.run(["export", "1", "--format", "markdown", "-o", "-"])
        #expect(markdown.status == 0, "\(markdown.stderr)")
        let edited = markdown.stdout.components(separatedBy: "Edited before running; the runbook said:\n\n```sh\n")
        #expect(edited.count == 3, "\(markdown.stdout)")
        #expect(
            edited.dropFirst().map { $0.prefix { $0 != "\n" } } == ["echo first-as-written", "echo second-as-written"])
    }

    /// A CR in a note or a title, an empty note and a bare `TODO:` leave one timeline row per event, one H1, and no
    /// empty row or task.
    @Test func lineBreaksAndEmptyNotesKeepTheTablesAndTheHeadingWhole() throws {
        let scratch = ScratchDatabase()
        let id = try scratch.declare(title: "Checkout down\n# not a heading\rnor this")
        for note in ["first line\rsecond | line", "TODO:"] {
            let added = try scratch.run(["note", "\(id)", "--stdin"], stdin: note)
            #expect(added.status == 0, "\(note): \(added.stderr)")
        }
        #expect(try scratch.run(["note", "\(id)", ""]).status == 0)
        let result = try scratch.run(["export", "\(id)", "--format", "markdown", "-o", "-"])
        #expect(result.status == 0, "\(result.stderr)")
        let xml = try ExternalTool.cmarkXML(result.stdout)
        #expect(xml.components(separatedBy: "<heading level=\"1\">").count - 1 == 1, "\(result.stdout)")
        #expect(result.stdout.contains("# Postmortem: Checkout down ↵ # not a heading ↵ nor this\n"))
        let heading = try #require(xml.range(of: ">Full log</text>"))
        let table = try #require(xml.range(of: "</table>", range: heading.upperBound..<xml.endIndex))
        let timeline = String(xml[heading.upperBound..<table.lowerBound])
        let events = try SQLiteTranscriptStore(path: scratch.path).events(incidentID: id)
        #expect(timeline.components(separatedBy: "<table_row").count - 1 == events.count, "\(result.stdout)")
        #expect(result.stdout.contains("Note: first line ↵ second \\| line"))
        #expect(result.stdout.contains("| Note (empty) |"))
        #expect(result.stdout.contains("*(empty note)*"))
        // A bare TODO: is a note, not an empty action item.
        #expect(result.stdout.contains("None recorded. Add them below"))
        #expect(!result.stdout.contains("- [ ] "))
    }
}

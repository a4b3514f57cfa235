import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// Through the built binary: a step is on the screen (header, command, risk) before any of its variables is asked.
@Suite struct ApprovalOrderEndToEndTests {
    static let rollback = """
        ---
        title: Rollback
        environments: [staging]
        variables:
          REVISION: {prompt: Helm revision to roll back to}
        ---
        # Rollback

        ## Check the release

        ```bash {id=check risk=read}
        echo check-done
        ```

        ## Second rollback

        ```bash {id=second risk=destructive}
        echo "rolling back to $REVISION"
        ```

        """

    @Test func afterAStepSucceedsTheNextStepIsShownBeforeItsVariableIsAsked() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-order-\(UUID())")
        let runbooks = directory.appendingPathComponent("runbooks")
        try FileManager.default.createDirectory(at: runbooks, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.rollback.write(to: runbooks.appendingPathComponent("rollback.md"), atomically: true, encoding: .utf8)
        let database = directory.appendingPathComponent("t.sqlite3").path
        let result = try BuiltBinary.run(
            ["start", "rollback", "--env", "staging", "--runbooks", runbooks.path, "--db", database],
            stdin: "y\n3\ny\nq\n")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let screen = result.stdout
        let done = try #require(screen.range(of: "check-done\n"), "\(screen)")
        let header = try #require(screen.range(of: "[2/2] Second rollback"), "\(screen)")
        let command = try #require(screen.range(of: "$ echo \"rolling back to $REVISION\""), "\(screen)")
        let risk = try #require(screen.range(of: "⚠ destructive"), "\(screen)")
        let question = try #require(screen.range(of: "Helm revision to roll back to (REVISION):"), "\(screen)")
        #expect(done.lowerBound < header.lowerBound)
        #expect(header.lowerBound < question.lowerBound, "\(screen)")
        #expect(command.lowerBound < question.lowerBound, "\(screen)")
        #expect(risk.lowerBound < question.lowerBound, "\(screen)")
        #expect(screen.contains("rolling back to 3\n"), "\(screen)")
        let events = try SQLiteTranscriptStore(path: database).events(incidentID: 1)
        let shown = try #require(events.firstIndex { $0.type == .stepShown && $0.stepID == "second" })
        let asked = try #require(events.firstIndex { $0.type == .variableSet && $0.payload["name"] == "REVISION" })
        #expect(shown < asked)
    }
}

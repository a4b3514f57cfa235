import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// After `kill -9` while a command ran, `resume` says the step was started and its result is unknown, and a plain
/// `y` does not run it again: the responder types `rerun` or skips it.
@Suite struct ResumeUnknownResultEndToEndTests {
    let directory: URL
    var database: String { directory.appendingPathComponent("t.sqlite3").path }
    var runbooks: String { directory.appendingPathComponent("runbooks").path }
    var marker: String { directory.appendingPathComponent("ran-once").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-unknown-\(UUID())")
        let runbooksURL = directory.appendingPathComponent("runbooks")
        try FileManager.default.createDirectory(at: runbooksURL, withIntermediateDirectories: true)
        // The first run prints a line and hangs (killed there); a second run says so and ends at once.
        let runbook = """
            ---
            title: Restart
            ---
            # Restart

            ## Restart the worker

            ```bash {id=restart risk=change}
            if [ -e \(directory.path)/ran-once ]; then echo "ran again"; else touch \(directory.path)/ran-once; printf 'restart%s\\n' -begun; sleep 30; fi
            ```

            ## Check

            ```bash {id=check risk=read}
            echo checked
            ```

            """
        try runbook.write(to: runbooksURL.appendingPathComponent("restart.md"), atomically: true, encoding: .utf8)
        let live = try LiveRunbook(["start", "restart", "--env", "staging", "--runbooks", runbooks, "--db", database])
        try waitUntil("the step to be shown") { live.text.contains("[1/2] Restart the worker") }
        live.send("y")
        try waitUntil("the command's own output") { live.text.contains("restart-begun") }
        live.kill(SIGKILL)
        _ = try live.finish()
    }

    func resume(_ answers: String) throws -> BuiltBinary.Result {
        try BuiltBinary.run(["resume", "1", "--runbooks", runbooks, "--db", database], stdin: answers)
    }

    func events(_ type: EventType) throws -> [RecordedEvent] {
        try SQLiteTranscriptStore(path: database).events(incidentID: 1).filter { $0.type == type }
    }

    @Test func aPlainYesDoesNotRerunAStepWhoseResultIsUnknown() throws {
        #expect(try events(.commandStarted).count == 1)
        let result = try resume("y\n")
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("⚠ started at "), "\(result.stdout)")
        #expect(result.stdout.contains("result unknown: runbook stopped while it ran"))
        #expect(result.stdout.contains("error: step 'restart' was started at "))
        #expect(result.stdout.contains("and its result is unknown"))
        #expect(try events(.commandStarted).count == 1, "nothing ran again")
        // The step header shows the command's text; its output would be a line of its own.
        #expect(!result.stdout.split(separator: "\n").contains("ran again"))
    }

    @Test func rerunRunsItAgainAndSkipMovesOn() throws {
        let rerun = try resume("rerun\nq\n")
        #expect(rerun.status == 0, "\(rerun.stdout)\(rerun.stderr)")
        #expect(rerun.stdout.split(separator: "\n").contains("ran again"), "\(rerun.stdout)")
        #expect(try events(.commandStarted).count == 2)
        #expect(try events(.commandFinished).count == 1)
        // Finished now: a later resume does not call it unknown.
        let later = try resume("q\n")
        #expect(!later.stdout.contains("result unknown"), "\(later.stdout)")
    }

    @Test func skippingAStepWhoseResultIsUnknownMovesToTheNext() throws {
        let skipped = try resume("s\ny\nq\n")
        #expect(skipped.status == 0, "\(skipped.stdout)\(skipped.stderr)")
        #expect(skipped.stdout.contains("checked"))
        #expect(try events(.stepSkipped).count == 1)
        #expect(try events(.commandStarted).count == 2)
    }
}

import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// The REPL in a real terminal: the built binary runs in a detached tmux session, keys are sent to it, and the
/// screen is polled (with a deadline) until the expected text appears.
///
/// Serialized: each test starts its own tmux server and a REPL, and the machine running the tests is shared.
@Suite(.serialized) struct TerminalREPLTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/session").path

    /// A REPL on the fixture `outage` runbook in staging, with a private database and history file.
    final class Terminal {
        let directory: URL
        let tmux: TmuxSession

        var database: String { directory.appendingPathComponent("t.sqlite3").path }
        var history: String { directory.appendingPathComponent("state/history").path }

        /// Starts the REPL; `history` is written to the history file first, as an earlier session would have.
        init(width: Int = 100, height: Int = 40, history: String? = nil) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-tmux-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            if let history {
                let state = directory.appendingPathComponent("state")
                try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
                try history.write(to: state.appendingPathComponent("history"), atomically: false, encoding: .utf8)
            }
            let command = [
                BuiltBinary.path, "start", "outage", "--env", "staging", "--runbooks", TerminalREPLTests.fixtures,
                "--db", directory.appendingPathComponent("t.sqlite3").path,
            ].map(TmuxSession.quote).joined(separator: " ")
            tmux = try TmuxSession(
                command, width: width, height: height, directory: directory.path,
                environment: [
                    "RUNBOOK_HISTORY": directory.appendingPathComponent("state/history").path, "LANG": "C.UTF-8",
                    "TERM": "screen",
                ])
        }

        deinit {
            tmux.kill()
            try? FileManager.default.removeItem(at: directory)
        }

        /// Waits for `pattern` (a regular expression) on the screen; returns the screen. Throws with the screen
        /// past `timeout`. tmux trims trailing spaces: a prompt `name: ` is matched by `name:$`.
        @discardableResult
        func waitFor(regex pattern: String, timeout: TimeInterval = 20) throws -> String {
            let regex = try NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
            return try tmux.waitFor("/\(pattern)/", timeout: timeout) { screen in
                regex.firstMatch(in: screen, range: NSRange(screen.startIndex..., in: screen)) != nil
            }
        }

        /// Answers the variable question and waits for the REPL prompt on the first step, which it checks is shown.
        func reachFirstStep(sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
            try tmux.waitFor("NAMESPACE")
            try tmux.send("Enter")
            let screen = try waitFor(regex: #"#1 P1 staging \d\d:\d\d ›$"#)
            #expect(screen.contains("Check service status"), "\(screen)", sourceLocation: sourceLocation)
        }

        /// The last non-empty line of the screen (where the prompt and the typed text are).
        func lastLine() throws -> String {
            try tmux.capture().split(separator: "\n").last.map(String.init) ?? ""
        }

        func events() throws -> [RecordedEvent] {
            try SQLiteTranscriptStore(path: database).events(incidentID: 1)
        }
    }

    @Test func promptShowsIncidentSeverityEnvironmentAndElapsedTime() throws {
        let terminal = try Terminal()
        try terminal.reachFirstStep()
        let screen = try terminal.tmux.capture()
        #expect(screen.contains("#1 P1 staging 00:0"), "\(screen)")
    }

    @Test func theClockInThePromptAdvancesWithoutLosingTheTypedLine() throws {
        let terminal = try Terminal()
        try terminal.reachFirstStep()
        try terminal.tmux.send("note half typ", literal: true)
        // The prompt is replaced every second while the responder types; the typed text must stay put.
        let screen = try terminal.waitFor(regex: #"#1 P1 staging 00:0[3-9] › note half typ$"#)
        #expect(screen.contains("› note half typ"), "\(screen)")
        try terminal.tmux.send("ed", literal: true)
        try terminal.tmux.send("Enter")
        try terminal.tmux.waitFor("noted")
        #expect(try terminal.events().contains { $0.type == .noteAdded && $0.payload["text"] == "half typed" })
    }

    @Test func tabCompletesACommandAndAStepID() throws {
        let terminal = try Terminal()
        try terminal.reachFirstStep()
        try terminal.tmux.send("ste", literal: true)
        try terminal.tmux.send("Tab")
        var screen = try terminal.waitFor(regex: #"› steps$"#)
        #expect(try terminal.lastLine().hasSuffix("› steps"), "\(screen)")
        try terminal.tmux.send("C-u")
        try terminal.tmux.send("goto check-h", literal: true)
        try terminal.tmux.send("Tab")
        screen = try terminal.waitFor(regex: #"› goto check-health$"#)
        #expect(try terminal.lastLine().hasSuffix("› goto check-health"), "\(screen)")
        try terminal.tmux.send("Enter")
        screen = try terminal.tmux.waitFor("Check health")
        #expect(screen.contains("echo \"health of $POD: 503\""), "\(screen)")
    }

    @Test func editPrefillsTheCommandAndTheEditIsRecorded() throws {
        let terminal = try Terminal()
        try terminal.reachFirstStep()
        try terminal.tmux.send("e", "Enter")
        let original = #"echo "pods in $NAMESPACE: web-1 Running, web-2 CrashLoopBackOff""#
        try terminal.tmux.waitFor("› " + original)
        // The text is really in the line buffer: editing keys act on it.
        try terminal.tmux.send("C-e")
        try terminal.tmux.send("; echo edited-in-tmux", literal: true)
        try terminal.tmux.send("Enter")
        try terminal.tmux.waitFor("; echo edited-in-tmux\n")
        try terminal.tmux.send("y", "Enter")
        let screen = try terminal.waitFor(regex: #"(?m)^edited-in-tmux"#)
        #expect(screen.contains("pods in fixture-staging"), "\(screen)")
        let edit = try #require(try terminal.events().first { $0.type == .stepEdited })
        #expect(edit.payload["before"] == .string(original))
        #expect(edit.payload["after"] == .string(original + "; echo edited-in-tmux"))
    }

    @Test func ctrlCAtThePromptClearsTheLine() throws {
        let terminal = try Terminal()
        try terminal.reachFirstStep()
        try terminal.tmux.send("garbage that must go", literal: true)
        try terminal.tmux.waitFor("› garbage that must go")
        try terminal.tmux.send("C-c")
        try terminal.waitFor(regex: #"\^C\n#1 P1 staging \d\d:\d\d ›$"#)
        try terminal.tmux.send("steps", literal: true)
        try terminal.tmux.send("Enter")
        let screen = try terminal.tmux.waitFor("check-health")
        #expect(!screen.contains("garbage that must gosteps"))
        #expect(try !terminal.events().contains { $0.type == .noteAdded })
    }

    @Test func ctrlDOnAnEmptyLineSuspends() throws {
        let terminal = try Terminal()
        try terminal.reachFirstStep()
        try terminal.tmux.send("C-d")
        let screen = try terminal.tmux.waitFor("[exited 0]")
        #expect(screen.contains("runbook resume 1"), "\(screen)")
        #expect(try terminal.events().last?.type == .sessionSuspended)
    }

    @Test func historyIsPrivateAndNeverHoldsSecrets() throws {
        let terminal = try Terminal()
        try terminal.reachFirstStep()
        try terminal.tmux.send("set API_TOKEN", literal: true)
        try terminal.tmux.send("Enter")
        try terminal.tmux.waitFor("API token")
        try terminal.tmux.send("tok-tmux-secret", literal: true)
        try terminal.tmux.send("Enter")
        try terminal.waitFor(regex: #"›$"#)
        try terminal.tmux.send(" vars", literal: true)
        try terminal.tmux.send("Enter")
        try terminal.tmux.waitFor("API_TOKEN=")
        try terminal.tmux.send("C-d")
        let screen = try terminal.tmux.waitFor("[exited 0]")
        #expect(!screen.contains("tok-tmux-secret"), "the secret was echoed:\n\(screen)")
        let history = try String(contentsOfFile: terminal.history, encoding: .utf8)
        #expect(history.contains("set\\040API_TOKEN"), "\(history)")
        #expect(!history.contains("tok-tmux-secret"))
        #expect(!history.contains("vars"), "a line starting with a space is not kept")
        let mode = try FileManager.default.attributesOfItem(atPath: terminal.history)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        let directoryMode =
            try FileManager.default.attributesOfItem(
                atPath: (terminal.history as NSString).deletingLastPathComponent)[.posixPermissions] as? NSNumber
        #expect(directoryMode?.intValue == 0o700)
    }

    /// A refused `set SECRET=…`, a line the patterns would redact, an edited command, and a line holding a secret
    /// registered later in the session never reach the history file; the commands around them do.
    @Test func historyKeepsNoLineTheRedactorWouldChangeNorARefusedSecretAssignment() throws {
        let terminal = try Terminal()
        try terminal.reachFirstStep()
        let prompt = #"#1 P1 staging \d\d:\d\d ›$"#
        // The last one holds a value that becomes a secret only later.
        for line in [
            "set API_TOKEN=tok-inline-typed", "note PGPASSWORD=pg-typed-secret", "note early tok-entered-later",
        ] {
            try terminal.tmux.send(line, literal: true)
            try terminal.tmux.send("Enter")
            try terminal.waitFor(regex: prompt)
        }
        try terminal.tmux.send("set API_TOKEN", literal: true)
        try terminal.tmux.send("Enter")
        try terminal.tmux.waitFor("API token")
        try terminal.tmux.send("tok-entered-later", literal: true)
        try terminal.tmux.send("Enter")
        try terminal.waitFor(regex: prompt)
        try terminal.tmux.send("note it was tok-entered-later all along", literal: true)
        try terminal.tmux.send("Enter")
        try terminal.waitFor(regex: #"noted\n"# + prompt)
        try terminal.tmux.send("e", literal: true)
        try terminal.tmux.send("Enter")
        try terminal.tmux.send("C-u")
        try terminal.tmux.send("echo edited-command-text", literal: true)
        try terminal.tmux.send("Enter")
        try terminal.waitFor(regex: prompt)
        try terminal.tmux.send("note a plain line", literal: true)
        try terminal.tmux.send("Enter")
        try terminal.waitFor(regex: #"noted\n"# + prompt)
        try terminal.tmux.send("C-d")
        try terminal.tmux.waitFor("[exited 0]")
        let history = try String(contentsOfFile: terminal.history, encoding: .utf8)
        #expect(history.contains("note\\040a\\040plain\\040line"), "\(history)")
        for secret in ["tok-inline-typed", "pg-typed-secret", "tok-entered-later", "edited-command-text"] {
            #expect(!history.contains(secret), "\(secret) reached the history:\n\(history)")
        }
        let mode = try FileManager.default.attributesOfItem(atPath: terminal.history)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
    }

    @Test func answersToVariableAndConfirmationPromptsNeverReachTheHistory() throws {
        let terminal = try Terminal()
        // The step is shown first, then its variable is asked.
        var screen = try terminal.waitFor(regex: #"Kubernetes namespace \(NAMESPACE\).*:$"#)
        try #require(screen.contains("Check service status"), "the step was not shown first:\n\(screen)")
        try terminal.tmux.send("candlefish-typed-ns", literal: true)
        try terminal.tmux.send("Enter")
        screen = try terminal.waitFor(regex: #"#1 P1 staging \d\d:\d\d ›$"#)
        try #require(screen.contains("NAMESPACE=candlefish-typed-ns"), "no prompt after the answer:\n\(screen)")
        try terminal.tmux.send("note typed at the prompt", literal: true)
        try terminal.tmux.send("Enter")
        screen = try terminal.waitFor(regex: #"noted\n#1 P1 staging \d\d:\d\d ›$"#)
        try #require(screen.contains("noted"), "the note was not taken:\n\(screen)")
        try terminal.tmux.send("C-d")
        screen = try terminal.tmux.waitFor("[exited 0]")
        try #require(screen.contains("[exited 0]"), "the REPL did not end:\n\(screen)")
        let history = try String(contentsOfFile: terminal.history, encoding: .utf8)
        #expect(history.contains("note\\040typed\\040at\\040the\\040prompt"), "\(history)")
        #expect(!history.contains("candlefish-typed-ns"), "a variable answer reached the history:\n\(history)")
    }

    @Test func upArrowRecallsALineFromAnEarlierSession() throws {
        let first = try Terminal()
        try first.reachFirstStep()
        try first.tmux.send("note from the first session", literal: true)
        try first.tmux.send("Enter")
        try first.tmux.waitFor("noted")
        try first.tmux.send("C-d")
        try first.tmux.waitFor("[exited 0]")
        let history = try String(contentsOfFile: first.history, encoding: .utf8)

        let second = try Terminal(history: history)
        try second.reachFirstStep()
        try second.tmux.send("Up")
        #expect(try second.tmux.waitFor("› note from the first session").contains("› note from the first session"))
    }
}

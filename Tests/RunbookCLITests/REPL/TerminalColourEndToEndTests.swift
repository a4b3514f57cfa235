import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// The built binary on a real pseudo-terminal: colour where the terminal allows it, and no colour with `NO_COLOR`
/// or `TERM=dumb`, on every screen (`show`, `list`, `lint` and the REPL ask the same `TerminalStyle`).
@Suite(.serialized) struct TerminalColourEndToEndTests {
    static let root = BuiltBinary.packageRoot.path
    static let fixtures = root + "/Tests/RunbookCLITests/Fixtures"

    /// What `runbook arguments` writes to a terminal with `environment`; a REPL is stopped after `timeout`.
    func screen(_ arguments: [String], _ environment: [String: String], timeout: TimeInterval = 20) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-colour-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var base = [
            "PATH": "/usr/bin:/bin", "HOME": directory.path, "LANG": "C.UTF-8", "RUNBOOK_ESCALATOR": "off",
            "RUNBOOK_HISTORY": directory.appendingPathComponent("history").path,
        ]
        base.merge(environment) { _, new in new }
        let sink = CollectingOutputSink()
        let command = ([BuiltBinary.path] + arguments).map(TmuxSession.quote).joined(separator: " ")
        _ = try PTYCommandRunner(input: nil, screen: nil).run(
            CommandRequest(
                command: command, environment: base, workingDirectory: directory.path, timeout: timeout, killGrace: 0.5),
            sink: sink)
        return sink.text
    }

    /// Whether `text` holds a colour (SGR) sequence. A line editor's cursor moves are not colour.
    func hasColour(_ text: String) -> Bool {
        text.range(of: "\u{1B}\\[[0-9;]*m", options: .regularExpression) != nil
    }

    static let screens: [[String]] = [
        ["show", "outage", "--runbooks", fixtures + "/show"],
        ["list", "--runbooks", fixtures + "/show"],
        ["lint", fixtures + "/broken"],
    ]

    @Test(arguments: screens) func aColourTerminalGetsColour(_ arguments: [String]) throws {
        let text = try screen(arguments, ["TERM": "xterm"])
        #expect(hasColour(text), "\(text)")
    }

    @Test(arguments: screens) func noColorTurnsEveryColourOff(_ arguments: [String]) throws {
        let text = try screen(arguments, ["TERM": "xterm", "NO_COLOR": "1"])
        #expect(!text.isEmpty)
        #expect(!text.contains("\u{1B}"), "\(text)")
    }

    @Test(arguments: screens) func aDumbTerminalGetsNoEscapes(_ arguments: [String]) throws {
        let text = try screen(arguments, ["TERM": "dumb"])
        #expect(!text.isEmpty)
        #expect(!text.contains("\u{1B}"), "\(text)")
    }

    @Test(arguments: [["TERM": "dumb"], ["TERM": "xterm", "NO_COLOR": "1"]])
    func aDumbTerminalOrNoColorGetsASCIIMarksInTheSession(_ environment: [String: String]) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-marks-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let runbook = """
            ---
            title: Marks
            environments: [staging]
            ---
            # Marks

            ## Check

            ```bash {id=check risk=read}
            true
            ```

            ## Skip me

            ```bash {id=skip-me risk=read}
            true
            ```
            """
        try runbook.write(to: directory.appendingPathComponent("marks.md"), atomically: true, encoding: .utf8)
        let arguments = [
            "start", "marks", "--env", "staging", "--runbooks", directory.path, "--db",
            directory.appendingPathComponent("t.sqlite3").path,
        ]
        let result = try BuiltBinary.run(arguments, stdin: "y\ns\nsteps\nq\n", environment: environment)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("[ok] exit 0"), "\(result.stdout)")
        #expect(result.stdout.contains("[-] skipped"), "\(result.stdout)")
        #expect(result.stdout.contains("  [ok]  1. check"), "\(result.stdout)")
        #expect(result.stdout.contains("  [-]  2. skip-me"), "\(result.stdout)")
        for mark in ["✓", "✗", "–", "☐", "⏱", "⚠", "›"] {
            #expect(!result.stdout.contains(mark), "\(environment): \(mark) in \(result.stdout)")
        }
        // Without either, the same session shows the Unicode marks.
        try? FileManager.default.removeItem(at: directory.appendingPathComponent("t.sqlite3"))
        let unicode = try BuiltBinary.run(arguments, stdin: "y\ns\nsteps\nq\n")
        #expect(unicode.stdout.contains("✓ exit 0"), "\(unicode.stdout)")
    }

    @Test func theREPLHonoursNoColorAndADumbTerminal() throws {
        let start = [
            "start", "outage", "--env", "staging", "--runbooks", Self.fixtures + "/session", "--db",
            "incidents.sqlite3",
        ]
        // The REPL waits for an answer; what it printed by then is enough, so it is stopped after a few seconds.
        let coloured = try screen(start, ["TERM": "xterm"], timeout: 4)
        #expect(coloured.contains("NAMESPACE"), "\(coloured)")
        #expect(hasColour(coloured), "\(coloured)")
        for environment in [["TERM": "xterm", "NO_COLOR": "1"], ["TERM": "dumb"]] {
            let plain = try screen(start, environment, timeout: 4)
            #expect(plain.contains("NAMESPACE"), "\(plain)")
            #expect(!hasColour(plain), "\(environment): \(plain)")
        }
    }
}

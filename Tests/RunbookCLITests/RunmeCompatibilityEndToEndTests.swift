import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// Runbooks written for Runme or as plain Markdown (terminal sessions with `$ ` prompts, Hugo and Docusaurus
/// front matter) open unchanged, through the built binary.
@Suite struct RunmeCompatibilityEndToEndTests {
    static let fixtures = "Tests/RunbookCLITests/Fixtures/runme"

    @Test func lintExplainsPromptsAndRunmeAttributesWithNotesThatDoNotFailStrict() throws {
        let result = try BuiltBinary.run(["lint", "--strict", Self.fixtures])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(
            result.stdout == BuiltBinary.noEscalationPolicyNote(Self.fixtures) + """
                \(Self.fixtures)/prompts.md:13:1: note: prompt `$ ` stripped from 1 command line; 2 lines of sample output (from line 14) are shown, not run
                  hint: a block written as a terminal session reads best as ```console
                \(Self.fixtures)/prompts.md:21:5: note: prompt `$ ` stripped from 2 command lines; 2 lines of sample output (from line 26) are shown, not run
                  hint: a block written as a terminal session reads best as ```console
                \(Self.fixtures)/runme-cells.md:33:1: note: `promptEnv` asks for `CACHE_KEY` before the step runs
                  hint: each `export NAME=value` line becomes `[ -n "${NAME+set}" ] || export NAME=value`, so the answer (passed as environment) is kept; only literal values are asked for
                3 files checked, no problems (4 notes)

                """)
    }

    @Test func unknownAttributeIsAWarningAndTheRunbookStillLoads() throws {
        let scratch = try ScratchRunbooks("runme-unknown")
        defer { try? FileManager.default.removeItem(at: scratch.directory) }
        let file = scratch.runbooks.appendingPathComponent("x.md")
        try "# X\n\n```bash {id=hello frobnicate=3}\necho hello\n```\n".write(
            to: file, atomically: true, encoding: .utf8)
        let lint = try BuiltBinary.run(["lint", file.path])
        #expect(lint.status == 0)
        #expect(lint.stdout.contains("x.md:3:19: warning: unknown attribute `frobnicate`"))
        let show = try BuiltBinary.run(["show", file.path])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("hello"))
    }

    @Test func showPrintsCommandsWithoutPromptsAndSampleOutputApart() throws {
        let result = try BuiltBinary.run(["show", "prompts", "--runbooks", Self.fixtures])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("        $ echo \"node/cache-0 Ready\"\n        | node/cache-0 Ready\n"))
        #expect(result.stdout.contains("        | node/cache-1 NotReady > evicted-nodes.txt\n"))
        #expect(!result.stdout.contains("$ $"))
        #expect(result.stdout.contains("        $ echo \"node/cache-1 cordoned\"\n        | node/cache-1 cordoned\n"))
    }

    @Test func showListsRunmeAttributesAndLeavesOutExcludedCells() throws {
        let result = try BuiltBinary.run(["show", "runme-cells", "--runbooks", Self.fixtures])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("4 steps"))
        #expect(result.stdout.contains("list-keys · risk change · tag triage,cache"))
        #expect(
            result.stdout.contains(
                "watch-rotation · risk change · background (starts detached; output recorded, not shown) · tag cache · closeTerminalOnSuccess false · terminalRows 20"
            ))
        #expect(
            result.stdout.contains("announce-the-rotation · risk change · name \"Announce the rotation\" · shell bash"))
        #expect(result.stdout.contains("set-key · risk change · promptEnv yes"))
        #expect(result.stdout.contains(#"[ -n "${CACHE_KEY+set}" ] || export CACHE_KEY="key-2""#))
        #expect(!result.stdout.contains("never a step here"))
    }

    @Test func aPromptedStepRunsWithoutItsPromptAndItsSampleOutputIsNeverRun() throws {
        let scratch = try ScratchRunbooks("runme-prompts")
        defer { try? FileManager.default.removeItem(at: scratch.directory) }
        let fixture = try String(contentsOfFile: Self.fixtures + "/prompts.md", encoding: .utf8)
        try fixture.write(
            to: scratch.runbooks.appendingPathComponent("prompts.md"), atomically: true, encoding: .utf8)
        // The sample output holds `> evicted-nodes.txt`: run by a shell, it would create that file here.
        let result = try BuiltBinary.run(
            ["start", "prompts", "--env", "staging", "--runbooks", scratch.runbooks.path, "--db", scratch.database],
            stdin: "y\ny\nq\n", currentDirectory: scratch.directory)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        // The step view shows the sample output apart from the command.
        #expect(result.stdout.contains("  $ echo \"node/cache-0 Ready\""))
        #expect(
            result.stdout.contains(
                "expected output:\n    node/cache-0 Ready\n    node/cache-1 NotReady > evicted-nodes.txt"))
        #expect(result.stdout.contains("events: 3 evictions in the last hour (operator v4)"))
        #expect(!result.stdout.contains("command not found"))
        #expect(
            !FileManager.default.fileExists(atPath: scratch.directory.appendingPathComponent("evicted-nodes.txt").path))
        let events = try SQLiteTranscriptStore(path: scratch.database).events(incidentID: 1)
        let commands = events.filter { $0.type == .commandStarted }.map { $0.payload["command"] }
        #expect(
            commands == [
                "echo \"node/cache-0 Ready\"",
                "echo \"events: 3 evictions in the last hour\" \\\n    \"(operator v4)\"\ncat <<EOF\nlimit: 3\nEOF",
            ])
        let finished = events.filter { $0.type == .commandFinished }.map { $0.payload["exit_code"] }
        #expect(finished == [0, 0])
    }

    /// `promptEnv`: the session asks for the exported value (the literal is the default), records it, and the step
    /// runs with the answer; the command recorded is the one shown, with no answer in its text.
    @Test func promptEnvAsksForTheExportedValueAndTheStepUsesTheAnswer() throws {
        let scratch = try ScratchRunbooks("runme-promptenv")
        defer { try? FileManager.default.removeItem(at: scratch.directory) }
        let runbook =
            "---\nenvironments: [staging]\n---\n# Key\n\n"
            + "```bash {name=set-key promptEnv=yes}\nexport CACHE_GEN=\"key-2\"\necho \"using $CACHE_GEN\"\n```\n\n"
            + "```bash {name=again promptEnv=yes}\nexport CACHE_GEN=\"key-2\"\necho \"still $CACHE_GEN\"\n```\n"
        try runbook.write(to: scratch.runbooks.appendingPathComponent("key.md"), atomically: true, encoding: .utf8)
        let result = try BuiltBinary.run(
            ["start", "key", "--env", "staging", "--runbooks", scratch.runbooks.path, "--db", scratch.database],
            stdin: "key-from-responder\ny\ny\nq\n", currentDirectory: scratch.directory)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("CACHE_GEN (promptEnv: the step exports it)"), "\(result.stdout)")
        #expect(result.stdout.contains("using key-from-responder"))
        // Asked once: the second step keeps the answer.
        #expect(result.stdout.contains("still key-from-responder"))
        let events = try SQLiteTranscriptStore(path: scratch.database).events(incidentID: 1)
        #expect(
            events.contains {
                $0.type == .variableSet && $0.payload["name"] == "CACHE_GEN"
                    && $0.payload["value"] == "key-from-responder"
            })
        let commands = events.filter { $0.type == .commandStarted }.compactMap { $0.payload["command"]?.stringValue }
        #expect(
            commands.first == "[ -n \"${CACHE_GEN+set}\" ] || export CACHE_GEN=\"key-2\"\necho \"using $CACHE_GEN\"")
        #expect(!commands.contains { $0.contains("key-from-responder") })
    }

    @Test func frontMatterCwdRunsStepsInTheDirectoryBesideTheRunbook() throws {
        let scratch = try ScratchRunbooks("runme-cwd")
        defer { try? FileManager.default.removeItem(at: scratch.directory) }
        let work = scratch.runbooks.appendingPathComponent("deploy")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try "---\ncwd: deploy\n---\n# Where\n\n```bash {id=where risk=read}\necho \"in $(basename \"$PWD\")\"\n```\n"
            .write(to: scratch.runbooks.appendingPathComponent("where.md"), atomically: true, encoding: .utf8)
        let result = try BuiltBinary.run(
            ["start", "where", "--env", "staging", "--runbooks", scratch.runbooks.path, "--db", scratch.database],
            stdin: "y\nq\n", currentDirectory: scratch.directory)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("in deploy"))
    }

    @Test func anInterpreterThatNamesAShellRunsTheStep() throws {
        let scratch = try ScratchRunbooks("runme-interpreter")
        defer { try? FileManager.default.removeItem(at: scratch.directory) }
        try "# I\n\n```bash {id=which interpreter=sh}\necho \"shell=$0\"\n```\n"
            .write(to: scratch.runbooks.appendingPathComponent("i.md"), atomically: true, encoding: .utf8)
        let result = try BuiltBinary.run(
            ["start", "i", "--env", "staging", "--runbooks", scratch.runbooks.path, "--db", scratch.database],
            stdin: "y\nq\n")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("shell=sh"))
        let started = try SQLiteTranscriptStore(path: scratch.database).events(incidentID: 1)
            .first { $0.type == .commandStarted }
        #expect(started?.payload["shell"] == "sh")
    }
}

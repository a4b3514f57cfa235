import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// One row of the bad-input table: what to set up, what to run, and what the person at the terminal must see.
struct BadInputRow: Sendable, CustomTestStringConvertible {
    /// Short name, as in docs/reliability.md.
    var name: String
    /// Runbook files to write into the scratch runbooks folder.
    var files: [String: String] = [:]
    /// FIFOs to make in the runbooks folder (`mkfifo`), with no writer: reading one waits forever.
    var fifos: [String] = []
    /// Arguments; `RUNBOOKS`, `DB` and `FILE:name` are replaced with scratch paths.
    var arguments: [String]
    /// Scripted answers on stdin.
    var stdin: String? = nil
    /// Run as `nobody` (root ignores file modes).
    var unprivileged = false
    /// Make the named runbook file unreadable first.
    var unreadable: String? = nil
    /// The documented exit status.
    var status: Int32
    /// A fragment the output (stdout + stderr) must contain.
    var message: String
    /// What the transcript must hold afterwards: (event type, payload key, value).
    var recorded: (type: EventType, key: String, value: JSONValue)? = nil
    /// Seconds before `runbook` is killed and the row fails as a hang.
    var timeout: TimeInterval = 60

    var testDescription: String { name }

    static let healthy = """
        ---
        title: Probe
        environments: [staging]
        ---
        # Probe

        ```bash {id=probe risk=read}
        echo probe
        ```

        """

    static func runbook(_ fence: String, _ command: String) -> String {
        "---\ntitle: Faulty\nenvironments: [staging]\n---\n# Faulty\n\n```bash {\(fence)}\n\(command)\n```\n"
    }

    static let all: [BadInputRow] = [
        BadInputRow(
            name: "missing runbook", files: ["probe.md": healthy],
            arguments: ["start", "nosuch", "--env", "staging", "--runbooks", "RUNBOOKS", "--db", "DB"], status: 2,
            message: "no runbook named `nosuch`"),
        BadInputRow(
            name: "unreadable file", files: ["probe.md": healthy], arguments: ["lint", "FILE:probe.md"],
            unprivileged: true, unreadable: "probe.md", status: 2, message: "cannot read"),
        BadInputRow(
            name: "malformed front matter",
            files: ["bad.md": "---\ntitle: [unclosed\nseverity: P1\n---\n# Bad\n"], arguments: ["lint", "FILE:bad.md"],
            status: 1, message: "front matter is not valid YAML"),
        BadInputRow(
            name: "bad attribute", files: ["bad.md": runbook("id=a timeout=5x", "echo a")],
            arguments: ["lint", "FILE:bad.md"], status: 1, message: "timeout `5x` is not a duration"),
        BadInputRow(
            name: "duplicate id",
            files: [
                "bad.md": runbook("id=a", "echo a") + "\n```bash {id=a}\necho again\n```\n"
            ], arguments: ["lint", "FILE:bad.md"], status: 1, message: "duplicate step id `a`"),
        BadInputRow(
            name: "unknown variable", files: ["bad.md": runbook("id=a", "echo \"$POD\"")],
            arguments: ["lint", "--strict", "FILE:bad.md"], status: 1, message: "`$POD` is not declared"),
        BadInputRow(
            name: "command that does not exist",
            files: ["faulty.md": runbook("id=missing risk=read", "no-such-command-\(UUID().uuidString.prefix(8))")],
            arguments: ["start", "faulty", "--env", "staging", "--runbooks", "RUNBOOKS", "--db", "DB"],
            stdin: "y\nq\n", status: 0, message: "exit 127",
            recorded: (.commandFinished, "exit_code", .int(127))),
        BadInputRow(
            name: "command that hangs", files: ["faulty.md": runbook("id=hang risk=read timeout=1s", "sleep 30")],
            arguments: ["start", "faulty", "--env", "staging", "--runbooks", "RUNBOOKS", "--db", "DB"],
            stdin: "y\nq\n", status: 0, message: "timed out after",
            recorded: (.commandFinished, "timed_out", .bool(true))),
        BadInputRow(
            name: "binary output",
            files: ["faulty.md": runbook("id=binary risk=read", "head -c 65536 /dev/urandom; printf '\\0\\377\\n'")],
            arguments: ["start", "faulty", "--env", "staging", "--runbooks", "RUNBOOKS", "--db", "DB"],
            stdin: "y\nq\n", status: 0, message: "exit 0",
            recorded: (.commandFinished, "exit_code", .int(0))),
        BadInputRow(
            name: "control character in a command",
            files: ["bad.md": runbook("id=a risk=read", "touch X; echo ok #\u{1B}[2K\u{1B}[1G$ echo ok")],
            arguments: ["lint", "FILE:bad.md"], status: 1,
            message: "bad.md:8:19: error: command holds the control character ^["),
        BadInputRow(
            name: "edited command holding a password",
            files: ["faulty.md": runbook("id=login risk=read", "echo start")],
            arguments: ["start", "faulty", "--env", "staging", "--runbooks", "RUNBOOKS", "--db", "DB"],
            stdin: "e\nprintf '%s\\n' ran:password=hunter2 | tr : ' '\ny\nq\n", status: 0,
            message: "ran password=hunter2", recorded: (.stepEdited, "redacted", .bool(true))),
        BadInputRow(
            name: "control character in prose",
            files: [
                "prose.md":
                    "---\ntitle: Prose\n---\n# Prose\n\nCheck first #\u{1B}[2K\u{1B}[1Gall fine\n\n```bash {id=a risk=read}\necho a\n```\n"
            ],
            arguments: ["show", "FILE:prose.md"], status: 0, message: "Check first #^[[2K^[[1Gall fine"),
        BadInputRow(
            name: "CRLF front matter",
            files: ["probe.md": healthy.replacingOccurrences(of: "\n", with: "\r\n")],
            arguments: ["start", "probe", "--env", "production", "--runbooks", "RUNBOOKS", "--db", "DB"], status: 2,
            message: "may not run in environment 'production'"),
        BadInputRow(
            name: "variable that changes the shell",
            files: ["bad.md": "---\ntitle: Bad\nvariables:\n  BASH_ENV: {default: /tmp/x}\n---\n# Bad\n"],
            arguments: ["lint", "FILE:bad.md"], status: 1,
            message: "bad.md:4:3: error: `BASH_ENV` changes how the shell or the loader behaves"),
        BadInputRow(
            name: "capture into a variable that changes the shell",
            files: ["faulty.md": runbook("id=a risk=read capture=LD_PRELOAD", "echo /tmp/evil.so")],
            arguments: ["start", "faulty", "--env", "staging", "--runbooks", "RUNBOOKS", "--db", "DB"], status: 2,
            message: "`LD_PRELOAD` changes how the shell or the loader behaves"),
        BadInputRow(
            name: "set a variable that changes the shell",
            files: ["probe.md": healthy],
            arguments: ["start", "probe", "--env", "staging", "--runbooks", "RUNBOOKS", "--db", "DB"],
            stdin: "set LD_PRELOAD=/tmp/evil.so\nq\n", status: 0,
            message: "error: `LD_PRELOAD` changes how the shell or the loader behaves",
            recorded: (.sessionSuspended, "reason", .string("quit"))),
        BadInputRow(
            name: "empty confirmation target",
            files: [
                "wipe.md": """
                ---
                title: Wipe
                environments: [production]
                variables:
                  NAMESPACE: {prompt: Namespace}
                ---
                # Wipe

                ```bash {id=find risk=read capture=NAMESPACE}
                printf ''
                ```

                ```bash {id=wipe risk=destructive}
                echo wiping "$NAMESPACE"
                ```

                """
            ],
            arguments: ["start", "wipe", "--env", "production", "--runbooks", "RUNBOOKS", "--db", "DB"],
            stdin: "y\ny\n\nq\n", status: 0, message: "NAMESPACE is empty",
            recorded: (.stepRefused, "reason", .string("confirmation target NAMESPACE is empty"))),
        BadInputRow(
            name: "oc delete in production",
            files: [
                "clean.md":
                    "---\ntitle: Clean\nenvironments: [production]\n---\n# Clean\n\n```bash {id=clean}\noc delete pod foo\n```\n"
            ],
            arguments: ["start", "clean", "--env", "production", "--runbooks", "RUNBOOKS", "--db", "DB"],
            stdin: "y\ny\nq\n", status: 0, message: "Type 'production' to run it",
            recorded: (.stepRefused, "expected_target", .string("production"))),
        BadInputRow(
            name: "unmarked destructive command",
            files: ["bad.md": runbook("id=a risk=change", "oc adm drain node-1 --ignore-daemonsets")],
            arguments: ["lint", "--strict", "FILE:bad.md"], status: 1, message: "rule `kubectl-drain`"),
        BadInputRow(
            name: "destructive pattern of the directory",
            files: [
                "destructive.yaml":
                    "rules:\n  - name: cluster-reset\n    pattern: 'candlefish-admin reset'\n    reason: resets the cluster\n",
                "bad.md": runbook("id=a risk=change", "candlefish-admin reset --force"),
            ],
            arguments: ["lint", "--strict", "RUNBOOKS"], status: 1,
            message: "looks destructive (rule `cluster-reset`: resets the cluster)"),
        BadInputRow(
            name: "bad destructive.yaml",
            files: ["destructive.yaml": "rules:\n  - name: x\n    pattern: '(unclosed'\n", "probe.md": healthy],
            arguments: ["lint", "RUNBOOKS"], status: 1,
            message: "destructive.yaml:3:14: error: pattern `(unclosed` is not a regular expression"),
        BadInputRow(
            name: "bad destructive.yaml at start",
            files: ["destructive.yaml": "rules:\n  - name: x\n    pattern: '(unclosed'\n", "probe.md": healthy],
            arguments: ["start", "probe", "--env", "staging", "--runbooks", "RUNBOOKS", "--db", "DB"], status: 2,
            message: "pattern `(unclosed` is not a regular expression"),
        BadInputRow(
            name: "bad redaction.yaml",
            files: ["redaction.yaml": "rules:\n  - name: x\n    pattern: '(unclosed'\n", "probe.md": healthy],
            arguments: ["lint", "RUNBOOKS"], status: 1,
            message: "redaction.yaml:3:14: error: pattern `(unclosed` is not a regular expression"),
        BadInputRow(
            name: "bad redaction.yaml at start",
            files: ["redaction.yaml": "rules:\n  - name: jwt\n    pattern: 'x+'\n", "probe.md": healthy],
            arguments: ["start", "probe", "--env", "staging", "--runbooks", "RUNBOOKS", "--db", "DB"], status: 2,
            message: "a rule named `jwt` already exists"),
    ]
}

/// Hostile input and faults, one row each, through the built binary: the documented exit status, a message that
/// says what is wrong, and (where a database existed) `runbook verify --all` still passes.
@Suite struct BadInputTests {
    @Test(arguments: BadInputRow.all + BadInputRow.hostile)
    func eachRowGivesItsMessageAndExitStatusAndKeepsTheTranscript(_ row: BadInputRow) throws {
        let scratch = try ProveScratch()
        for (name, text) in row.files {
            let path = try scratch.write(name, text)
            chmod(path, 0o644)
        }
        for name in row.fifos { try #require(mkfifo(scratch.runbooks + "/" + name, 0o644) == 0, "mkfifo \(name)") }
        if let unreadable = row.unreadable { chmod(scratch.runbooks + "/" + unreadable, 0o000) }
        let arguments = row.arguments.map { argument -> String in
            if argument == "RUNBOOKS" { return scratch.runbooks }
            if argument == "DB" { return scratch.database }
            if argument.hasPrefix("FILE:") { return scratch.runbooks + "/" + argument.dropFirst(5) }
            return argument
        }
        let result = try scratch.run(arguments, stdin: row.stdin, unprivileged: row.unprivileged, timeout: row.timeout)
        let screen = (result.stdout + result.stderr).replacingOccurrences(of: scratch.runbooks, with: "RUNBOOKS")
        #expect(result.status == row.status, "\(row.name): \(screen)")
        #expect(screen.contains(row.message), "\(row.name): \(screen)")
        if let recorded = row.recorded {
            let events = try scratch.events()
            #expect(
                events.contains { $0.type == recorded.type && $0.payload[recorded.key] == recorded.value },
                "\(row.name): \(events.map(\.type))")
            // The session went on to the prompt after the failure and suspended cleanly on `q`.
            #expect(events.last?.type == .sessionSuspended, "\(row.name)")
        }
        if FileManager.default.fileExists(atPath: scratch.database) {
            let verify = try scratch.verifyAll()
            #expect(verify.status == 0, "\(row.name): \(verify.stdout) \(verify.stderr)")
        }
    }

    @Test func controlCharactersInANoteAreShownByTranscriptNotObeyed() throws {
        let scratch = try ProveScratch()
        let declared = try scratch.run(
            ["declare", "--title", "Escapes", "--severity", "P2", "--env", "staging", "--db", scratch.database])
        #expect(declared.status == 0, "\(declared.stderr)")
        let note = try scratch.run(["note", "1", "rm ran #\u{1B}[2K\u{1B}[1Gall fine", "--db", scratch.database])
        #expect(note.status == 0, "\(note.stderr)")
        let transcript = try scratch.run(["transcript", "1", "--db", scratch.database])
        #expect(transcript.status == 0, "\(transcript.stderr)")
        #expect(transcript.stdout.contains("rm ran #^[[2K^[[1Gall fine"), "\(transcript.stdout)")
        #expect(!transcript.stdout.contains("\u{1B}"), "\(transcript.stdout)")
    }

    /// An incident's title and environment come from whoever declared it: since `runbook serve`, from an alert's
    /// summary and labels. Every command that shows them shows control characters in caret notation and a line
    /// break as ⏎, rather than obeying them or starting a line that looks like the tool's own; the Markdown
    /// postmortem holds none of them either.
    @Test func controlCharactersInATitleAreShownNotObeyedByEveryCommand() throws {
        let scratch = try ProveScratch()
        let title = "Disk full\u{1B}]0;owned\u{07}\u{1B}[2K\rall fine\nincident 2: resolved"
        let declared = try scratch.run(
            ["declare", "--title", title, "--severity", "P2", "--env", "stag\u{1B}[8ming", "--db", scratch.database])
        #expect(declared.status == 0, "\(declared.stderr)")
        let shownTitle = "Disk full^[]0;owned^G^[[2K^Mall fine ⏎ incident 2: resolved"
        let note = try scratch.run(["note", "1", "from \u{1B}[31melsewhere", "--db", scratch.database])
        #expect(note.status == 0, "\(note.stderr)")
        // The session's opening line: the title and the environment as the alert gave them.
        try scratch.write("check.md", "---\ntitle: Check\n---\n# Check\n\n```bash {id=look risk=read}\necho ok\n```\n")
        let started = try scratch.run(
            ["start", "check", "--incident", "1", "--runbooks", scratch.runbooks, "--db", scratch.database],
            stdin: "q\n")
        #expect(
            started.stdout.contains("started on incident #1: \(shownTitle) · P2 · stag^[[8ming"), "\(started.stdout)")
        #expect(
            ControlCharacters.firstOffset(in: started.stdout + started.stderr) == nil,
            "\((started.stdout + started.stderr).debugDescription)")
        let commands: [(arguments: [String], shows: String)] = [
            (["incidents", "--db", scratch.database], "Disk full^[]0;owned^G^[[2K^Mall fine ⏎ …"),
            (["incidents", "--db", scratch.database], "stag^[[8ming"),
            (["status", "1", "--db", scratch.database], shownTitle),
            (["escalations", "1", "--db", scratch.database], shownTitle),
            (["transcript", "1", "--db", scratch.database], shownTitle),
            (["transcript", "1", "--db", scratch.database], "stag^[[8ming"),
            // The postmortem: caret notation with its `[` escaped, which renders as `^[`.
            (["export", "1", "--format", "markdown", "-o", "-", "--db", scratch.database], "from ^\\[[31melsewhere"),
            (["status", "1", "resolved", "--db", scratch.database], "incident 1: open → resolved"),
            (["follow", "1", "--db", scratch.database], shownTitle),
        ]
        for command in commands {
            let result = try scratch.run(command.arguments)
            #expect(result.status == 0, "\(command.arguments): \(result.stderr)")
            #expect(result.stdout.contains(command.shows), "\(command.arguments): \(result.stdout)")
            #expect(
                ControlCharacters.firstOffset(in: result.stdout + result.stderr) == nil,
                "\(command.arguments): \((result.stdout + result.stderr).debugDescription)")
        }
    }

    /// Mounting a small tmpfs needs root: elsewhere the test shows as skipped (docs/reliability.md says so).
    @Test(.enabled(if: getuid() == 0, "mounting a 512 KiB tmpfs needs root"))
    func aFullDiskIsNamedWithExitFourAndEarlierEventsSurvive() throws {
        let scratch = try ProveScratch()
        let disk = try SmallDisk(in: scratch, size: "512k")
        defer { disk.unmount() }
        let mountPoint = disk.mountPoint
        let database = mountPoint + "/runbook.sqlite3"
        let declared = try BuiltBinary.run(
            ["declare", "--title", "Disk", "--severity", "P2", "--env", "staging", "--db", database])
        #expect(declared.status == 0, "\(declared.stderr)")
        #expect(try BuiltBinary.run(["note", "1", "before the disk filled", "--db", database]).status == 0)
        // Fill the filesystem to the last byte.
        try #require(FileManager.default.createFile(atPath: mountPoint + "/filler", contents: nil))
        let filler = try #require(FileHandle(forWritingAtPath: mountPoint + "/filler"))
        let block = Data(count: 4096)
        while (try? filler.write(contentsOf: block)) != nil {}
        try? filler.close()
        let note = String(repeating: "a long note that needs new pages ", count: 400)
        let full = try BuiltBinary.run(
            ["note", "1", note, "--db", database], environment: ["RUNBOOK_DB_TIMEOUT": "2"])
        #expect(full.status == 4, "\(full.stdout) \(full.stderr)")
        // Found by this test: a full tmpfs surfaces as SQLITE_IOERR ("disk I/O error"); the store then looks at
        // the filesystem's free space and names the full disk.
        #expect(full.stderr.contains("the disk holding the transcript database is full"), "\(full.stderr)")
        #expect(full.stderr.contains(database), "\(full.stderr)")
        try FileManager.default.removeItem(atPath: mountPoint + "/filler")
        let events = try SQLiteTranscriptStore(path: database).events(incidentID: 1)
        #expect(events.contains { $0.type == .noteAdded && $0.payload["text"] == "before the disk filled" })
        #expect(try BuiltBinary.run(["verify", "--all", "--db", database]).status == 0)
    }

    @Test(arguments: [SIGINT, SIGHUP])
    func aSignalDuringACommandReachesTheCommandAndKeepsTheTranscriptVerifiable(_ signal: Int32) throws {
        let scratch = try ProveScratch()
        try scratch.write("slow.md", BadInputRow.runbook("id=slow risk=read", "echo slow-started; sleep 30"))
        // The test runner ignores SIGINT/SIGHUP and children inherit that; env --default-signal restores them.
        let child = try RunningBinary(
            [
                "--default-signal=INT,HUP", BuiltBinary.path, "start", "slow", "--env", "staging", "--runbooks",
                scratch.runbooks, "--db", scratch.database,
            ],
            executable: "/usr/bin/env")
        child.write("y\n")  // stdin stays open: the responder is still there when the signal arrives.
        var sawStart = false
        while let line = child.readLine() {
            // The command's own output, not the step header that shows the command text.
            if line.trimmingCharacters(in: .whitespacesAndNewlines) == "slow-started" {
                sawStart = true
                break
            }
        }
        #expect(sawStart)
        child.kill(signal)
        let status: Int32
        if signal == SIGINT {
            // Ctrl-C interrupts the command, not `runbook`: the step is reported failed and the REPL waits.
            var sawResult = false
            while let line = child.readLine() {
                if line.contains("killed by signal 2") {
                    sawResult = true
                    break
                }
            }
            #expect(sawResult)
            child.closeInput()
            status = child.wait()
            #expect(status == ExitStatus.inputEnded.rawValue, "status \(status)")
        } else {
            // A hang-up: the command gets it too, its result is recorded, the incident suspended, exit 129.
            status = child.wait()
            #expect(status == ExitStatus.hungUp.rawValue, "status \(status)")
        }
        let events = try scratch.events()
        #expect(events.contains { $0.type == .stepApproved && $0.stepID == "slow" })
        #expect(events.contains { $0.type == .commandStarted && $0.stepID == "slow" })
        let finished = try #require(events.first { $0.type == .commandFinished && $0.stepID == "slow" })
        #expect(finished.payload["signal"] == .int(Int64(signal)))
        #expect(finished.payload["received_signal"] == .int(Int64(signal)))
        let suspended = try #require(events.last { $0.type == .sessionSuspended })
        #expect(
            suspended.payload["reason"]
                == (signal == SIGINT ? "input ended mid-step" : "terminal hung up (SIGHUP)"))
        #expect(events.contains { $0.type == .stepShown && $0.stepID == "slow" })
        #expect(events.first?.type == .incidentDeclared)
        let verify = try scratch.verifyAll()
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        let resumed = try BuiltBinary.run(
            ["resume", "--runbooks", scratch.runbooks, "--db", scratch.database], stdin: "q\n")
        #expect(resumed.status == 0, "\(resumed.stdout) \(resumed.stderr)")
        #expect(resumed.stdout.contains("resumed incident #1"))
    }
}

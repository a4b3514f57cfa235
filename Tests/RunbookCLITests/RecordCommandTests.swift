import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// End-to-end tests of `runbook record` through the built binary: pipes when stdin is not a terminal,
/// and a real terminal (tmux) for the pseudo-terminal behaviour.
@Suite struct RecordCommandTests {
    final class Scratch {
        let path: String
        var db: String { path + "/runbook.sqlite3" }
        init() throws {
            path = NSTemporaryDirectory() + "runbook-record-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }

        func store() throws -> SQLiteTranscriptStore { try SQLiteTranscriptStore(path: db) }
    }

    /// The events of incident 1 and the stored output of its command.
    func recorded(_ scratch: Scratch, incident: Int64 = 1) throws -> (events: [RecordedEvent], output: Data) {
        let store = try scratch.store()
        let events = try store.events(incidentID: incident)
        guard let started = events.last(where: { $0.type == .commandStarted }) else { return (events, Data()) }
        let output = try store.output(incidentID: incident, commandSequence: started.sequence)
            .reduce(into: Data()) { $0.append($1.data) }
        return (events, output)
    }

    func finished(_ events: [RecordedEvent]) -> JSONValue? {
        events.last(where: { $0.type == .commandFinished })?.payload
    }

    func record(_ scratch: Scratch, _ arguments: [String], environment: [String: String] = [:])
        throws -> BuiltBinary.Result
    {
        try BuiltBinary.run(
            ["record", "--db", scratch.db] + arguments, environment: environment,
            currentDirectory: URL(fileURLWithPath: scratch.path))
    }

    @Test func exitCodeOfTheCommandIsRecordedAndReturned() throws {
        let scratch = try Scratch()
        let result = try record(scratch, ["--note", "checking", "--", "echo hello; exit 7"])
        #expect(result.status == 7)
        #expect(result.stdout == "hello\n")
        #expect(result.stderr.contains("recorded in incident 1"))
        let (events, output) = try recorded(scratch)
        #expect(
            events.map(\.type) == [.incidentDeclared, .noteAdded, .commandStarted, .commandFinished])
        #expect(finished(events)?["exit_code"] == 7)
        #expect(finished(events)?["timed_out"] == false)
        #expect(finished(events)?["output_bytes"] == 6)
        #expect(events.first(where: { $0.type == .commandStarted })?.payload["runner"] == "pipe")
        #expect(output == Data("hello\n".utf8))
        #expect(try scratch.store().incident(1)?.title == "record: echo hello; exit 7")
    }

    @Test func signalEndsAsOneHundredTwentyEightPlusTheSignal() throws {
        let scratch = try Scratch()
        let result = try record(scratch, ["--", "kill -TERM $$"])
        #expect(result.status == 128 + SIGTERM)
        #expect(finished(try recorded(scratch).events)?["signal"] == .int(Int64(SIGTERM)))
        #expect(finished(try recorded(scratch).events)?["exit_code"] == .null)
    }

    @Test func secondRecordingGoesIntoTheGivenIncident() throws {
        let scratch = try Scratch()
        _ = try record(scratch, ["--", "true"])
        let second = try record(scratch, ["--incident", "1", "--", "echo", "two words", "it's"])
        #expect(second.status == 0)
        #expect(second.stdout == "two words it's\n")
        let events = try scratch.store().events(incidentID: 1)
        #expect(events.filter { $0.type == .commandStarted }.count == 2)
        #expect(events.last(where: { $0.type == .commandStarted })?.payload["command"] == "echo 'two words' 'it'\\''s'")
        let missing = try record(scratch, ["--incident", "99", "--", "true"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("99"))
    }

    @Test func commandThatCannotStartIsAClearErrorAndAnEvent() throws {
        let scratch = try Scratch()
        let result = try record(scratch, ["--shell", "/nonexistent/shell", "--", "true"])
        #expect(result.status == 5)
        #expect(result.stderr.contains("error: cannot start the command: shell '/nonexistent/shell' was not found"))
        // Nothing started, so nothing is recorded: no incident for a command that never ran.
        #expect(try scratch.store().incidents(openOnly: false, drillsOnly: false).isEmpty)
    }

    @Test func pipesGiveNoTerminalButPtyFlagDoes() throws {
        let scratch = try Scratch()
        let piped = try record(scratch, ["--", "tty"])
        #expect(piped.status == 1)
        let pty = try record(scratch, ["--pty", "--", "tty; stty size"])
        #expect(pty.status == 0)
        #expect(pty.stdout.hasPrefix("/dev/pts/"))
    }

    @Test func timeoutKillsTheWholeProcessGroup() throws {
        let scratch = try Scratch()
        let pids = scratch.path + "/pids"
        let command = """
            (trap '' TERM; exec sleep 311) & echo $! > \(pids)
            sleep 312 & echo $! >> \(pids)
            echo started; wait
            """
        let result = try record(scratch, ["--timeout", "0.5s", "--kill-after", "0.5s", "--", command])
        #expect(result.status == 128 + SIGTERM)
        let events = try recorded(scratch).events
        #expect(finished(events)?["timed_out"] == true)
        let children = try String(contentsOfFile: pids, encoding: .utf8).split(separator: "\n").compactMap {
            Int32($0)
        }
        #expect(children.count == 2)
        for child in children {
            #expect(kill(child, 0) != 0 || Self.isZombie(child), "pid \(child) survived")
        }
    }

    static func isZombie(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        return stat[stat.index(close, offsetBy: 2)] == "Z"
    }

    @Test func workingDirectoryAndEnvironmentReachTheCommand() throws {
        let scratch = try Scratch()
        let result = try record(scratch, ["--", "pwd; echo \"$GREETING\""], environment: ["GREETING": "hi there"])
        let real = URL(fileURLWithPath: scratch.path).resolvingSymlinksInPath().path
        #expect(result.stdout == "\(real)\nhi there\n")
    }

    @Test func hostileEnvironmentValuesStayInert() throws {
        let scratch = try Scratch()
        let marker = "/tmp/pwned-\(UUID().uuidString)"
        let values = [
            "$(touch \(marker))", "`touch \(marker)`", "; touch \(marker)", "'; touch \(marker); '",
            "\"; touch \(marker); \"", "x\ntouch \(marker)", "; rm -rf x",
        ]
        try Data("keep".utf8).write(to: URL(fileURLWithPath: scratch.path + "/x"))
        for value in values {
            let result = try record(
                scratch, ["--", "echo \"$VALUE\"; printf '%s\\n' $VALUE"], environment: ["VALUE": value])
            #expect(result.status == 0)
            #expect(result.stdout.hasPrefix(value + "\n"))
        }
        #expect(!FileManager.default.fileExists(atPath: marker))
        #expect(FileManager.default.fileExists(atPath: scratch.path + "/x"))
    }

    @Test func secretsAreRedactedInStorageAcrossChunksButShownOnScreen() throws {
        let scratch = try Scratch()
        let command = "printf 'token=tok-'; sleep 0.3; printf '98765 PGPASS'; sleep 0.3; printf 'WORD=hunter2\\n'"
        let result = try record(
            scratch, ["--secret", "API_TOKEN", "--", command], environment: ["API_TOKEN": "tok-98765"])
        #expect(result.stdout == "token=tok-98765 PGPASSWORD=hunter2\n")
        let (events, output) = try recorded(scratch)
        let stored = String(decoding: output, as: UTF8.self)
        #expect(stored == "token=[REDACTED:API_TOKEN] PGPASSWORD=[REDACTED:password]\n")
        #expect(events.allSatisfy { !"\($0.payload)".contains("tok-98765") })
    }

    @Test func commandTextWithASecretIsRedactedInEvents() throws {
        let scratch = try Scratch()
        _ = try record(scratch, ["--", "PGPASSWORD=s3cret-pw true"])
        let events = try recorded(scratch).events
        let started = events.first(where: { $0.type == .commandStarted })
        #expect(started?.payload["command"] == "PGPASSWORD=[REDACTED:password] true")
        #expect(try scratch.store().incident(1)?.title.contains("s3cret-pw") == false)
    }

    @Test func outputOverTheLimitKeepsHeadAndTailAndCountsTheRest() throws {
        let scratch = try Scratch()
        let result = try record(
            scratch,
            ["--output-limit", "1000", "--", "printf start; head -c 100000 /dev/zero | tr '\\0' x; printf end"])
        #expect(result.stdout.count == 100_008)
        let (events, output) = try recorded(scratch)
        #expect(output.count == 1000)
        #expect(output.prefix(5) == Data("start".utf8))
        #expect(output.suffix(3) == Data("end".utf8))
        #expect(finished(events)?["dropped_bytes"] == 99_008)
        #expect(finished(events)?["output_bytes"] == 100_008)
    }

    /// The tail waits in an unlinked file in $TMPDIR (or in memory when that is unusable): either way the stored
    /// output ends with the command's last bytes and nothing is left behind.
    @Test(arguments: ["tmp", "missing"])
    func theTailIsKeptOutsideMemoryAndLeavesNothingBehind(temporaryDirectory: String) throws {
        let scratch = try Scratch()
        let tmp = scratch.path + "/" + temporaryDirectory
        if temporaryDirectory == "tmp" {
            try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        }
        let result = try record(
            scratch,
            [
                "--output-limit", "4000", "--",
                "printf start; head -c 200000 /dev/zero | tr '\\0' x; head -c 1200 /dev/zero | tr '\\0' y; printf end",
            ], environment: ["TMPDIR": tmp])
        #expect(result.status == 0)
        let (events, output) = try recorded(scratch)
        #expect(output.count == 4000)
        #expect(output.prefix(5) == Data("start".utf8))
        #expect(output.suffix(1000) == Data(repeating: UInt8(ascii: "y"), count: 997) + Data("end".utf8))
        #expect(finished(events)?["dropped_bytes"] == 197_208)
        if temporaryDirectory == "tmp" { #expect(try FileManager.default.contentsOfDirectory(atPath: tmp).isEmpty) }
    }

    @Test func binaryOutputIsStoredByteForByte() throws {
        let scratch = try Scratch()
        let bytes = Data((0..<256).map { UInt8($0) } + [0xC3, 0x28, 0xFF, 0xFE])
        try bytes.write(to: URL(fileURLWithPath: scratch.path + "/blob"))
        let result = try record(scratch, ["--", "cat blob"])
        #expect(result.status == 0)
        #expect(try recorded(scratch).output == bytes)
    }
}

/// `runbook record` in a real terminal: the pseudo-terminal runner, keystrokes and Ctrl-C.
@Suite(.serialized) struct RecordInTerminalTests {
    func session(_ command: String, scratch: RecordCommandTests.Scratch) throws -> TmuxSession {
        try TmuxSession(
            "\(TmuxSession.quote(BuiltBinary.path)) record --db \(TmuxSession.quote(scratch.db)) -- \(TmuxSession.quote(command))",
            directory: scratch.path)
    }

    @Test func commandSeesATerminalOfTheResponderSize() throws {
        let scratch = try RecordCommandTests.Scratch()
        let tmux = try session("tty; stty size", scratch: scratch)
        let screen = try tmux.waitFor("[exited")
        #expect(screen.contains("/dev/pts/"))
        #expect(screen.contains("40 120"))
        #expect(screen.contains("[exited 0]"))
        #expect(screen.contains("recorded in incident 1"))
    }

    @Test func readIsAnsweredThroughTheTerminal() throws {
        let scratch = try RecordCommandTests.Scratch()
        let tmux = try session("read -r -p 'name? ' name; echo \"hello, $name\"", scratch: scratch)
        // tmux trims the prompt's trailing space: the line ends `name?`.
        try tmux.waitFor("the prompt `name? `") { $0.split(separator: "\n").contains { $0.hasSuffix("name?") } }
        try tmux.send("bob", literal: true)
        try tmux.send("Enter")
        let screen = try tmux.waitFor("[exited")
        #expect(screen.contains("hello, bob"))
        #expect(screen.contains("[exited 0]"))
        let store = try scratch.store()
        let started = try #require(try store.events(incidentID: 1).first(where: { $0.type == .commandStarted }))
        #expect(started.payload["runner"] == "pty")
        let output = try store.output(incidentID: 1, commandSequence: started.sequence)
            .reduce(into: Data()) { $0.append($1.data) }
        #expect(String(decoding: output, as: UTF8.self).contains("hello, bob\n"))
    }

    @Test func controlCReachesTheCommandNotRunbook() throws {
        let scratch = try RecordCommandTests.Scratch()
        let tmux = try session(
            "trap 'echo got-INT; exit 3' INT; echo ready; while true; do sleep 0.1; done", scratch: scratch)
        try tmux.waitFor("ready")
        try tmux.send("C-c")
        let screen = try tmux.waitFor("[exited")
        #expect(screen.contains("got-INT"))
        // runbook itself finished normally: it recorded the end and passed on the command's status.
        #expect(screen.contains("recorded in incident 1"))
        #expect(screen.contains("[exited 3]"))
    }

    @Test func resizeIsPassedToTheCommand() throws {
        let scratch = try RecordCommandTests.Scratch()
        let tmux = try session(
            "trap 'stty size' WINCH; echo ready; for i in $(seq 100); do sleep 0.1; done", scratch: scratch)
        try tmux.waitFor("ready")
        try tmux.resize(width: 100, height: 30)
        let screen = try tmux.waitFor("30 100", timeout: 10)
        #expect(screen.contains("30 100"))
    }
}

import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// Runme's `background` through the built binary (issue #18, docs/execution.md "Background steps"): the step starts
/// detached and the session goes on; its output is recorded, not shown; its end is recorded when it comes, and a
/// background step still running when the session ends is stopped and recorded, never left behind.
@Suite struct BackgroundStepEndToEndTests {
    let scratch: ScratchRunbooks
    let fifo: String

    init() throws {
        scratch = try ScratchRunbooks("background")
        fifo = scratch.directory.appendingPathComponent("handshake").path
        guard mkfifo(fifo, 0o600) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: scratch.runbooks.appendingPathComponent(name + ".md"))
    }

    func start(_ id: String, _ answers: String) throws -> BuiltBinary.Result {
        try BuiltBinary.run(
            ["start", id, "--env", "staging", "--runbooks", scratch.runbooks.path, "--db", scratch.database],
            stdin: answers)
    }

    /// The follower reads what the next step writes: were it run in the foreground, its read would time out (exit
    /// 1) before the writer ever ran.
    @Test func aBackgroundStepRunsWhileTheNextStepRunsAndItsOutputIsRecordedNotShown() throws {
        try write(
            "follow",
            """
            # Follow

            ## Follow the log

            ```bash {id=follow background}
            exec 3<>'\(fifo)'
            echo "follower started"
            read -r -t 20 line <&3 && echo "follower got: $line"
            ```

            ## Write to it

            ```bash {id=write risk=read}
            exec 4<>'\(fifo)'
            echo "hello-from-foreground" >&4
            echo "wrote"
            ```
            """)
        let result = try start("follow", "y\ny\njobs\nresolve done\n")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("started in the background"), "\(result.stdout)")
        #expect(result.stdout.contains("wrote\n"), "\(result.stdout)")
        // The command text is shown for approval; its output is not.
        #expect(!result.stdout.contains("follower got: hello-from-foreground"), "\(result.stdout)")
        #expect(!result.stdout.contains("follower started\n"), "\(result.stdout)")

        let store = try SQLiteTranscriptStore(path: scratch.database)
        let events = try store.events(incidentID: 1)
        let started = try #require(events.first { $0.type == .commandStarted && $0.stepID == "follow" })
        #expect(started.payload["background"] == true)
        let writer = try #require(events.first { $0.type == .commandStarted && $0.stepID == "write" })
        let finished = try #require(events.first { $0.type == .commandFinished && $0.stepID == "follow" })
        #expect(finished.payload["background"] == true)
        #expect(finished.payload["exit_code"] == 0)
        #expect(finished.payload["expected"] == true)
        #expect(finished.sequence > writer.sequence)
        let resolved = try #require(events.first { $0.type == .incidentResolved })
        #expect(finished.sequence < resolved.sequence)
        let output = try store.output(incidentID: 1, commandSequence: started.sequence).reduce(Data()) {
            $0 + $1.data
        }
        #expect(String(decoding: output, as: UTF8.self) == "follower started\nfollower got: hello-from-foreground\n")
        #expect(try store.verify(incidentID: 1).isIntact)
    }

    /// `q` ends the session: the background step is stopped (SIGTERM to its process group), its end recorded, and
    /// nothing of it keeps running.
    @Test func aBackgroundStepStillRunningWhenTheSessionEndsIsStoppedAndRecorded() throws {
        let marker = "runbook-bg-\(UUID().uuidString)"
        try write(
            "forward",
            """
            # Forward

            ## Keep it open

            ```bash {id=keep-open background}
            echo "forwarding"
            exec -a \(marker) tail -f /dev/null
            ```

            ## Look

            ```bash {id=look risk=read}
            echo "looked"
            ```
            """)
        let result = try start("forward", "y\ny\nq\n")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("stopped background step `keep-open`: killed by signal 15"), "\(result.stdout)")
        let events = try SQLiteTranscriptStore(path: scratch.database).events(incidentID: 1)
        let finished = try #require(events.first { $0.type == .commandFinished && $0.stepID == "keep-open" })
        #expect(finished.payload["signal"] == 15)
        #expect(finished.payload["background"] == true)
        #expect(try Self.processes(named: marker).isEmpty, "still running after the session ended")

        // Resumed, the background step counts as done and the session is past it.
        let resumed = try BuiltBinary.run(
            ["resume", "1", "--runbooks", scratch.runbooks.path, "--db", scratch.database], stdin: "steps\nq\n")
        #expect(resumed.status == 0, "\(resumed.stdout)\n\(resumed.stderr)")
        #expect(!resumed.stdout.contains("result unknown"), "\(resumed.stdout)")
    }

    /// A secret a background step prints (here one nothing declares, asked for without echo), also split by a
    /// colour code, never reaches the database or its WAL: the output goes through the store's redaction.
    @Test func aSecretABackgroundStepPrintsIsNeverStored() throws {
        let token = "tok-\(UUID().uuidString.prefix(8))-zz"
        // The next step waits for the background one to have printed, so `resolve` never stops it before it ran
        // (on a loaded machine it could otherwise be killed before its first printf).
        let printed = scratch.directory.appendingPathComponent("printed").path
        try write(
            "leak",
            """
            # Leak

            ## Print it

            ```bash {id=print-it background}
            printf 'token %s\\n' "$API_TOKEN"
            printf '%s\\033[31m%s\\033[0m\\n' "${API_TOKEN:0:6}" "${API_TOKEN:6}"
            touch \(printed)
            ```

            ## Wait for it

            ```bash {id=wait-for-it}
            while [ ! -e \(printed) ]; do sleep 0.05; done
            ```
            """)
        let result = try start("leak", "\(token)\ny\ny\nresolve done\n")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("API_TOKEN (not declared by the runbook; this step reads it): "))
        var stored = Data()
        for suffix in ["", "-wal"] {
            stored.append(FileManager.default.contents(atPath: scratch.database + suffix) ?? Data())
        }
        #expect(stored.range(of: Data(token.utf8)) == nil)
        #expect(stored.range(of: Data(token.utf8.dropFirst(6))) == nil)
        let store = try SQLiteTranscriptStore(path: scratch.database)
        let started = try #require(try store.events(incidentID: 1).first { $0.type == .commandStarted })
        let output = try store.output(incidentID: 1, commandSequence: started.sequence).reduce(Data()) { $0 + $1.data }
        #expect(String(decoding: output, as: UTF8.self).contains("[REDACTED:API_TOKEN]"), "\(output)")
    }

    /// Process ids whose command line holds `text`, read from /proc.
    static func processes(named text: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc").filter { entry in
            guard entry.allSatisfy(\.isNumber),
                let line = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline")
            else { return false }
            return String(decoding: line, as: UTF8.self).contains(text)
        }
    }
}

import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// The fault rows of docs/reliability.md that need more set-up than a row of `BadInputTests`: a step that prints
/// a gigabyte, and a notifier endpoint that never answers.
@Suite struct FaultRowsTests {
    @Test func aStepPrintingAGigabyteStreamsAllOfItAndStoresTheHeadAndTail() throws {
        let scratch = try ProveScratch()
        try scratch.write("big.md", BadInputRow.runbook("id=big risk=read", "yes | head -c 1000000000"))
        // The screen is counted by `wc` and only its end kept, so the test never holds a gigabyte.
        let script = """
            set -o pipefail
            printf 'y\\nq\\n' | "$BIN" start big --env staging --runbooks "$RUNBOOKS" --db "$DB" \
              | tee >(wc -c > "$DIR/screen-bytes") | tail -c 2000 > "$DIR/screen-tail"
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        process.environment = [
            "BIN": BuiltBinary.path, "RUNBOOKS": scratch.runbooks, "DB": scratch.database, "DIR": scratch.directory,
            "RUNBOOK_ESCALATOR": "off",
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
        ]
        let result = try ProcessRunner.collect(process, stdin: nil)
        #expect(result.status == 0, "\(result.stderr)")

        let screenBytes = try String(contentsOfFile: scratch.directory + "/screen-bytes", encoding: .utf8)
        #expect((Int(screenBytes.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 1_000_000_000)
        let tail = try String(contentsOfFile: scratch.directory + "/screen-tail", encoding: .utf8)
        #expect(tail.contains("✓ exit 0"), "\(tail)")

        let events = try scratch.events()
        let finished = try #require(events.first { $0.type == .commandFinished && $0.stepID == "big" })
        let limit = OutputLimiter.defaultLimit
        #expect(finished.payload["output_bytes"] == 1_000_000_000)
        #expect(finished.payload["dropped_bytes"] == .int(Int64(1_000_000_000 - limit)))
        let started = try #require(events.first { $0.type == .commandStarted && $0.stepID == "big" })
        let chunks = try SQLiteTranscriptStore(path: scratch.database).output(
            incidentID: 1, commandSequence: started.sequence)
        #expect(chunks.reduce(0) { $0 + $1.data.count } == limit)
        // The head starts the output and the tail ends it.
        #expect(chunks.first?.data.prefix(4) == Data("y\ny\n".utf8))
        #expect(chunks.last?.data.suffix(2) == Data("y\n".utf8))
        #expect(events.last?.type == .sessionSuspended)
        #expect(try scratch.verifyAll().status == 0)
        // Nothing of it lands in the database file beyond the limit (compressed, far less).
        let size = try FileManager.default.attributesOfItem(atPath: scratch.database)[.size] as? Int ?? 0
        #expect(size < limit)
    }

    @Test func aNotifierEndpointThatHangsIsCutOffAndRecordedWhileTheDrillGoesOn() throws {
        let scratch = try ProveScratch()
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/timers").path
        for name in ["escalation.md", "slow.md"] {
            try FileManager.default.copyItem(atPath: fixtures + "/" + name, toPath: scratch.runbooks + "/" + name)
        }
        try scratch.write(
            "notifiers.yaml",
            """
            timeout: 1s
            retry: {max_attempts: 2, initial_backoff: 1s, max_backoff: 1s}
            notifiers:
              - {type: slack, name: hanging-slack, url_env: HANGING_WEBHOOK_URL, drills: true}
            """)
        let receiver = try HTTPReceiver(statuses: ["hang"])
        let started = Date()
        let result = try scratch.run(
            [
                "drill", "slow", "--env", "staging", "--speed", "600", "--runbooks", scratch.runbooks, "--db",
                scratch.database,
            ],
            stdin: "y\ny\nack Alice\ny\nresolve done\n",
            environment: [
                "HANGING_WEBHOOK_URL": receiver.baseURL.appendingPathComponent("hook").absoluteString,
                "RUNBOOK_ESCALATOR": "auto",
            ])
        defer { EscalatorProcess.stop(database: scratch.database) }
        let elapsed = Date().timeIntervalSince(started)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        // The endpoint holds every request for 30 s; the drill never waited for it.
        #expect(elapsed < 30, "the drill took \(elapsed) s")

        // The escalator goes on delivering after the drill ended: its attempts end at the 1 s timeout.
        try waitUntil("the escalator to record a failed attempt") {
            try scratch.events().contains { $0.type == .notificationFailed }
        }
        let events = try scratch.events()
        #expect(events.contains { $0.type == .escalationTriggered })
        #expect(events.contains { $0.type == .incidentResolved })
        let failed = events.filter { $0.type == .notificationFailed }
        #expect(!failed.isEmpty, "\(events.map(\.type.rawValue))")
        #expect(failed.allSatisfy { $0.payload["channel"] == "hanging-slack" })
        #expect(
            failed.allSatisfy { $0.payload["error"] == "timed out: no answer from 127.0.0.1 within 1 s" },
            "\(failed.map(\.payload))")
        // The first attempt is retried (max_attempts 2); a second attempt, when the drill lasted long enough for it,
        // is the last.
        #expect(failed.contains { $0.payload["attempt"] == 1 && $0.payload["will_retry"] == true })
        #expect(failed.allSatisfy { $0.payload["attempt"] != 2 || $0.payload["will_retry"] == false })
        #expect(!events.contains { $0.type == .notificationSent && $0.payload["channel"] == "hanging-slack" })
        #expect(try receiver.requests().count >= 1)
        #expect(try scratch.verifyAll().status == 0)
    }
}

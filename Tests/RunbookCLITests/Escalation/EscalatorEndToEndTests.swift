import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// The escalator process through the built binary (issue: escalation that runs whether or not anyone's terminal is
/// open): real SQLite files, a real HTTP receiver on 127.0.0.1, the REPL killed, quit, or never opened.
@Suite(.serialized) struct EscalatorEndToEndTests {
    let directory: URL
    let database: String
    let runbooks: URL

    init() throws {
        let scratch = try ScratchRunbooks("escalator")
        (directory, runbooks, database) = (scratch.directory, scratch.runbooks, scratch.database)
    }

    static let auto = ["RUNBOOK_ESCALATOR": "auto", "TEST_PD_KEY": "routing-key-from-env"]

    /// A matrix whose P0 escalates after `p0` (`3 seconds`), and a P0 runbook whose one step runs `command`.
    func writeRunbooks(
        p0: String = "3 seconds", command: String = "true", pagerDuty: URL? = nil, repeats: Int = 3
    ) throws {
        try
            (ScratchRunbooks.escalationMatrix(p0: p0, targets: "CTO + On-call", p1: "30 minutes") + """

                ## Contact Information

                | Role | Contact | Availability |
                |------|---------|--------------|
                | On-Call Engineer | alerts@example.com | 24/7 |
                """
        ).write(to: runbooks.appendingPathComponent("escalation.md"), atomically: true, encoding: .utf8)
        try """
        ---
        title: Site down
        severity: P0
        ---
        # Site down

        ## Look

        ```bash {id=look risk=read timeout=60s}
        \(command)
        ```
        """.write(to: runbooks.appendingPathComponent("down.md"), atomically: true, encoding: .utf8)
        if let pagerDuty {
            try """
            repeats: \(repeats)
            notifiers:
              - {type: pagerduty, name: pagerduty, routing_key_env: TEST_PD_KEY, endpoint: "\(pagerDuty.absoluteString)"}
            """.write(to: runbooks.appendingPathComponent("notifiers.yaml"), atomically: true, encoding: .utf8)
        }
    }

    /// A step command that runs until the escalator has recorded `count` escalations of `incident` (polling the
    /// database, for at most 30 s): the step is still running when they fire, and no fixed sleep guesses when.
    func untilEscalations(_ count: Int, incident: Int64) -> String {
        let query = "SELECT count(*) FROM events WHERE incident = \(incident) AND type = 'escalation.triggered'"
        let recorded = "sqlite3 -cmd '.timeout 2000' \(TmuxSession.quote(database)) \"\(query)\""
        return """
            for i in $(seq 600); do [ "$(\(recorded))" -ge \(count) ] 2>/dev/null && exit 0; sleep 0.05; done; exit 1
            """
    }

    func events(_ incident: Int64, _ type: EventType) throws -> [RecordedEvent] {
        try SQLiteTranscriptStore(path: database).events(incidentID: incident).filter { $0.type == type }
    }

    // (a) A P0 drill at 600× whose step runs until two escalations are recorded: they fire while it runs, on time.
    @Test func drillEscalatesOnTimeWhileAStepRuns() throws {
        try writeRunbooks(command: untilEscalations(2, incident: 1))
        // The bundled matrix: P0 15 minutes, 1.5 s of real time at 600×.
        try FileManager.default.removeItem(at: runbooks.appendingPathComponent("escalation.md"))
        try FileManager.default.copyItem(
            at: BuiltBinary.packageRoot.appendingPathComponent("runbooks/escalation.md"),
            to: runbooks.appendingPathComponent("escalation.md"))
        defer { EscalatorProcess.stop(database: database) }
        let result = try BuiltBinary.run(
            ["drill", "down", "--env", "staging", "--speed", "600", "--runbooks", runbooks.path, "--db", database],
            stdin: "y\nresolve done\n", environment: Self.auto)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let escalations = try events(1, .escalationTriggered)
        #expect(escalations.count >= 2, "\(result.stdout)")
        for escalation in escalations {
            let late = try #require(escalation.payload["late_by_ms"]?.intValue)
            // At most one second of real time late: 600 s of drill time.
            #expect(late <= 600_000, "late by \(late) ms of drill time")
        }
        // Shown at the next prompt, stamped with when it happened.
        // "for" is the drill time since declaration, which depends on how late the pass ran: at least 15 minutes.
        let banner = try #require(
            result.stdout.split(separator: "\n").first { $0.contains("[DRILL] ESCALATION: P0 incident #1") },
            "\(result.stdout)")
        #expect(banner.contains(/unacknowledged for (1[5-9]|2[0-5]) minutes: escalating/), "\(banner)")
        #expect(banner.hasSuffix("; type `ack` to acknowledge"), "\(banner)")
    }

    @Test func afterTheLastRepeatThePromptSaysEscalationIsExhaustedInsteadOfGoingQuiet() throws {
        // P0 escalates after 1 s and repeats once: two pages, then `escalation.finished`, while the step runs.
        let query = "SELECT count(*) FROM events WHERE incident = 1 AND type = 'escalation.finished'"
        let finished = "sqlite3 -cmd '.timeout 2000' \(TmuxSession.quote(database)) \"\(query)\""
        try writeRunbooks(
            p0: "1 second",
            command:
                "for i in $(seq 600); do [ \"$(\(finished))\" -ge 1 ] 2>/dev/null && exit 0; sleep 0.05; done; exit 1")
        try "repeats: 1\nnotifiers: []\n".write(
            to: runbooks.appendingPathComponent("notifiers.yaml"), atomically: true, encoding: .utf8)
        defer { EscalatorProcess.stop(database: database) }
        let result = try BuiltBinary.run(
            ["start", "down", "--env", "staging", "--runbooks", runbooks.path, "--db", database],
            stdin: "y\nresolve done\n", environment: Self.auto)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(try events(1, .escalationTriggered).count == 2)
        #expect(result.stdout.contains("(repeat 1 of 1): escalating to"), "\(result.stdout)")
        #expect(
            result.stdout.contains(
                "ESCALATION: repeats exhausted after 2 escalations; nobody acknowledged; type `ack` to acknowledge"),
            "\(result.stdout)")
        let prompt = try #require(
            result.stdout.split(separator: "\n").first { $0.hasSuffix("resolve done") }, "\(result.stdout)")
        #expect(prompt.contains("P0 escalation exhausted, still unacknowledged staging"), "\(prompt)")
    }

    // (b) The REPL killed with SIGKILL before the deadline, and nobody resumes: the page goes out anyway.
    @Test func killedREPLStillEscalatesAndPages() throws {
        let receiver = try HTTPReceiver(statuses: ["202"])
        // 10 s leaves the escalator time to start on a busy machine before the deadline (3 s did not, in a CI run
        // beside another build): the REPL must die before anything is due.
        try writeRunbooks(p0: "10 seconds", pagerDuty: receiver.baseURL.appendingPathComponent("v2/enqueue"))
        defer { EscalatorProcess.stop(database: database) }
        let repl = try LiveRunbook(
            ["start", "down", "--env", "staging", "--runbooks", runbooks.path, "--db", database],
            environment: Self.auto)
        try waitUntil("the escalator to run", timeout: 20) { EscalatorProcess.pid(database: database) != nil }
        #expect(try events(1, .escalationTriggered).isEmpty)
        repl.kill(SIGKILL)
        _ = try repl.finish()
        try waitUntil("the escalation to be recorded", timeout: 30) { try !events(1, .escalationTriggered).isEmpty }
        try waitUntil("PagerDuty to receive the trigger") { try !receiver.requests().isEmpty }
        let trigger = try #require(try receiver.requests().first)
        #expect(trigger.body["event_action"] as? String == "trigger")
        // The escalator records the delivery once PagerDuty has answered, which is after the receiver saw it.
        try waitUntil("the delivery to be recorded") { try !events(1, .notificationSent).isEmpty }
        #expect(try events(1, .notificationSent).first?.payload["channel"] == "pagerduty")
    }

    // (c) `declare` arms the response timer, and the incident escalates with no REPL ever opened.
    @Test func declaredIncidentEscalatesWithNoREPL() throws {
        let receiver = try HTTPReceiver(statuses: ["202"])
        try writeRunbooks(pagerDuty: receiver.baseURL.appendingPathComponent("v2/enqueue"))
        defer { EscalatorProcess.stop(database: database) }
        let declared = try BuiltBinary.run(
            [
                "declare", "--title", "API down", "--severity", "P0", "--env", "production", "--runbooks",
                runbooks.path, "--db", database,
            ], environment: Self.auto)
        #expect(declared.status == 0, "\(declared.stderr)")
        #expect(declared.stdout == "1\n")
        #expect(try SQLiteTranscriptStore(path: database).timers(incidentID: 1).first?.status == .pending)
        try waitUntil("the escalation to be recorded") { try !events(1, .escalationTriggered).isEmpty }
        try waitUntil("PagerDuty to receive the trigger") { try !receiver.requests().isEmpty }
        let key = try #require(try SQLiteTranscriptStore(path: database).incident(1)?.incidentKey)
        #expect((try receiver.requests().first?.body["dedup_key"] as? String)?.hasSuffix(key) == true)
    }

    // (d) `resolve` and exit: the REPL does not wait for the delivery, and the escalator delivers it within 2 s.
    @Test func resolveIsDeliveredAfterTheREPLExits() throws {
        let receiver = try HTTPReceiver(statuses: ["202"])
        try writeRunbooks(p0: "2 seconds", pagerDuty: receiver.baseURL.appendingPathComponent("v2/enqueue"))
        defer { EscalatorProcess.stop(database: database) }
        let repl = try LiveRunbook(
            ["start", "down", "--env", "staging", "--runbooks", runbooks.path, "--db", database],
            environment: Self.auto)
        try waitUntil("PagerDuty to receive the trigger") { try receiver.requests().count == 1 }
        let asked = Date()
        repl.send("resolve fixed")
        #expect(try repl.finish() == 0, "\(repl.text)")
        let exited = Date().timeIntervalSince(asked)
        try waitUntil("PagerDuty to receive the resolve", timeout: 2) { try receiver.requests().count == 2 }
        #expect(try receiver.requests()[1].body["event_action"] as? String == "resolve")
        #expect(exited < 2, "the REPL took \(exited) s to exit")
    }

    // (e) PagerDuty answers the trigger with 429 and Retry-After: the trigger is retried no sooner, and the
    // acknowledgement typed meanwhile waits until the trigger is delivered.
    @Test func anAcknowledgementNeverOvertakesARetriedTrigger() throws {
        let receiver = try HTTPReceiver(statuses: ["429|Retry-After: 2", "202"])
        try writeRunbooks(
            p0: "1 second", pagerDuty: receiver.baseURL.appendingPathComponent("v2/enqueue"), repeats: 0)
        defer { EscalatorProcess.stop(database: database) }
        let declared = try BuiltBinary.run(
            [
                "declare", "--title", "API down", "--severity", "P0", "--env", "production", "--runbooks",
                runbooks.path, "--db", database,
            ], environment: Self.auto)
        #expect(declared.status == 0, "\(declared.stderr)")
        try waitUntil("the trigger to be refused with 429") { try !events(1, .notificationFailed).isEmpty }
        let ack = try BuiltBinary.run(
            ["ack", "1", "--by", "alice", "--db", database, "--runbooks", runbooks.path], environment: Self.auto)
        #expect(ack.status == 0, "\(ack.stderr)")
        try waitUntil("the trigger and the acknowledgement") { try receiver.requests().count >= 3 }
        let actions = try receiver.requests().map { $0.body["event_action"] as? String }
        #expect(actions == ["trigger", "trigger", "acknowledge"])
        let failed = try #require(try events(1, .notificationFailed).first)
        let sent = try events(1, .notificationSent)
        #expect(sent.map { $0.payload["kind"] } == ["escalation", "acknowledge"])
        let waited = try #require(sent.first).timestamp.timeIntervalSince(failed.timestamp)
        #expect(waited >= 2, "retried after \(waited) s despite Retry-After: 2")
    }

    // (f) Two escalators started at once: one runs, the other exits quietly, and no notification goes out twice.
    @Test func twoEscalatorsAtOnceDeliverEachNotificationOnce() throws {
        let receiver = try HTTPReceiver(statuses: ["202"])
        try writeRunbooks(
            p0: "2 seconds", pagerDuty: receiver.baseURL.appendingPathComponent("v2/enqueue"), repeats: 0)
        for number in 1...30 {
            let declared = try BuiltBinary.run(
                [
                    "declare", "--title", "incident \(number)", "--severity", "P0", "--env", "production",
                    "--runbooks", runbooks.path, "--db", database,
                ])
            #expect(declared.status == 0, "\(declared.stderr)")
        }
        let arguments = ["escalator", "--db", database, "--runbooks", runbooks.path]
        let first = try LiveRunbook(arguments, environment: Self.auto)
        let second = try LiveRunbook(arguments, environment: Self.auto)
        defer {
            first.kill(SIGTERM)
            second.kill(SIGTERM)
            _ = try? first.finish()
            _ = try? second.finish()
        }
        try waitUntil("30 triggers", timeout: 30) { try receiver.requests().count >= 30 }
        // Every row delivered: nothing left to send a second time.
        try waitUntil("the outbox to be delivered") {
            try (1...30).allSatisfy { id in
                try SQLiteTranscriptStore(path: database).outbox(incidentID: Int64(id)).allSatisfy {
                    $0.status == .sent
                }
            }
        }
        // One of them found the lease taken and exited 0 at once.
        try waitUntil("one escalator to exit") { !first.process.isRunning || !second.process.isRunning }
        let quitter = first.process.isRunning ? second : first
        #expect(try quitter.finish() == 0)
        #expect(quitter.text.contains("an escalator already runs"))
        let keys = try receiver.requests().compactMap { $0.body["dedup_key"] as? String }
        #expect(keys.count == 30)
        #expect(Set(keys).count == 30, "duplicates: \(keys)")
    }

    // (g) A drill at 600× and a real incident on one database: the drill never touches the real incident.
    @Test func aDrillLeavesTheRealIncidentAlone() throws {
        try writeRunbooks(p0: "2 minutes", command: untilEscalations(1, incident: 2))
        defer { EscalatorProcess.stop(database: database) }
        let declared = try BuiltBinary.run(
            [
                "declare", "--title", "real outage", "--severity", "P0", "--env", "production", "--runbooks",
                runbooks.path, "--db", database,
            ], environment: Self.auto)
        #expect(declared.status == 0)
        let store = try SQLiteTranscriptStore(path: database)
        let before = try store.events(incidentID: 1)
        let timersBefore = try store.timers(incidentID: 1)
        let drill = try BuiltBinary.run(
            ["drill", "down", "--env", "staging", "--speed", "600", "--runbooks", runbooks.path, "--db", database],
            stdin: "y\nresolve done\n", environment: Self.auto)
        #expect(drill.status == 0, "\(drill.stdout)")
        #expect(try !events(2, .escalationTriggered).isEmpty, "the drill itself escalated")
        #expect(try store.events(incidentID: 1) == before)
        #expect(try store.timers(incidentID: 1) == timersBefore)
        #expect(try store.outbox(incidentID: 1).isEmpty)
    }

    // (h) With no notifiers configured nothing claims a page went out, and every escalation says nobody was told.
    @Test func noNotifiersMeansNobodyWasNotifiedAndNoPAGED() throws {
        try writeRunbooks(p0: "1 minute", command: untilEscalations(1, incident: 1))
        defer { EscalatorProcess.stop(database: database) }
        let result = try BuiltBinary.run(
            ["drill", "down", "--env", "staging", "--speed", "600", "--runbooks", runbooks.path, "--db", database],
            stdin: "y\nsev P1 calmer\nsev P0 worse\nresolve done\n", environment: Self.auto)
        #expect(result.status == 0, "\(result.stdout)")
        #expect(
            result.stdout.contains("nobody will be notified: no notifiers are configured (runbooks/notifiers.yaml)"))
        #expect(result.stdout.contains("nobody was notified: no notifiers are configured (runbooks/notifiers.yaml)"))
        #expect(!result.stdout.contains("PAGED"), "\(result.stdout)")
    }

    // No escalator (RUNBOOK_ESCALATOR=off and none started by hand): the session says so, naming the fix.
    @Test func withoutAnEscalatorTheSessionWarnsAndNamesTheFix() throws {
        try writeRunbooks(p0: "15 minutes")
        let result = try BuiltBinary.run(
            ["start", "down", "--env", "staging", "--runbooks", runbooks.path, "--db", database], stdin: "q\n")
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("warning: no escalator is running for this incident's store"))
        #expect(result.stdout.contains("Fix: runbook escalator --db \(database)"))
        #expect(EscalatorProcess.pid(database: database) == nil)
    }
}

import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// Escalation timers in a session, through the built binary in scripted mode: a drill at 600× on a fixture whose
/// P0 response time is one minute (0.1 s of real time), with steps that each keep the process busy for a real
/// second, so that escalations come due between answers.
@Suite struct EscalationTimersEndToEndTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/timers").path

    func temporaryDatabase() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-timers-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("timers.sqlite3").path
    }

    static func array(_ value: JSONValue?) -> [JSONValue] {
        if case .array(let items)? = value { return items }
        return []
    }

    @Test func unacknowledgedDrillEscalatesAndRepeatsUntilTheAckThenStops() throws {
        let database = try temporaryDatabase()
        let answers = "y\ny\nstatus\nack Alice\ny\nresolve all good\n"
        let result = try BuiltBinary.run(
            ["drill", "slow", "--env", "staging", "--speed", "600", "--runbooks", Self.fixtures, "--db", database],
            stdin: answers, environment: ["RUNBOOK_ESCALATOR": "auto"])
        defer { EscalatorProcess.stop(database: database) }
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        // The escalator delivers the acknowledgement after the drill ended.
        try waitUntil("the acknowledgement to be delivered") {
            try SQLiteTranscriptStore(path: database).outbox(incidentID: 1).allSatisfy { $0.status == .sent }
        }

        let store = try SQLiteTranscriptStore(path: database)
        let incident = try #require(try store.incidents(openOnly: false, drillsOnly: false).first)
        let events = try store.events(incidentID: incident.id)
        let escalations = events.filter { $0.type == .escalationTriggered }
        let ack = try #require(events.first { $0.type == .ackReceived })
        #expect(ack.payload["by"] == "Alice")

        // At least the first escalation and one repeat, all before the acknowledgement, none after it.
        #expect(escalations.count >= 2, "\(escalations.map(\.payload))")
        #expect(escalations.allSatisfy { $0.sequence < ack.sequence })
        #expect(Array(escalations.map { $0.payload["repeat"]?.intValue }.prefix(2)) == [0, 1])
        #expect(!events.contains { $0.type == .escalationTriggered && $0.sequence > ack.sequence })
        // The acknowledgement cancelled the pending repeat: nothing is armed any more.
        #expect(try store.timers(incidentID: incident.id).allSatisfy { $0.status != .pending })

        // Targets come from the contacts table of the snapshot: On-call resolves, CTO does not.
        for escalation in escalations {
            let targets = Self.array(escalation.payload["targets"])
            #expect(targets.contains { $0["contact"] == "alerts@example.com" && $0["role"] == "On-Call Engineer" })
            #expect(Self.array(escalation.payload["unresolved"]) == ["CTO"])
        }
        #expect(incident.policySnapshot?["rules"] != nil)

        // The state fold saw the scheduler's events: resolved, acknowledged, in the incident row too.
        let resolved = try #require(try store.incident(incident.id))
        #expect(resolved.status == .resolved)
        #expect(events.last { $0.type == .incidentResolved }?.payload["summary"] == "all good")

        // Each escalation was queued to the exec channel in its own transaction; the deliverer sent them.
        let outbox = try store.outbox(incidentID: incident.id)
        #expect(outbox.filter { $0.notification.kind == .escalation }.count == escalations.count)
        #expect(outbox.contains { $0.notification.kind == .acknowledge })
        let sent = events.filter { $0.type == .notificationSent }
        #expect(sent.count >= 1)
        #expect(sent.allSatisfy { $0.payload["channel"] == "log" })

        // What the responder saw: banners, the countdown on the prompt, and the escalation part of `status`.
        #expect(result.stdout.contains("[DRILL] ESCALATION: P0 incident #\(incident.id)"))
        #expect(result.stdout.contains("⏱ "))
        #expect(result.stdout.contains("Escalations so far:"))
        #expect(result.stdout.contains("Timers:"))
    }

    @Test func sessionWithoutAnEscalationPolicySaysSoOnceAndArmsNothing() throws {
        let directory = try temporaryDatabase()
        let runbooks = (directory as NSString).deletingLastPathComponent + "/runbooks"
        try FileManager.default.createDirectory(atPath: runbooks, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.fixtures + "/slow.md", toPath: runbooks + "/slow.md")
        let result = try BuiltBinary.run(
            ["start", "slow", "--env", "staging", "--runbooks", runbooks, "--db", directory], stdin: "ack\nq\n")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.components(separatedBy: "no escalation policy").count == 2)
        let store = try SQLiteTranscriptStore(path: directory)
        #expect(try store.timers(incidentID: 1).isEmpty)
        #expect(try store.events(incidentID: 1).contains { $0.type == .ackReceived })
        #expect(!result.stdout.contains("⏱ "))
    }
}

import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// `runbook ack` and `runbook escalations` through the built binary, on a real database and a real receiver.
@Suite(.serialized) struct AckCommandTests {
    let directory: URL
    let database: String
    let runbooks: URL

    init() throws {
        let scratch = try ScratchRunbooks("ack")
        (directory, runbooks, database) = (scratch.directory, scratch.runbooks, scratch.database)
    }

    func writeNotifiers(endpoint: URL) throws {
        try """
        notifiers:
          - type: pagerduty
            routing_key_env: TEST_PD_KEY
            endpoint: \(endpoint.absoluteString)
        """.write(to: runbooks.appendingPathComponent("notifiers.yaml"), atomically: true, encoding: .utf8)
    }

    /// Declares a P0 incident and lets it escalate once, as the REPL would have, with PagerDuty as a channel.
    func escalatedIncident() throws -> Int64 {
        // Declared 15 minutes ago, so that the escalation (and its outbox row) happen just now.
        let clock = TestClock(Date().addingTimeInterval(-901))
        let store = try SQLiteTranscriptStore(path: database)
        let scheduler = EscalationScheduler(
            store: store, clock: clock, wallClock: clock, channels: EscalationChannels { _ in ["pagerduty"] },
            actor: "runbook@test")
        let (incident, _) = try scheduler.declare(
            IncidentDeclaration(
                title: "Site down", runbook: "outage", environment: "production", severity: .p0, host: "bastion",
                user: "alice"),
            policy: EscalationPolicy(
                rules: [
                    EscalationRule(
                        severity: .p0, description: "Complete outage", responseTime: .duration(900),
                        targets: ["CTO", "On-call"])
                ],
                contacts: [Contact(role: "On-Call Engineer", contact: "alerts@candlefish.ai", availability: "24/7")]))
        clock.advance(by: 900)
        _ = try scheduler.fireDue()
        return incident.id
    }

    @Test func ackRecordsStopsEscalationAndAcknowledgesInPagerDuty() throws {
        let receiver = try HTTPReceiver(statuses: ["202"])
        try writeNotifiers(endpoint: receiver.baseURL.appendingPathComponent("v2/enqueue"))
        let id = try escalatedIncident()
        let result = try BuiltBinary.run(
            ["ack", String(id), "--by", "alice", "--db", database, "--runbooks", runbooks.path],
            environment: ["TEST_PD_KEY": "routing-key-from-env", "RUNBOOK_ESCALATOR": "auto"])
        defer { EscalatorProcess.stop(database: database) }
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Incident \(id) acknowledged by alice: escalation stopped."))
        // `ack` started an escalator, which delivered while `ack` waited to say so.
        #expect(result.stdout.contains("pagerduty: delivered"), "\(result.stdout)")
        let requests = try receiver.requests()
        // The escalation queued before was delivered first, then the acknowledgement.
        #expect(requests.map { $0.body["event_action"] as? String } == ["trigger", "acknowledge"])
        let store = try SQLiteTranscriptStore(path: database)
        let key = try #require(try store.outbox(incidentID: id).last?.notification.incidentKey)
        #expect(requests.last?.body["dedup_key"] as? String == "runbook-\(key)")
        #expect(requests.last?.body["routing_key"] as? String == "routing-key-from-env")
        let types = try store.events(incidentID: id).map(\.type)
        #expect(types.contains(.ackReceived))
        #expect(types.filter { $0 == .notificationSent }.count == 2)
        #expect(try store.pendingTimers(dueBy: nil, incidentID: id).isEmpty)
        // The secret never reaches the database.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: database))
        #expect(bytes.range(of: Data("routing-key-from-env".utf8)) == nil)

        let shown = try BuiltBinary.run(["escalations", String(id), "--db", database])
        #expect(shown.status == 0)
        #expect(shown.stdout.contains("Acknowledged: by alice"))
        #expect(shown.stdout.contains("CTO (not in the contacts table)"))
        #expect(shown.stdout.contains("gen 2  repeat  repeat 1"))
        #expect(shown.stdout.contains("cancelled"))
    }

    @Test func ackOfAnUnknownIncidentIsAUsageError() throws {
        _ = try escalatedIncident()
        let result = try BuiltBinary.run(["ack", "99", "--by", "bob", "--db", database, "--runbooks", runbooks.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("there is no incident 99"))
    }

    @Test func ackOfAResolvedIncidentIsRefused() throws {
        let id = try escalatedIncident()
        let store = try SQLiteTranscriptStore(path: database)
        _ = try EscalationScheduler(store: store, actor: "t").resolve(incidentID: id, by: "alice")
        let result = try BuiltBinary.run(["ack", String(id), "--db", database, "--runbooks", runbooks.path])
        #expect(result.status == 5)
        #expect(result.stderr.contains("already resolved"))
    }

    @Test func aSecretWrittenInNotifiersYamlIsRefusedWithItsLine() throws {
        try """
        notifiers:
          - type: slack
            url: https://hooks.slack.com/services/T000/B000/XXXX
        """.write(to: runbooks.appendingPathComponent("notifiers.yaml"), atomically: true, encoding: .utf8)
        let id = try escalatedIncident()
        let result = try BuiltBinary.run(["ack", String(id), "--db", database, "--runbooks", runbooks.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("notifiers.yaml:3:"))
        #expect(result.stderr.contains("secrets are read from environment variables only"))
        #expect(try SQLiteTranscriptStore(path: database).events(incidentID: id).allSatisfy { $0.type != .ackReceived })
    }
}

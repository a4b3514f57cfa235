import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit
@testable import RunbookPostgres

/// Escalation with replicas through the built binary: two `runbook escalator` processes on one PostgreSQL store (a
/// schema of its own), the active one killed with SIGKILL while 100 timers come due; the standby takes over within
/// 5 s, and every timer fires once (docs/team-store.md, "The escalator on PostgreSQL").
@Suite(
    .enabled(
        if: ProcessInfo.processInfo.environment["RUNBOOK_TEST_POSTGRES"].map { !$0.isEmpty } ?? false,
        "RUNBOOK_TEST_POSTGRES is not set: no PostgreSQL server to test against (.ci/run starts one)"),
    .ownThreads)
struct PostgresEscalatorFailoverTests {
    let baseURL = ProcessInfo.processInfo.environment["RUNBOOK_TEST_POSTGRES"] ?? ""

    @Test func killingTheActiveEscalatorHandsOverWithinFiveSecondsAndEveryTimerFiresOnce() throws {
        let schema = "failover_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try PostgresTranscriptStore(location: PostgresLocation(url: baseURL), redactor: nil)
            .execute(sql: "CREATE SCHEMA \(schema)")
        let url = baseURL + "&options=-c%20search_path%3D\(schema)"
        let store = try PostgresTranscriptStore(location: PostgresLocation(url: url), redactor: nil)
        let receiver = try HTTPReceiver(statuses: ["202"])
        let runbooks = try ScratchRunbooks("failover").runbooks
        try """
        repeats: 0
        notifiers:
          - {type: pagerduty, name: pagerduty, routing_key_env: TEST_PD_KEY, endpoint: "\(receiver.baseURL.appendingPathComponent("v2/enqueue").absoluteString)"}
        """.write(to: runbooks.appendingPathComponent("notifiers.yaml"), atomically: true, encoding: .utf8)
        let arguments = ["escalator", "--db", url, "--runbooks", runbooks.path]
        let environment = ["RUNBOOK_DB": "", "TEST_PD_KEY": "routing-key"]

        let active = try LiveRunbook(arguments, environment: environment)
        defer { active.kill(SIGKILL) }
        try waitUntil("the first escalator to take the lease", timeout: 20) { try store.escalatorLease() != nil }
        let first = try #require(try store.escalatorLease())
        #expect(first.pid == active.process.processIdentifier)
        let standby = try LiveRunbook(arguments, environment: environment)
        defer { standby.kill(SIGKILL) }
        try waitUntil("the second escalator to stand by", timeout: 20) { standby.text.contains("standing by") }
        #expect(standby.process.isRunning)

        // 100 P0 incidents, no repeats, due 2 s from now and then every 40 ms (on the wall clock).
        let count = 100
        let firstDue = Date().addingTimeInterval(2)
        let scheduler = EscalationScheduler(store: store, repeatLimit: 0, actor: "test@h")
        var incidents: [Int64] = []
        for index in 0..<count {
            let due = firstDue.addingTimeInterval(Double(index) * 0.04)
            let policy = EscalationPolicy(
                rules: [
                    EscalationRule(
                        severity: .p0, description: "Complete outage",
                        responseTime: .duration(max(0.001, due.timeIntervalSinceNow)), targets: ["On-call"])
                ], contacts: [], channels: [])
            let declaration = IncidentDeclaration(
                title: "Site down \(index)", runbook: "down", environment: "staging", severity: .p0, host: "h",
                user: "alice")
            incidents.append(try scheduler.declare(declaration, policy: policy).0.id)
        }

        // The active one fires about a third of them, then dies mid-stream.
        try waitUntil("30 escalations by the first escalator", timeout: 30) { try escalations(store) >= 30 }
        active.kill(SIGKILL)
        let killedAt = Date()
        _ = try active.finish(timeout: 10)
        try waitUntil("the standby to take the lease over", timeout: 10) {
            try store.escalatorLease()?.token == first.token + 1
        }
        let takeover = try #require(try store.escalatorLease())
        #expect(takeover.pid == standby.process.processIdentifier)
        try waitUntil("every timer to fire", timeout: 30) { try escalations(store) >= count }
        try waitUntil("every page to be delivered", timeout: 30) {
            try store.query("SELECT count(*) FROM notification_outbox WHERE status = 'sent'")[0].decode(Int64.self)
                >= Int64(count)
        }

        // The standby's first firing after the kill, within 5 s of it.
        let next = try #require(
            try store.query(
                """
                SELECT min(ts_ms) FROM events
                WHERE type = 'escalation.triggered' AND ts_ms > \(PostgresTranscriptStore.milliseconds(killedAt))
                """
            )[0].decode(Int64?.self))
        let handover = Double(next) / 1000 - killedAt.timeIntervalSince1970
        #expect(handover <= 5, "the standby fired first \(handover) s after the kill")
        // Every timer fired once: one escalation event, one fired timer and one outbox row per incident.
        for incident in incidents {
            let events = try store.events(incidentID: incident)
            #expect(events.filter { $0.type == .escalationTriggered }.count == 1, "incident \(incident)")
            #expect(try store.timers(incidentID: incident).map(\.status) == [.fired], "incident \(incident)")
            #expect(try store.outbox(incidentID: incident).map(\.status) == [.sent], "incident \(incident)")
        }
        // Every incident paged. The pages in flight at the kill (at most `sendsPerChannel`, 4, on the one channel) may
        // have gone out twice, under the same dedup key; no more.
        let keys = try receiver.requests().compactMap { $0.body["dedup_key"] as? String }
        #expect(Set(keys).count == count)
        #expect(keys.count <= count + 4, "\(keys.count) pages for \(count) incidents")

        standby.kill(SIGTERM)
        #expect(try standby.finish(timeout: 20) == 0, "\(standby.text)")
        let verify = try BuiltBinary.run(["verify", "--all", "--db", url], environment: ["RUNBOOK_DB": ""])
        #expect(verify.status == 0, "\(verify.stdout)\n\(verify.stderr)")
    }

    private func escalations(_ store: PostgresTranscriptStore) throws -> Int64 {
        try store.query("SELECT count(*) FROM events WHERE type = 'escalation.triggered'")[0].decode(Int64.self)
    }
}

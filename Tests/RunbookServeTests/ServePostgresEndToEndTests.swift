import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

@testable import RunbookPostgres

/// `runbook serve` on a PostgreSQL store (`--db postgres://…`), against the server `RUNBOOK_TEST_POSTGRES` names
/// (`.ci/run` starts one: scripts/pg-test-cluster), each test in a schema of its own.
@Suite(
    .enabled(
        if: ProcessInfo.processInfo.environment["RUNBOOK_TEST_POSTGRES"].map { !$0.isEmpty } ?? false,
        "RUNBOOK_TEST_POSTGRES is not set: no PostgreSQL server to test against (.ci/run starts one)"))
struct ServePostgresEndToEndTests {
    var baseURL: String { ProcessInfo.processInfo.environment["RUNBOOK_TEST_POSTGRES"] ?? "" }

    /// A schema of its own in the test database, and the URL that selects it.
    func freshSchema() throws -> String {
        let schema = "serve_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try PostgresTranscriptStore(location: PostgresLocation(url: baseURL), redactor: nil)
            .execute(sql: "CREATE SCHEMA \(schema)")
        return baseURL + "&options=-c%20search_path%3D\(schema)"
    }

    @Test func alertsDeclareOneIncidentArmItsTimerAndTheEscalatorRunsInside() throws {
        let url = try freshSchema()
        let service = try ServeProcess(
            runbooks: ["escalation.md": ScratchRunbooks.escalationMatrix(p0: "15 minutes", p1: "30 minutes")],
            database: url)
        let body = WebhookFixtures.body(alerts: [.init(name: "Down", severity: "critical")])
        let first = try service.request("POST", "/alertmanager", body: body)
        #expect(first.status == 200 && first.body == #"{"declared":true,"incident":1,"notes":1}"#, "\(first.body)")
        let again = try service.request("POST", "/alertmanager", body: body)
        #expect(again.body == #"{"declared":false,"incident":1,"notes":0}"#)
        let store = try PostgresTranscriptStore(location: PostgresLocation(url: url), redactor: nil)
        #expect(try store.incidents(openOnly: false, drillsOnly: false).map(\.severity) == [.p1])
        #expect(try store.timers(incidentID: 1).contains { $0.status == .pending })
        #expect(try service.request("GET", "/healthz", token: nil).status == 200)
        let metrics = try service.request("GET", "/metrics", token: nil).body
        #expect(metrics.contains(#"runbook_open_incidents{severity="P1"} 1"#))
        let status = try service.runbook(["escalator", "--status"])
        #expect(status.stdout.contains("escalator: running, pid \(service.live.process.processIdentifier)"))
        service.live.kill(SIGTERM)
        #expect(try service.live.finish() == 0)
    }

    /// Two services on one PostgreSQL store (two hosts), each given the same groups' notifications at the same
    /// moment: one incident per group.
    @Test(.ownThreads) func twoServicesOnOneStoreNeverDeclareAGroupTwice() throws {
        let url = try freshSchema()
        let first = try ServeProcess(database: url)
        let second = try ServeProcess(database: url)
        let incidents = try ServeProcess.postTogether(groups: 16, to: [first, second]) {
            try PostgresTranscriptStore(location: PostgresLocation(url: url), redactor: nil)
                .incidents(openOnly: false, drillsOnly: false)
        }
        #expect(incidents.count == 16)
    }

    /// Share links on a PostgreSQL store: made and revoked by `runbook serve share` in another process (another
    /// machine, for the service), kept as hashes in the schema's `share_links`.
    @Test func aShareLinkOpensThePageUntilRevoked() throws {
        let url = try freshSchema()
        let service = try ServeProcess(database: url)
        let declared = try service.runbook([
            "declare", "--title", "Checkout errors", "--severity", "P1", "--env", "prod",
        ])
        #expect(declared.status == 0, "\(declared.stderr)")
        let shared = try service.runbook(["serve", "share", "1"])
        #expect(shared.status == 0, "\(shared.stderr)")
        let link = shared.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(link.range(of: #"^/s/[0-9a-f]{32}$"#, options: .regularExpression) != nil, "\(link)")
        let page = try service.request("GET", link, token: nil)
        #expect(page.status == 200 && page.body.contains("Checkout errors"))
        let store = try PostgresTranscriptStore(location: PostgresLocation(url: url), redactor: nil)
        let stored = try store.query("SELECT digest FROM share_links").map { try $0.decode(String.self) }
        #expect(stored.count == 1 && stored[0].count == 64 && !stored[0].contains(link.dropFirst(3)))
        #expect(try service.runbook(["serve", "share", "--revoke", link]).status == 0)
        #expect(try service.request("GET", link, token: nil).status == 404)
        #expect(try service.runbook(["serve", "share", "1", "--revoke-all"]).stdout.contains("revoked 0 link(s)"))
    }
}

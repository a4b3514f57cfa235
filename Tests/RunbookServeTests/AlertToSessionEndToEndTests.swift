import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

@testable import RunbookPostgres

/// The responder's side of an alert: `runbook serve` declares the incident from Alertmanager's webhook, and
/// `runbook start --incident ID` walks the runbook the alert named, with the alert's labels offered as the
/// defaults of the runbook's variables.
@Suite(.serialized) struct AlertToSessionEndToEndTests {
    static let runbook = """
        ---
        title: Pod crash loop
        variables:
          NAMESPACE:
            prompt: Namespace
            default: default-ns
          POD:
            prompt: Pod
        ---
        # Pod crash loop

        ## Look at the pod

        ```bash {id=look risk=read}
        echo "looking at $POD in $NAMESPACE"
        ```

        """

    static let body = WebhookFixtures.body(alerts: [
        .init(
            name: "KubePodCrashLooping",
            runbookURL: "https://github.com/openshift/runbooks/blob/master/alerts/k8s/KubePodCrashLooping.md",
            extraLabels: ["pod": "checkout-5d8f"])
    ])

    /// Posts the alert, then walks the incident with `runbook start --incident 1`, accepting the offered defaults;
    /// returns the session's result.
    func alertThenStart(_ service: ServeProcess) throws -> BuiltBinary.Result {
        let reply = try service.request("POST", "/alertmanager", body: Self.body)
        #expect(reply.status == 200, "\(reply.body)")
        #expect(reply.body.contains(#""incident":1"#))
        let answers = service.scratch.directory.appendingPathComponent("answers.txt")
        // Enter accepts the namespace and pod the alert carries; y runs the step; q suspends.
        try "\n\ny\nq\n".write(to: answers, atomically: true, encoding: .utf8)
        let session = try service.runbook([
            "start", "--incident", "1", "--runbooks", service.scratch.runbooks.path, "--answers", answers.path,
        ])
        #expect(session.status == 0, "\(session.stdout)\(session.stderr)")
        #expect(session.stdout.contains("started on incident #1: KubePodCrashLooping"), "\(session.stdout)")
        #expect(session.stdout.contains("[default from alert label namespace: payments]"))
        #expect(session.stdout.contains("[default from alert label pod: checkout-5d8f]"))
        #expect(session.stdout.contains("looking at checkout-5d8f in payments"))
        return session
    }

    /// What the session recorded: the alert's runbook opened by `attach`, the values accepted, one incident.
    func expectRecorded(in store: any TranscriptStore) throws {
        let events = try store.events(incidentID: 1)
        let opened = try #require(events.first { $0.type == .runbookOpened })
        #expect(opened.payload["runbook"] == "alerts/k8s/KubePodCrashLooping" && opened.payload["via"] == "attach")
        let pod = try #require(events.first { $0.type == .variableSet && $0.payload["name"] == "POD" })
        #expect(pod.payload["value"] == "checkout-5d8f")
        #expect(try store.incidents(openOnly: false, drillsOnly: false).count == 1)
    }

    @Test func startIncidentWalksTheAlertsRunbookWithItsLabelsAsDefaults() throws {
        let service = try ServeProcess(runbooks: ["alerts/k8s/KubePodCrashLooping.md": Self.runbook])
        _ = try alertThenStart(service)
        try expectRecorded(in: try SQLiteTranscriptStore(readingEvidenceAt: service.database))
        service.live.kill(SIGTERM)
        #expect(try service.live.finish() == 0)
    }

    /// The same on the team's PostgreSQL store: one code path (`StoreOpener.open`), against the server
    /// `RUNBOOK_TEST_POSTGRES` names, in a schema of its own.
    @Test(
        .enabled(
            if: ProcessInfo.processInfo.environment["RUNBOOK_TEST_POSTGRES"].map { !$0.isEmpty } ?? false,
            "RUNBOOK_TEST_POSTGRES is not set: no PostgreSQL server to test against (.ci/run starts one)"))
    func startIncidentOnAPostgresStore() throws {
        let base = ProcessInfo.processInfo.environment["RUNBOOK_TEST_POSTGRES"] ?? ""
        let schema = "attach_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try PostgresTranscriptStore(location: PostgresLocation(url: base), redactor: nil)
            .execute(sql: "CREATE SCHEMA \(schema)")
        let url = base + "&options=-c%20search_path%3D\(schema)"
        let service = try ServeProcess(
            runbooks: ["alerts/k8s/KubePodCrashLooping.md": Self.runbook], database: url)
        _ = try alertThenStart(service)
        try expectRecorded(in: try PostgresTranscriptStore(location: PostgresLocation(url: url), redactor: nil))
        service.live.kill(SIGTERM)
        #expect(try service.live.finish() == 0)
    }
}

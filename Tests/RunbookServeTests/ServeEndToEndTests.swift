import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// `runbook serve` as built, over HTTP on loopback: the routes, the bad input of docs/serve.md, the escalator
/// inside, and a clean stop on SIGTERM.
@Suite(.serialized) struct ServeEndToEndTests {
    @Test func itRefusesToStartWithoutAToken() throws {
        let scratch = try ScratchRunbooks("serve-no-token")
        let result = try BuiltBinary.run(
            ["serve", "--listen", "127.0.0.1:0", "--db", scratch.database], environment: ["RUNBOOK_SERVE_TOKEN": ""])
        #expect(result.status == 2)
        #expect(result.stderr.contains("error: no bearer token"))
        #expect(result.stderr.contains("hint: export RUNBOOK_SERVE_TOKEN="))
    }

    @Test func aBadListenAddressIsAUsageError() throws {
        let result = try BuiltBinary.run(["serve", "--listen", "localhost"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--listen must be ADDR:PORT"))
    }

    @Test func itAnswersHealthMetricsAndAnAlertThenStopsOnSIGTERM() throws {
        let service = try ServeProcess()
        let health = try service.request("GET", "/healthz", token: nil)
        #expect(health.status == 200 && health.body == #"{"status":"ok"}"#)
        let body = WebhookFixtures.body(alerts: [.init(name: "Down", severity: "P0")])
        let reply = try service.request("POST", "/alertmanager", body: body)
        #expect(reply.status == 200, "\(reply.body)")
        #expect(reply.body == #"{"declared":true,"incident":1,"notes":1}"#)
        let store = try SQLiteTranscriptStore(readingEvidenceAt: service.scratch.database)
        #expect(try store.incident(1)?.severity == .p0)
        let metrics = try service.request("GET", "/metrics", token: nil)
        #expect(metrics.status == 200)
        #expect(metrics.body.contains(#"runbook_open_incidents{severity="P0"} 1"#))
        #expect(metrics.body.contains("runbook_alert_webhooks_received_total 1"))
        // The escalator runs inside the service: it holds the store's lease.
        let status = try service.runbook(["escalator", "--status"])
        #expect(status.stdout.contains("escalator: running, pid \(service.live.process.processIdentifier)"))
        // One structured line per request.
        #expect(service.live.text.contains("method=POST path=/alertmanager status=200"))
        service.live.kill(SIGTERM)
        #expect(try service.live.finish() == 0)
        #expect(service.live.text.contains("stopped"))
        #expect(try service.runbook(["escalator", "--status"]).stdout.contains("escalator: not running"))
    }

    /// The service opens its store twice (requests and the escalator). Reading the file's header again on the second
    /// open closed a descriptor of the file, which drops every POSIX lock the process holds on it, SQLite's
    /// included: another process's write then deleted the WAL under the service ("database disk image is
    /// malformed", /healthz 503). Writes from other processes must leave it healthy.
    @Test func writesFromOtherProcessesLeaveTheServiceHealthy() throws {
        let service = try ServeProcess()
        let body = WebhookFixtures.body(alerts: [.init(name: "Down", severity: "P1")])
        #expect(try service.request("POST", "/alertmanager", body: body).status == 200)
        for index in 1...5 {
            let note = try service.runbook(["note", "1", "from another terminal \(index)"])
            #expect(note.status == 0, "\(note.stderr)")
            let health = try service.request("GET", "/healthz", token: nil)
            #expect(health.status == 200, "after note \(index): \(health.body)")
        }
        let metrics = try service.request("GET", "/metrics", token: nil)
        #expect(metrics.status == 200)
        #expect(!service.live.text.contains("malformed"), "\(service.live.text)")
        let store = try SQLiteTranscriptStore(readingEvidenceAt: service.scratch.database)
        #expect(try store.verify(incidentID: 1).isIntact)
        service.live.kill(SIGTERM)
        #expect(try service.live.finish() == 0)
    }

    /// Two services on one SQLite file (a second host behind a load balancer, or a restart overlapping the old
    /// process), each given the same groups' notifications at the same moment: one incident per group.
    @Test(.ownThreads) func twoServicesOnOneFileNeverDeclareAGroupTwice() throws {
        let first = try ServeProcess()
        let second = try ServeProcess(database: first.database)
        let incidents = try ServeProcess.postTogether(groups: 16, to: [first, second]) {
            try SQLiteTranscriptStore(readingEvidenceAt: first.database).incidents(openOnly: false, drillsOnly: false)
        }
        #expect(incidents.count == 16)
    }

    @Test func badInputGetsA4xxAndTheServiceStaysUp() throws {
        let service = try ServeProcess()
        let body = WebhookFixtures.body(alerts: [.init(name: "Down")])
        let wrongToken = try service.request("POST", "/alertmanager", token: "wrong-token-0123456789", body: body)
        #expect(wrongToken.status == 401 && wrongToken.body == #"{"error":"unauthorized"}"#)
        let noToken = try service.request("POST", "/alertmanager", token: nil, body: body)
        #expect(noToken.status == 401)
        let oversized = Data(repeating: UInt8(ascii: " "), count: (1 << 20) + 1)
        let tooLarge = try service.request("POST", "/alertmanager", body: oversized)
        #expect(tooLarge.status == 413 && tooLarge.body.contains("larger than 1048576 bytes"))
        let malformed = try service.request("POST", "/alertmanager", body: Data("{\"version\":".utf8))
        #expect(malformed.status == 400 && malformed.body.contains(#""error":"the body is not JSON"#))
        let version = try service.request(
            "POST", "/alertmanager", body: WebhookFixtures.body(version: "2", alerts: [.init(name: "Down")]))
        #expect(version.status == 422)
        for path in ["/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/healthz/../../etc/passwd"] {
            let traversal = try service.request("GET", path, token: nil)
            #expect(traversal.status == 404, "\(path)")
            #expect(!traversal.body.contains("root:"), "\(path)")
        }
        #expect(
            try SQLiteTranscriptStore(readingEvidenceAt: service.scratch.database).incidents(
                openOnly: false, drillsOnly: false
            ).isEmpty)
        #expect(try service.request("GET", "/healthz", token: nil).status == 200)
        let metrics = try service.request("GET", "/metrics", token: nil).body
        #expect(metrics.contains(#"runbook_alert_webhooks_rejected_total{status="401"} 2"#))
        #expect(metrics.contains(#"runbook_alert_webhooks_rejected_total{status="400"} 1"#))
        #expect(metrics.contains(#"runbook_alert_webhooks_rejected_total{status="413"} 1"#))
        #expect(metrics.contains(#"runbook_alert_webhooks_rejected_total{status="422"} 1"#))
    }

    @Test func headersSentTooSlowlyAreCutOffAndOthersAreStillServed() throws {
        let service = try ServeProcess(configuration: "idle_timeout: 1s\n")
        let slow = try RawHTTP(port: service.port, timeout: 20)
        slow.send(Data("POST /alertmanager HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".utf8))
        // While that connection hangs, the service answers others.
        #expect(try service.request("GET", "/healthz", token: nil).status == 200)
        // The silent connection is closed by the service (well before the 20 s read limit).
        let start = Date()
        _ = try slow.readToEnd()
        #expect(Date().timeIntervalSince(start) < 15)
        #expect(try service.request("GET", "/healthz", token: nil).status == 200)
    }

    @Test func theEscalatorInsideFiresTheTimerAndDeliversAndMetricsCountIt() throws {
        let pagerDuty = try HTTPReceiver(statuses: ["202"])
        let service = try ServeProcess(
            runbooks: [
                "escalation.md": ScratchRunbooks.escalationMatrix(p0: "1 second"),
                "notifiers.yaml": """
                notifiers:
                  - {type: pagerduty, name: pagerduty, routing_key_env: TEST_PD_KEY, endpoint: "\(pagerDuty.baseURL.absoluteString)"}
                """,
            ], environment: ["TEST_PD_KEY": "pd-routing-key-0123456789"])
        let body = WebhookFixtures.body(alerts: [.init(name: "Down", severity: "P0")])
        #expect(try service.request("POST", "/alertmanager", body: body).status == 200)
        var metrics = ""
        try waitUntil("the escalation and its delivery in the metrics: \(metrics)\n\(service.live.text)") {
            metrics = try service.request("GET", "/metrics", token: nil).body
            return metrics.contains("runbook_escalations_fired_total 1")
                && metrics.contains("runbook_notifications_sent_total 1")
        }
        #expect(metrics.contains("runbook_timer_lateness_seconds_count 1"))
        #expect(metrics.contains("runbook_notifications_failed_total 0"))
        #expect(try pagerDuty.requests().count == 1)
        let store = try SQLiteTranscriptStore(readingEvidenceAt: service.scratch.database)
        #expect(try store.events(incidentID: 1).contains { $0.type == .escalationTriggered })
    }

    @Test func aRequestInFlightWhenSIGTERMArrivesIsAnsweredBeforeTheServiceStops() throws {
        let service = try ServeProcess()
        let body = WebhookFixtures.body(alerts: [.init(name: "Down")])
        let connection = try RawHTTP(port: service.port)
        let head =
            "POST /alertmanager HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            + "Authorization: Bearer \(ServeProcess.token)\r\nContent-Length: \(body.count)\r\n\r\n"
        connection.send(Data(head.utf8) + body.prefix(10))
        // A request on another connection is answered after the service has read the first one's head.
        #expect(try service.request("GET", "/healthz", token: nil).status == 200)
        service.live.kill(SIGTERM)
        try waitUntil("the service to begin its shutdown: \(service.live.text)") {
            service.live.text.contains("stopping: no new connections")
        }
        connection.send(body.dropFirst(10))
        let reply = RawHTTP.parse(try connection.readToEnd())
        #expect(reply.status == 200, "\(reply.body)")
        #expect(reply.body.contains(#""declared":true"#))
        #expect(try service.live.finish() == 0)
        #expect(try SQLiteTranscriptStore(readingEvidenceAt: service.scratch.database).incident(1) != nil)
    }

    @Test func aBadConfigurationStopsItAtItsLine() throws {
        let scratch = try ScratchRunbooks("serve-config")
        let path = scratch.directory.appendingPathComponent("serve.yaml").path
        try "listen: 127.0.0.1:0\nseverities:\n  page: urgent\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = try BuiltBinary.run(
            ["serve", "--config", path, "--db", scratch.database],
            environment: ["RUNBOOK_SERVE_TOKEN": ServeProcess.token])
        #expect(result.status == 2)
        #expect(result.stderr.contains("serve.yaml:3:"))
        #expect(result.stderr.contains("`severities.page` must be P0, P1, P2 or P3, not urgent"))
    }

    @Test func runbookServeTakesTheSameOptionsAndHelpAsRunbookServe() throws {
        let serve = URL(fileURLWithPath: BuiltBinary.path).deletingLastPathComponent().appendingPathComponent(
            "runbook-serve")
        let process = Process()
        process.executableURL = serve
        process.arguments = ["--help"]
        let direct = try ProcessRunner.collect(process, stdin: Data())
        let viaRunbook = try BuiltBinary.run(["serve", "--help"])
        #expect(direct.status == 0 && viaRunbook.status == 0)
        #expect(direct.stdout == viaRunbook.stdout)
        #expect(direct.stdout.contains("USAGE: runbook serve"))
    }

    @Test func headersTrickledAByteAtATimeAreCutOffAtTheIdleTimeout() throws {
        // Only a whole request head counts as activity: bytes of an unfinished one never reset the idle timer.
        let service = try ServeProcess(configuration: "idle_timeout: 1s\n")
        let trickle = try RawHTTP(port: service.port)
        let head = "POST /alertmanager HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + String(repeating: "a", count: 300)
        let start = Date()
        var closed = false
        // One byte every 0.1 s, well within the idle timeout each time.
        for byte in head.utf8 {
            trickle.send(Data([byte]))
            if trickle.peerClosed(within: 0.1) {
                closed = true
                break
            }
        }
        #expect(closed)
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(try service.request("GET", "/healthz", token: nil).status == 200)
    }
}

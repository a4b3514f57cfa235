import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit

/// Notifiers against real receivers: a Python HTTP server on 127.0.0.1 and real child processes.
@Suite(.serialized) struct NotifierDeliveryTests {
    func escalation(drill: Bool = false) -> EscalationNotification {
        let contacts = EscalationFixtures.policy.contacts
        let targets = ["CTO", "On-call"].map { EscalationTarget.resolve($0, contacts: contacts) }
        let prefix = drill ? "[DRILL] " : ""
        return EscalationNotification(
            kind: .escalation, incidentID: 42, title: "Site down", runbook: "outage", severity: .p0, isDrill: drill,
            targets: targets, repeat: 1, repeatLimit: 3, responseTime: "15 minutes",
            occurredAt: Date(timeIntervalSince1970: 1_767_227_400),
            message: prefix + "P0 incident #42 \"Site down\" unacknowledged for 15 minutes (repeat 1 of 3): escalating")
    }

    func acknowledgement() -> EscalationNotification {
        EscalationNotification(
            kind: .acknowledge, incidentID: 42, title: "Site down", runbook: "outage", severity: .p0, isDrill: false,
            actor: "alice", occurredAt: Date(timeIntervalSince1970: 1_767_227_500), message: "acknowledged by alice")
    }

    @Test func slackReceivesTextAndBlocks() throws {
        let receiver = try HTTPReceiver(statuses: ["200"])
        let slack = SlackNotifier(channel: "ops", webhookURL: receiver.baseURL.appendingPathComponent("hook"))
        #expect(slack.deliver(escalation(drill: true)) == .sent(detail: "HTTP 200"))
        let requests = try receiver.requests()
        try #require(requests.count == 1)
        #expect(requests[0].path == "/hook")
        #expect(requests[0].contentType == "application/json")
        let body = requests[0].body
        let text = try #require(body["text"] as? String)
        #expect(text.hasPrefix("[DRILL] P0 incident #42"))
        let blocks = try #require(body["blocks"] as? [[String: Any]])
        #expect(blocks.map { $0["type"] as? String } == ["section", "section", "context"])
        let targets = try #require((blocks[1]["text"] as? [String: Any])?["text"] as? String)
        #expect(targets.contains("On-Call Engineer &lt;alerts@candlefish.ai&gt;"))
        #expect(targets.contains("CTO (not in the contacts table)"))
        let context = try #require(((blocks[2]["elements"] as? [[String: Any]])?.first)?["text"] as? String)
        #expect(context == "Incident #42 · P0 · runbook `outage` · repeat 1 of 3")
    }

    @Test func pagerDutyReceivesTriggerAndAcknowledgeWithTheIncidentDedupKey() throws {
        let receiver = try HTTPReceiver(statuses: ["202"])
        let pagerDuty = PagerDutyNotifier(
            channel: "pd", routingKey: "test-routing-key",
            endpoint: receiver.baseURL.appendingPathComponent("v2/enqueue"),
            source: "bastion-1")
        #expect(pagerDuty.deliver(escalation()) == .sent(detail: "HTTP 202"))
        #expect(pagerDuty.deliver(acknowledgement()) == .sent(detail: "HTTP 202"))
        let requests = try receiver.requests()
        try #require(requests.count == 2)
        #expect(requests.allSatisfy { $0.path == "/v2/enqueue" })
        let trigger = requests[0].body
        #expect(trigger["routing_key"] as? String == "test-routing-key")
        #expect(trigger["event_action"] as? String == "trigger")
        #expect(trigger["dedup_key"] as? String == "runbook-42")
        let payload = try #require(trigger["payload"] as? [String: Any])
        #expect(payload["severity"] as? String == "critical")
        #expect(payload["source"] as? String == "bastion-1")
        #expect(payload["timestamp"] as? String == "2026-01-01T00:30:00.000Z")
        #expect((payload["summary"] as? String)?.hasPrefix("P0 incident #42") == true)
        #expect((payload["custom_details"] as? [String: Any])?["repeat"] as? Int == 1)
        let ack = requests[1].body
        #expect(ack.keys.sorted() == ["dedup_key", "event_action", "routing_key"])
        #expect(ack["event_action"] as? String == "acknowledge")
        #expect(ack["dedup_key"] as? String == "runbook-42")
    }

    @Test func pagerDutySeverityFollowsTheMatrix() {
        #expect(Severity.allCases.map(PagerDutyNotifier.pagerDutySeverity) == ["critical", "error", "warning", "info"])
    }

    @Test func serverErrorsAndRateLimitsAreRetryableOtherClientErrorsAreNot() throws {
        let receiver = try HTTPReceiver(statuses: ["500", "429", "400", "404"])
        let slack = SlackNotifier(channel: "ops", webhookURL: receiver.baseURL)
        let results = (0..<4).map { _ in slack.deliver(escalation()) }
        #expect(results.map { if case .retryable = $0 { true } else { false } } == [true, true, false, false])
        #expect(results[2] == .permanent(error: "HTTP 400: {\"status\":\"error\"}"))
    }

    @Test func aServerThatHangsIsCutOffByTheTimeout() throws {
        let receiver = try HTTPReceiver(statuses: ["hang"])
        let slack = SlackNotifier(channel: "ops", webhookURL: receiver.baseURL, timeout: 0.5)
        let started = Date()
        let result = slack.deliver(escalation())
        #expect(Date().timeIntervalSince(started) < 3)
        guard case .retryable(let error, _) = result else {
            Issue.record("expected a retryable timeout, got \(result)")
            return
        }
        #expect(error == "timed out: no answer from 127.0.0.1 within 0.5 s")
    }

    @Test func aServerThatIsDownIsRetryable() {
        // Port 9 (discard) is closed on loopback here: connection refused.
        let slack = SlackNotifier(channel: "ops", webhookURL: URL(string: "http://127.0.0.1:9/hook")!, timeout: 2)
        guard case .retryable(let error, _) = slack.deliver(escalation()) else {
            Issue.record("connection refused must be retryable")
            return
        }
        #expect(error == "network error: cannot connect to 127.0.0.1 (connection refused)")
    }

    @Test func aMissingHTTPProgramIsAPermanentFailureThatSaysWhatToInstall() {
        let poster = HTTPPoster(timeout: 1, program: "/nonexistent/runbook-http")
        guard case .permanent(let error) = poster.post(Data("{}".utf8), to: URL(string: "http://127.0.0.1:9/")!) else {
            Issue.record("a missing runbook-http must be a permanent failure")
            return
        }
        #expect(error.contains("/nonexistent/runbook-http"), "\(error)")
    }

    @Test func theProgramIsFoundThroughTheEnvironmentBesideRunbookOrOnThePath() throws {
        #expect(HTTPPoster.helperPath(environment: ["RUNBOOK_HTTP": "/x/runbook-http"]) == "/x/runbook-http")
        // The test runner lives in the build directory, beside the built runbook-http.
        let beside = try #require(HTTPPoster.helperPath(environment: [:]))
        #expect(beside.hasSuffix("/runbook-http"))
        #expect(FileManager.default.isExecutableFile(atPath: beside))
    }

    @Test func reportsOfTheProgramAreClassifiedLikeHTTPAnswers() {
        #expect(HTTPPoster.classify(reply: Data(#"{"status":200,"body":"ok"}"#.utf8)) == .sent(detail: "HTTP 200"))
        #expect(
            HTTPPoster.classify(reply: Data(#"{"status":503,"body":"busy"}"#.utf8))
                == .retryable(error: "HTTP 503: busy"))
        #expect(HTTPPoster.classify(reply: Data(#"{"status":404,"body":""}"#.utf8)) == .permanent(error: "HTTP 404"))
        #expect(
            HTTPPoster.classify(reply: Data(#"{"error":"timed out: no answer"}"#.utf8))
                == .retryable(error: "timed out: no answer"))
        #expect(HTTPPoster.classify(reply: Data()) == .retryable(error: "runbook-http gave no report"))
    }

    @Test func aMissingSecretIsAPermanentFailureNamingTheVariable() {
        let slack = SlackNotifier(channel: "ops", webhookURL: nil, urlVariable: "OPS_HOOK")
        #expect(
            slack.deliver(escalation()) == .permanent(error: "OPS_HOOK is not set; export the Slack webhook URL in it"))
    }

    @Test func execRunsARealChildWithTheNotificationOnStdin() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("got.json")
        let exec = ExecNotifier(
            channel: "tee",
            command: ["sh", "-c", "cat > \"$0\"; echo \"$RUNBOOK_NOTIFICATION_KIND\" >> \"$0.kind\"", out.path])
        #expect(exec.deliver(escalation(drill: true)) == .sent(detail: "exit 0"))
        let decoded = try EscalationNotification(jsonData: try Data(contentsOf: out))
        #expect(decoded == escalation(drill: true))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as! [String: Any]
        #expect(json["incident_id"] as? Int == 42 && json["drill"] as? Bool == true)
        #expect(try String(contentsOfFile: out.path + ".kind", encoding: .utf8) == "escalation\n")
    }

    @Test func execHookEnvironmentHoldsOnlyTheListedVariables() {
        let exec = ExecNotifier(channel: "email", command: ["true"], environmentVariables: ["SMTP_PASSWORD"])
        let base = [
            "PATH": "/usr/bin:/bin", "HOME": "/home/oncall", "LANG": "C.UTF-8", "TZ": "UTC", "SMTP_PASSWORD": "pw",
            "SLACK_WEBHOOK_URL": "https://hooks.example/T/B/x", "PAGERDUTY_ROUTING_KEY": "key", "RUNBOOK_DB": "/db",
        ]
        #expect(
            exec.environment(for: escalation(), base: base) == [
                "PATH": "/usr/bin:/bin", "HOME": "/home/oncall", "LANG": "C.UTF-8", "TZ": "UTC",
                "RUNBOOK_NOTIFICATION_KIND": "escalation", "RUNBOOK_INCIDENT_ID": "42", "RUNBOOK_CHANNEL": "email",
                "SMTP_PASSWORD": "pw",
            ])
    }

    @Test func execExitStatusesDecideRetries() {
        #expect(ExecNotifier(channel: "x", command: ["true"]).deliver(escalation()) == .sent(detail: "exit 0"))
        #expect(
            ExecNotifier(channel: "x", command: ["sh", "-c", "echo nope; exit 3"]).deliver(escalation())
                == .permanent(error: "exit 3: nope"))
        guard case .retryable = ExecNotifier(channel: "x", command: ["sh", "-c", "exit 75"]).deliver(escalation())
        else {
            Issue.record("exit 75 must be retryable")
            return
        }
    }

    @Test func execThatHangsIsKilledAfterItsTimeout() {
        let started = Date()
        let result = ExecNotifier(channel: "x", command: ["sleep", "30"], timeout: 0.3).deliver(escalation())
        #expect(Date().timeIntervalSince(started) < 3)
        #expect(result == .retryable(error: "sleep did not finish within 0.3 s"))
    }

    @Test func execThatDoesNotReadStdinDoesNotHurtUs() {
        #expect(ExecNotifier(channel: "x", command: ["sh", "-c", "exec 0<&-; exit 0"]).deliver(escalation()).isSent)
    }

    @Test func pagerDutyDedupKeyIsTheIncidentKeyAndDrillsSaySoEverywhere() throws {
        let pagerDuty = PagerDutyNotifier(channel: "pd", routingKey: "k", source: "bastion-1")
        var notification = escalation(drill: true)
        notification.incidentKey = "k7f3a9"
        notification.message = "P0 incident #42 escalating"
        let body = pagerDuty.payload(for: notification, routingKey: "k")
        #expect(body["dedup_key"] == "runbook-k7f3a9")
        #expect(body["payload"]?["summary"]?.stringValue?.hasPrefix("[DRILL] P0 incident #42") == true)
        #expect(body["payload"]?["custom_details"]?["drill"] == true)
        #expect(body["payload"]?["custom_details"]?["incident_key"] == "k7f3a9")
        // Rows written before incidents had keys keep the incident id.
        #expect(pagerDuty.payload(for: acknowledgement(), routingKey: "k")["dedup_key"] == "runbook-42")
    }

    @Test func serveModeAnswersOneLinePerRequestInOrder() throws {
        let receiver = try HTTPReceiver(statuses: ["202", "503|Retry-After: 12", "308|Location: http://127.0.0.1:9/x"])
        let program = try #require(HTTPPoster.helperPath(environment: [:]))
        let request = { (path: String) -> String in
            let url = receiver.baseURL.appendingPathComponent(path).absoluteString
            return #"{"url":"\#(url)","timeout":5,"body":"{\"n\":1}"}"#
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = ["--serve"]
        let input = [request("a"), request("b"), request("c")].joined(separator: "\n") + "\n"
        let result = try ProcessRunner.collect(process, stdin: Data(input.utf8))
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map { try? JSONValue(parsing: String($0)) }
        #expect(lines.count == 3)
        #expect(lines[0]?["status"] == 202)
        #expect(lines[1]?["status"] == 503 && lines[1]?["retry_after"]?.doubleValue == 12)
        #expect(lines[2]?["status"] == 308 && lines[2]?["location"] == "http://127.0.0.1:9/x")
        #expect(try receiver.requests().map(\.path) == ["/a", "/b", "/c"])
    }

    @Test func aTimedOutRequestDoesNotSpoilTheWorkersNextOne() throws {
        let hanging = try HTTPReceiver(statuses: ["hang"])
        let working = try HTTPReceiver(statuses: ["200"])
        let program = try #require(HTTPPoster.helperPath(environment: [:]))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = ["--serve"]
        let input =
            [hanging, working].map {
                #"{"url":"\#($0.baseURL.absoluteString)","timeout":0.5,"body":"{}"}"#
            }.joined(separator: "\n") + "\n"
        let result = try ProcessRunner.collect(process, stdin: Data(input.utf8))
        let lines = result.stdout.split(separator: "\n").map { try? JSONValue(parsing: String($0)) }
        #expect(lines.count == 2)
        #expect(lines.first??["error"] == "timed out: no answer from 127.0.0.1 within 0.5 s")
        #expect(lines.last??["status"] == 200)
    }

    @Test func thePosterReusesItsWorkerAndReplacesOneThatDied() throws {
        let receiver = try HTTPReceiver(statuses: ["200"])
        let poster = HTTPPoster(timeout: 5)
        defer { poster.close() }
        #expect(poster.post(Data("{}".utf8), to: receiver.baseURL) == .sent(detail: "HTTP 200"))
        let first = poster.idleWorkerIDs
        #expect(first.count == 1)
        #expect(poster.post(Data("{}".utf8), to: receiver.baseURL) == .sent(detail: "HTTP 200"))
        #expect(poster.idleWorkerIDs == first)
        kill(first[0], SIGKILL)
        // A dead worker is replaced at once: the request goes to a new one.
        #expect(poster.post(Data("{}".utf8), to: receiver.baseURL) == .sent(detail: "HTTP 200"))
        #expect(poster.idleWorkerIDs.count == 1 && poster.idleWorkerIDs != first)
    }
}

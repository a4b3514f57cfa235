import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit

/// The outbox against a real HTTP server on 127.0.0.1: retries, no retries, every attempt recorded.
@Suite(.serialized) struct OutboxDeliveryTests {
    let path: String

    init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("runbook.sqlite3").path
    }

    /// A scheduler whose PagerDuty channel posts to `receiver`, with a deliverer driven by `clock`.
    func setUp(_ receiver: HTTPReceiver, clock: TestClock, timeout: TimeInterval = 2) throws -> EscalationScheduler {
        let store = try SQLiteTranscriptStore(path: path)
        let pagerDuty = PagerDutyNotifier(
            channel: "pagerduty", routingKey: "test-key",
            endpoint: receiver.baseURL.appendingPathComponent("v2/enqueue"),
            source: "bastion", timeout: timeout)
        let deliverer = NotificationDeliverer(
            store: store, notifiers: [pagerDuty],
            retry: RetryPolicy(maxAttempts: 3, initialBackoff: 2, maxBackoff: 60, jitter: 0),
            clock: clock, actor: "runbook@test", attemptTimeout: timeout)
        return EscalationScheduler(
            store: store, clock: clock, wallClock: clock, channels: EscalationChannels(notifiers: [pagerDuty]),
            actor: "runbook@test", deliverer: deliverer)
    }

    func escalate(_ scheduler: EscalationScheduler, clock: TestClock) throws -> Int64 {
        let (incident, _) = try scheduler.declare(
            IncidentDeclaration(
                title: "Site down", runbook: "outage", environment: "production", severity: .p0, host: "bastion",
                user: "alice"), policy: EscalationFixtures.policy)
        clock.advance(by: 900)
        #expect(try scheduler.fireDue().count == 1)
        return incident.id
    }

    @Test func aServerErrorIsRetriedWithBackoffAndEveryAttemptIsRecorded() throws {
        let receiver = try HTTPReceiver(statuses: ["500", "202"])
        let clock = TestClock()
        let scheduler = try setUp(receiver, clock: clock)
        let id = try escalate(scheduler, clock: clock)
        let deliverer = try #require(scheduler.deliverer)
        let first = try deliverer.deliverDue()
        #expect(first.count == 1)
        #expect(first.first?.nextAttempt == clock.now().addingTimeInterval(2))
        #expect(try deliverer.deliverDue().isEmpty)  // not before the backoff
        clock.advance(by: 2)
        #expect(try deliverer.deliverDue().first?.result == .sent(detail: "HTTP 202"))
        let requests = try receiver.requests()
        #expect(requests.count == 2)
        #expect(requests.allSatisfy { $0.body["event_action"] as? String == "trigger" })
        // The dedup key is the incident's random key, not its number (which another database reuses).
        let key = try #require(try scheduler.store.outbox(incidentID: id).first?.notification.incidentKey)
        #expect(requests.allSatisfy { $0.body["dedup_key"] as? String == "runbook-\(key)" })
        let events = try scheduler.store.events(incidentID: id).filter { $0.type.rawValue.hasPrefix("notification.") }
        #expect(events.map(\.type) == [.notificationFailed, .notificationSent])
        #expect(events[0].payload["will_retry"] == true)
        #expect(events[0].payload["attempt"] == 1 && events[1].payload["attempt"] == 2)
        #expect(events[0].payload["error"]?.stringValue?.hasPrefix("HTTP 500") == true)
        #expect(try scheduler.store.outbox(incidentID: id).map(\.status) == [.sent])
    }

    @Test func aClientErrorIsNotRetried() throws {
        let receiver = try HTTPReceiver(statuses: ["400"])
        let clock = TestClock()
        let scheduler = try setUp(receiver, clock: clock)
        let id = try escalate(scheduler, clock: clock)
        let deliverer = try #require(scheduler.deliverer)
        #expect(try deliverer.deliverDue().first?.nextAttempt == nil)
        clock.advance(by: 3600)
        #expect(try deliverer.deliverDue().isEmpty)
        #expect(try receiver.requests().count == 1)
        let failed = try #require(try scheduler.store.events(incidentID: id).last)
        #expect(failed.type == .notificationFailed && failed.payload["will_retry"] == false)
        #expect(try scheduler.store.outbox(incidentID: id).first?.status == .failed)
    }

    @Test func retriesStopAfterTheLastAttempt() throws {
        let receiver = try HTTPReceiver(statuses: ["503"])
        let clock = TestClock()
        let scheduler = try setUp(receiver, clock: clock)
        let id = try escalate(scheduler, clock: clock)
        let deliverer = try #require(scheduler.deliverer)
        for _ in 0..<5 {
            _ = try deliverer.deliverDue()
            clock.advance(by: 60)
        }
        #expect(try receiver.requests().count == 3)
        #expect(try scheduler.store.outbox(incidentID: id).first?.status == .failed)
        let last = try #require(try scheduler.store.events(incidentID: id).last { $0.type == .notificationFailed })
        #expect(last.payload["will_retry"] == false && last.payload["gave_up"] == true)
        #expect(last.payload["gave_up_reason"] == "no delivery after 3 attempts (max_attempts)")
    }

    @Test func ackAndResolveReachPagerDutyAsAcknowledgeAndResolve() throws {
        let receiver = try HTTPReceiver(statuses: ["202"])
        let clock = TestClock()
        let scheduler = try setUp(receiver, clock: clock)
        let id = try escalate(scheduler, clock: clock)
        _ = try scheduler.acknowledge(incidentID: id, by: "alice")
        _ = try scheduler.resolve(incidentID: id, by: "alice")
        _ = try scheduler.deliverer?.deliverDue()
        let actions = try receiver.requests().map { $0.body["event_action"] as? String }
        #expect(actions == ["trigger", "acknowledge", "resolve"])
    }

    @Test func aHangingChannelNeverBlocksTheResponder() throws {
        let receiver = try HTTPReceiver(statuses: ["hang"])
        let clock = TestClock()
        let scheduler = try setUp(receiver, clock: clock, timeout: 4)
        let deliverer = try #require(scheduler.deliverer)
        deliverer.start()
        defer { deliverer.stop(timeout: 3) }
        let id = try escalate(scheduler, clock: clock)
        // The delivery thread is now stuck on the hanging server; recording goes on undisturbed.
        let started = Date()
        _ = try scheduler.acknowledge(incidentID: id, by: "alice")
        _ = try scheduler.changeSeverity(incidentID: id, to: .p1, reason: "contained")
        // Blocked behind the hanging delivery, these would take its whole 4 s timeout; on a loaded machine two
        // durable commits take well under a second.
        #expect(Date().timeIntervalSince(started) < 3)
        // The hung attempt ends at its timeout and is recorded as retryable.
        var failed: RecordedEvent?
        let deadline = Date().addingTimeInterval(15)
        while failed == nil && Date() < deadline {
            failed = try scheduler.store.events(incidentID: id).first { $0.type == .notificationFailed }
            if failed == nil { _ = poll(nil, 0, 50) }
        }
        #expect(failed?.payload["will_retry"] == true)
    }

    @Test func anAcknowledgementWaitsUntilItsEscalationIsDeliveredOnTheSameChannel() throws {
        let receiver = try HTTPReceiver(statuses: ["500", "202"])
        let clock = TestClock()
        let scheduler = try setUp(receiver, clock: clock)
        let id = try escalate(scheduler, clock: clock)
        _ = try scheduler.acknowledge(incidentID: id, by: "alice")
        let deliverer = try #require(scheduler.deliverer)
        // The trigger fails and waits for its retry; the acknowledgement must not overtake it.
        #expect(try deliverer.deliverDue().map(\.entry.notification.kind) == [.escalation])
        #expect(try scheduler.store.nextOutboxAttempt() == clock.now().addingTimeInterval(2))
        clock.advance(by: 2)
        #expect(try deliverer.deliverDue().map(\.entry.notification.kind) == [.escalation, .acknowledge])
        let actions = try receiver.requests().map { $0.body["event_action"] as? String }
        #expect(actions == ["trigger", "trigger", "acknowledge"])
    }

    @Test func anEscalationGivenUpNoLongerHoldsBackItsAcknowledgement() throws {
        let receiver = try HTTPReceiver(statuses: ["400", "202"])
        let clock = TestClock()
        let scheduler = try setUp(receiver, clock: clock)
        let id = try escalate(scheduler, clock: clock)
        _ = try scheduler.acknowledge(incidentID: id, by: "alice")
        let attempts = try #require(scheduler.deliverer).deliverDue()
        #expect(attempts.map(\.entry.notification.kind) == [.escalation, .acknowledge])
        #expect(try scheduler.store.outbox(incidentID: id).map(\.status) == [.failed, .sent])
        let failed = try #require(try scheduler.store.events(incidentID: id).first { $0.type == .notificationFailed })
        #expect(failed.payload["gave_up"] == true && failed.payload["will_retry"] == false)
        #expect(failed.payload["gave_up_reason"] == "the failure is permanent: not retried")
    }

    @Test func aClaimNeverExpiresWhileItsAttemptIsUnrecorded() throws {
        let receiver = try HTTPReceiver(statuses: ["202"])
        let clock = TestClock()
        let scheduler = try setUp(receiver, clock: clock)
        let id = try escalate(scheduler, clock: clock)
        let store = try #require(scheduler.store as? SQLiteTranscriptStore)
        #expect(try store.claimOutbox(now: clock.now(), limit: { _ in 10 }).count == 1)
        // However long the send takes, nobody else claims the row, and nothing is due meanwhile.
        clock.advance(by: 24 * 3600)
        #expect(try store.claimOutbox(now: clock.now(), limit: { _ in 10 }).isEmpty)
        #expect(try store.nextOutboxAttempt() == nil)
        #expect(try store.outbox(incidentID: id).map(\.status) == [.sending])
        // Only an escalator's take-over puts it back.
        _ = try store.acquireEscalatorLease(
            pid: 1, host: "test", at: clock.now(), staleAfter: 30, isAlive: { _ in false })
        #expect(try store.claimOutbox(now: clock.now(), limit: { _ in 10 }).count == 1)
    }

    @Test func retryAfterPutsTheNextAttemptNoSoonerAndItIsRecorded() throws {
        let receiver = try HTTPReceiver(statuses: ["429|Retry-After: 45", "202"])
        let clock = TestClock()
        let scheduler = try setUp(receiver, clock: clock)
        let id = try escalate(scheduler, clock: clock)
        let deliverer = try #require(scheduler.deliverer)
        let first = try #require(try deliverer.deliverDue().first)
        #expect(first.result == .retryable(error: #"HTTP 429: {"status":"error"}"#, retryAfter: 45))
        #expect(first.nextAttempt == clock.now().addingTimeInterval(45))
        clock.advance(by: 44)
        #expect(try deliverer.deliverDue().isEmpty)
        clock.advance(by: 1)
        #expect(try deliverer.deliverDue().first?.result.isSent == true)
        let failed = try #require(try scheduler.store.events(incidentID: id).first { $0.type == .notificationFailed })
        #expect(failed.payload["retry_after_s"]?.doubleValue == 45)
    }

    @Test func aRetryAfterBeyondTheGiveUpTimeGivesUpAndSaysWhy() throws {
        let receiver = try HTTPReceiver(statuses: ["503|Retry-After: 7200"])
        let clock = TestClock()
        let scheduler = try setUp(receiver, clock: clock)
        let id = try escalate(scheduler, clock: clock)
        let deliverer = try #require(scheduler.deliverer)
        let attempt = try #require(try deliverer.deliverDue().first)
        #expect(attempt.nextAttempt == nil)
        #expect(attempt.event.payload["will_retry"] == false && attempt.event.payload["gave_up"] == true)
        let reason = try #require(attempt.event.payload["gave_up_reason"]?.stringValue)
        #expect(reason.contains("give_up_after") && reason.contains("2 h"), "\(reason)")
        #expect(try scheduler.store.outbox(incidentID: id).map(\.status) == [.failed])
    }

    @Test func aRedirectIsNeverFollowedAndFailsNamingItsTarget() throws {
        let target = try HTTPReceiver(statuses: ["202"])
        let elsewhere = target.baseURL.appendingPathComponent("stolen").absoluteString
        let receiver = try HTTPReceiver(statuses: ["307|Location: \(elsewhere)"])
        let clock = TestClock()
        let scheduler = try setUp(receiver, clock: clock)
        let id = try escalate(scheduler, clock: clock)
        let deliverer = try #require(scheduler.deliverer)
        let attempt = try #require(try deliverer.deliverDue().first)
        #expect(attempt.result == .permanent(error: "HTTP 307 redirect to \(elsewhere) not followed"))
        let types = try scheduler.store.events(incidentID: id).map(\.type)
        #expect(types.contains(.notificationFailed) && !types.contains(.notificationSent))
        #expect(try receiver.requests().count == 1)
        #expect(try target.requests().isEmpty)
    }

    @Test func aHangingSlackWebhookNeverDelaysAPagerDutyPage() throws {
        let slackServer = try HTTPReceiver(statuses: ["hang"])
        let pagerDutyServer = try HTTPReceiver(statuses: ["202"])
        let store = try SQLiteTranscriptStore(path: path)
        let slack = SlackNotifier(channel: "slack", webhookURL: slackServer.baseURL, timeout: 5)
        let pagerDuty = PagerDutyNotifier(
            channel: "pagerduty", routingKey: "k", endpoint: pagerDutyServer.baseURL, source: "bastion", timeout: 5)
        let clock = TestClock()
        let deliverer = NotificationDeliverer(
            store: store, notifiers: [slack, pagerDuty], retry: RetryPolicy(jitter: 0), clock: clock,
            actor: "runbook@test")
        let scheduler = EscalationScheduler(
            store: store, clock: clock, wallClock: clock, channels: EscalationChannels(notifiers: [slack, pagerDuty]),
            actor: "runbook@test", deliverer: deliverer)
        deliverer.start()
        defer { deliverer.stop(timeout: 7) }
        let started = Date()
        _ = try escalate(scheduler, clock: clock)
        // Two incidents: the second's page must not wait for the first's hanging Slack post either.
        let (second, _) = try scheduler.declare(
            IncidentDeclaration(
                title: "DB down", runbook: "outage", environment: "production", severity: .p0, host: "bastion",
                user: "bob"), policy: EscalationFixtures.policy)
        clock.advance(by: 900)
        _ = try scheduler.fireDue(incidentID: second.id)
        var pages = 0
        while pages < 2 {
            pages = try pagerDutyServer.requests().count
            if pages < 2 {
                // Sequentially, the first page would wait for the whole 5 s Slack timeout.
                try #require(Date().timeIntervalSince(started) < 4, "the pages waited for the hanging Slack post")
                _ = poll(nil, 0, 20)
            }
        }
        #expect(try slackServer.requests().count >= 1)
    }
}

import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// The session wired to the escalation scheduler: real SQLite (in memory), a test clock, no sleeping.
@Suite struct IncidentSessionEscalationTests {
    let harness = SessionFixtures.Harness()

    var dependencies: SessionDependencies {
        var dependencies = harness.dependencies
        dependencies.escalation = EscalationScheduler(
            store: harness.store, clock: harness.clock, wallClock: harness.clock, actor: "runbook@test")
        return dependencies
    }

    func start(policy: EscalationPolicy? = EscalationFixtures.policy) throws -> IncidentSession {
        try IncidentSession.start(
            IncidentStart(
                runbookID: "outage", environment: "production", severity: .p0, host: "bastion", user: "alice",
                escalationPolicy: policy),
            dependencies: dependencies)
    }

    /// What the escalator does at the test clock's now, then what the session shows of it: one banner per event.
    func escalate(_ session: IncidentSession) throws -> [String] {
        _ = try dependencies.escalation!.fireDueAcrossIncidents(at: harness.clock.now())
        return try session.escalationUpdates().compactMap {
            EscalationBanner.text(
                for: $0, incidentID: session.incidentID, isDrill: false, timeZone: TimeZone(identifier: "UTC")!)
        }
    }

    func count(_ type: EventType, _ session: IncidentSession) throws -> Int {
        try harness.events(session).filter { $0.type == type }.count
    }

    @Test func declarationArmsTheResponseTimerAndItFiresOnceWhenDue() throws {
        let session = try start()
        #expect(session.escalationTimeRemaining() == 900)
        #expect(try session.escalationState()?.snapshot.rules.count == 4)

        harness.clock.advance(by: 899)
        #expect(try escalate(session).isEmpty)
        harness.clock.advance(by: 2)
        let banners = try escalate(session)
        #expect(banners.count == 1)
        #expect(banners.first?.contains("] ESCALATION: P0 incident #\(session.incidentID) unacknowledged") == true)
        #expect(banners.first?.hasSuffix(EscalationBanner.noChannels + "; type `ack` to acknowledge") == true)
        #expect(try escalate(session).isEmpty)
        #expect(try count(.escalationTriggered, session) == 1)
        // The repeat is armed a response time after the missed deadline.
        #expect(session.escalationTimeRemaining() == 899)
    }

    @Test func repeatsSayTheRealTimeSinceDeclarationAndTheEndIsNotMistakenForAnAck() throws {
        let session = try start()
        var banners: [String] = []
        while let remaining = session.escalationTimeRemaining() {
            #expect(!session.escalationIsExhausted())
            harness.clock.advance(by: remaining)
            banners += try escalate(session)
        }
        #expect(banners.count == 5, "\(banners)")
        #expect(banners[0].contains("unacknowledged for 15 minutes: escalating"), "\(banners[0])")
        #expect(banners[1].contains("unacknowledged for 30 minutes (repeat 1 of 3): escalating"), "\(banners[1])")
        #expect(banners[2].contains("unacknowledged for 45 minutes (repeat 2 of 3): escalating"), "\(banners[2])")
        #expect(banners[3].contains("unacknowledged for 1 hour (repeat 3 of 3): escalating"), "\(banners[3])")
        #expect(banners[4].contains("repeats exhausted after 4 escalations; nobody acknowledged"), "\(banners[4])")
        #expect(banners.allSatisfy { $0.hasSuffix("; type `ack` to acknowledge") }, "\(banners)")
        // Nothing is armed any more, yet nobody acknowledged: the prompt must not look acknowledged.
        #expect(session.escalationIsExhausted())
        try session.acknowledge(by: "bob")
        #expect(!session.escalationIsExhausted())
    }

    @Test func ackThroughTheSessionStopsEscalationAndIsFoldedIntoItsState() throws {
        let session = try start()
        harness.clock.advance(by: 901)
        _ = try escalate(session)
        try session.acknowledge(by: "bob")
        #expect(session.acknowledgements == ["bob"])
        #expect(session.incident.acknowledgedAt != nil)
        #expect(session.escalationTimeRemaining() == nil)
        harness.clock.advance(by: 5000)
        #expect(try escalate(session).isEmpty)
        #expect(try count(.escalationTriggered, session) == 1)
        #expect(try count(.ackReceived, session) == 1)
    }

    @Test func severityChangeReschedulesAndResolveCancelsEveryTimer() throws {
        let session = try start()
        harness.clock.advance(by: 100)
        try session.changeSeverity(to: .p1, reason: "partial")
        #expect(session.severity == .p1)
        #expect(session.escalationTimeRemaining() == 1800)
        #expect(try count(.severityChanged, session) == 1)
        // Setting the same severity again records nothing.
        try session.changeSeverity(to: .p1)
        #expect(try count(.severityChanged, session) == 1)

        try session.resolve(summary: "fixed")
        #expect(session.isResolved)
        #expect(session.incident.resolvedAt != nil)
        #expect(try harness.store.timers(incidentID: session.incidentID).allSatisfy { $0.status != .pending })
        let resolved = try #require(try harness.events(session).last)
        #expect(resolved.type == .incidentResolved)
        #expect(resolved.payload["summary"] == "fixed")
    }

    @Test func escalationsRecordedElsewhereAreFoldedIntoTheSessionOnce() throws {
        let session = try start()
        harness.clock.advance(by: 901)
        #expect(try escalate(session).count == 1)
        // Another terminal acknowledges: the session hears of it, and its countdown stops.
        _ = try dependencies.escalation!.acknowledge(incidentID: session.incidentID, by: "carol")
        let banners = try escalate(session)
        #expect(banners.count == 1)
        #expect(banners.first?.hasSuffix("acknowledged by carol: escalation stopped") == true)
        #expect(session.acknowledgements == ["carol"])
        #expect(session.escalationTimeRemaining() == nil)
        // Its own acknowledgement is not shown back to it.
        try session.acknowledge(by: "dave")
        #expect(try escalate(session).isEmpty)
    }

    @Test func resumeFiresAnOverdueTimerOnceWithItsLateness() throws {
        let session = try start()
        try session.suspend(reason: "quit")
        harness.clock.advance(by: 1000)
        let resumed = try IncidentSession.resume(incidentID: session.incidentID, dependencies: dependencies)
        #expect(try escalate(resumed).count == 1)
        #expect(try escalate(resumed).isEmpty)
        let escalation = try #require(try harness.events(resumed).last { $0.type == .escalationTriggered })
        #expect(escalation.payload["late_by_ms"]?.intValue == 100_000)
    }

    @Test func withoutAPolicyNothingIsArmedButAcksAreRecorded() throws {
        let session = try start(policy: nil)
        #expect(session.escalationTimeRemaining() == nil)
        harness.clock.advance(by: 100_000)
        #expect(try escalate(session).isEmpty)
        try session.acknowledge()
        #expect(session.acknowledgements == ["alice@bastion"])
    }
}

import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit

@Suite struct EscalationEngineTests {
    let engine = EscalationEngine(calendar: BusinessCalendar(timeZone: TimeZone(identifier: "UTC")!))

    /// Declares, and returns the state with the armed timer.
    func declared(_ severity: Severity, clock: TestClock, repeatLimit: Int = 3, isDrill: Bool = false)
        -> EscalationState
    {
        engine.declare(
            EscalationFixtures.state(severity, at: clock.now(), repeatLimit: repeatLimit, isDrill: isDrill)
        ).state
    }

    /// Fires whatever is due at the clock's time.
    func fireDue(_ state: EscalationState, clock: TestClock) throws -> EscalationOutcome {
        let timer = try #require(engine.due(state, at: clock.now()))
        return try #require(engine.fire(state, generation: timer.generation, at: clock.now()))
    }

    @Test func responseTimerStartsAtDeclaration() throws {
        let clock = TestClock()
        let start = clock.now()
        let outcome = engine.declare(EscalationFixtures.state(.p0, at: start))
        let timer = try #require(outcome.state.pendingTimer)
        #expect(timer.deadline == start.addingTimeInterval(900))
        #expect(timer.kind == .response && timer.repeat == 0 && timer.generation == 1)
        #expect(outcome.timerWrites == [.arm(timer)])
        #expect(outcome.events.isEmpty)
    }

    @Test func nothingIsDueBeforeTheDeadline() {
        let clock = TestClock()
        let state = declared(.p0, clock: clock)
        clock.advance(by: 899)
        #expect(engine.due(state, at: clock.now()) == nil)
        #expect(engine.fire(state, generation: 1, at: clock.now()) == nil)
    }

    @Test func unacknowledgedAtTheDeadlineEscalatesToTargetsResolvedThroughContacts() throws {
        let clock = TestClock()
        let state = declared(.p0, clock: clock)
        clock.advance(by: 900)
        let outcome = try fireDue(state, clock: clock)
        let event = try #require(outcome.events.first)
        #expect(event.type == .escalationTriggered)
        #expect(event.payload["reason"] == "response_timeout")
        #expect(event.payload["repeat"] == 0)
        #expect(event.payload["late_by_ms"] == 0)
        #expect(event.payload["unresolved"] == ["CTO"])
        #expect(
            event.payload["targets"]
                == [
                    ["name": "CTO", "resolved": false],
                    [
                        "name": "On-call", "role": "On-Call Engineer", "contact": "alerts@candlefish.ai",
                        "availability": "24/7", "resolved": true,
                    ],
                ])
        let notification = try #require(outcome.notifications.first)
        #expect(notification.kind == .escalation)
        #expect(
            notification.message
                == "P0 incident #42 \"Site down\" unacknowledged for 15 minutes: escalating to "
                + "CTO (not in the contacts table), On-Call Engineer <alerts@candlefish.ai>")
        #expect(outcome.timerWrites.first == .close(generation: 1, status: .fired))
        let next = try #require(outcome.state.pendingTimer)
        #expect(next.kind == .repeat && next.repeat == 1 && next.generation == 2)
        #expect(next.deadline == state.declaredAt.addingTimeInterval(1800))
    }

    @Test func repeatsEveryResponseIntervalUpToTheLimitThenFinishes() throws {
        let clock = TestClock()
        let start = clock.now()
        var state = declared(.p1, clock: clock, repeatLimit: 3)
        var fired: [Date] = []
        var types: [EventType] = []
        while let deadline = state.nextDeadline {
            clock.set(deadline)
            let outcome = try fireDue(state, clock: clock)
            fired.append(deadline)
            types += outcome.events.map(\.type)
            state = outcome.state
        }
        #expect(fired == [1, 2, 3, 4].map { start.addingTimeInterval(Double($0) * 1800) })
        #expect(
            types == [
                .escalationTriggered, .escalationTriggered, .escalationTriggered, .escalationTriggered,
                .escalationFinished,
            ])
        #expect(state.escalationCount == 4 && state.isFinished)
        #expect(state.pendingTimer == nil)
    }

    @Test func aRepeatSaysTheRealTimeSinceDeclarationNotTheResponseWindow() throws {
        let clock = TestClock()
        var state = declared(.p0, clock: clock)
        clock.advance(by: 900)
        state = try fireDue(state, clock: clock).state
        clock.advance(by: 900.004)
        let outcome = try fireDue(state, clock: clock)
        #expect(outcome.events.first?.payload["unacknowledged_ms"] == 1_800_004)
        let message = try #require(outcome.notifications.first?.message)
        #expect(message.contains("unacknowledged for 30 minutes (repeat 1 of 3): escalating"), "\(message)")
    }

    @Test func elapsedWordsRoundToTheMinuteAndNameHoursAndDays() {
        #expect(ElapsedWords.text(45) == "45 seconds")
        #expect(ElapsedWords.text(60) == "1 minute")
        #expect(ElapsedWords.text(1800.4) == "30 minutes")
        #expect(ElapsedWords.text(3600) == "1 hour")
        #expect(ElapsedWords.text(3900) == "1 hour 5 minutes")
        #expect(ElapsedWords.text(2 * 86400 + 3 * 3600) == "2 days 3 hours")
    }

    @Test func repeatLimitDefaultsToThreeAndIsCappedAtNine() {
        #expect(EscalationSnapshot(rules: []).repeatLimit == 3)
        #expect(EscalationSnapshot(rules: [], repeatLimit: 40).repeatLimit == 9)
        #expect(EscalationSnapshot(rules: [], repeatLimit: -1).repeatLimit == 0)
    }

    @Test func zeroRepeatsFinishesAfterTheFirstEscalation() throws {
        let clock = TestClock()
        let state = declared(.p0, clock: clock, repeatLimit: 0)
        clock.advance(by: 900)
        let outcome = try fireDue(state, clock: clock)
        #expect(outcome.events.map(\.type) == [.escalationTriggered, .escalationFinished])
        #expect(outcome.events.last?.payload["escalations"] == 1)
    }

    @Test func acknowledgementStopsEscalation() throws {
        let clock = TestClock()
        let state = declared(.p0, clock: clock)
        clock.advance(by: 300)
        let outcome = engine.acknowledge(state, by: "alice", at: clock.now())
        #expect(outcome.events.map(\.type) == [.ackReceived])
        #expect(outcome.events.first?.payload["by"] == "alice")
        #expect(outcome.timerWrites == [.close(generation: 1, status: .cancelled)])
        // Nobody was paged yet, so no channel needs to hear about the ack.
        #expect(outcome.notifications.isEmpty)
        clock.advance(by: 3600)
        #expect(engine.due(outcome.state, at: clock.now()) == nil)
        // The old timer firing anyway (another process, a late wake-up) is stale.
        #expect(engine.fire(outcome.state, generation: 1, at: clock.now()) == nil)
    }

    @Test func acknowledgementAfterAnEscalationTellsTheChannels() throws {
        let clock = TestClock()
        var state = declared(.p0, clock: clock)
        clock.advance(by: 900)
        state = try fireDue(state, clock: clock).state
        let outcome = engine.acknowledge(state, by: "alice", at: clock.now())
        #expect(outcome.notifications.map(\.kind) == [.acknowledge])
        #expect(outcome.notifications.first?.actor == "alice")
        #expect(outcome.timerWrites == [.close(generation: 2, status: .cancelled)])
    }

    @Test func resolveCancelsEveryTimer() throws {
        let clock = TestClock()
        var state = declared(.p0, clock: clock)
        clock.advance(by: 900)
        state = try fireDue(state, clock: clock).state
        let outcome = engine.resolve(state, by: "alice", at: clock.now(), payload: ["summary": "rolled back"])
        #expect(outcome.events.map(\.type) == [.incidentResolved])
        #expect(outcome.events.first?.payload["summary"] == "rolled back")
        #expect(outcome.timerWrites == [.close(generation: 2, status: .cancelled)])
        #expect(outcome.notifications.map(\.kind) == [.resolve])
        #expect(outcome.state.pendingTimer == nil)
        #expect(engine.fire(outcome.state, generation: 2, at: clock.now().addingTimeInterval(99_999)) == nil)
    }

    @Test func upgradeWhileUnacknowledgedTakesTheSoonerDeadline() throws {
        let clock = TestClock()
        let start = clock.now()
        // P2 (2 hours) upgraded to P0 (15 minutes) after 10 minutes: now + 15 minutes is sooner.
        var state = declared(.p2, clock: clock)
        clock.advance(by: 600)
        var outcome = engine.changeSeverity(state, to: .p0, reason: "all regions down", at: clock.now())
        #expect(outcome.state.nextDeadline == start.addingTimeInterval(1500))
        #expect(outcome.state.pendingTimer?.generation == 2)
        #expect(outcome.timerWrites.first == .close(generation: 1, status: .superseded))
        // P1 (30 minutes) upgraded to P0 after 20 minutes: the current deadline (30) is sooner than 20 + 15.
        state = declared(.p1, clock: TestClock(start))
        outcome = engine.changeSeverity(state, to: .p0, reason: "spreading", at: start.addingTimeInterval(1200))
        #expect(outcome.state.nextDeadline == start.addingTimeInterval(1800))
        let changed = try #require(outcome.events.first)
        #expect(changed.type == .severityChanged)
        #expect(
            changed.payload["from"] == "P1" && changed.payload["to"] == "P0" && changed.payload["reason"] == "spreading"
        )
    }

    @Test func upgradePagesTheNewTargetsAtOnce() throws {
        let clock = TestClock()
        let state = declared(.p1, clock: clock)
        clock.advance(by: 60)
        let outcome = engine.changeSeverity(state, to: .p0, reason: "worse", at: clock.now())
        #expect(outcome.events.map(\.type) == [.severityChanged, .escalationTriggered])
        let page = outcome.events[1]
        #expect(page.payload["reason"] == "severity_upgrade")
        #expect(outcome.notifications.map(\.kind) == [.severityUpgrade])
        #expect(outcome.notifications.first?.targets.map(\.name) == ["CTO", "On-call"])
        #expect(outcome.state.paged.map(\.name) == ["CTO", "On-call"])
    }

    @Test func upgradePagesEveryoneTheNewRowNamesInMatrixOrderEvenIfPagedBefore() throws {
        let clock = TestClock()
        var state = declared(.p2, clock: clock)
        clock.advance(by: 7200)
        state = try fireDue(state, clock: clock).state  // pages the On-call Engineer
        let outcome = engine.changeSeverity(state, to: .p0, reason: "worse", at: clock.now())
        // The On-Call Engineer was paged at P2, and hears again that it is now a P0: the whole row, in its order.
        #expect(outcome.notifications.first?.targets.map(\.name) == ["CTO", "On-call"])
        #expect(outcome.state.paged.count == 2)
    }

    @Test func downgradeSetsNowPlusTheNewResponseTimeAndPagesNobody() throws {
        let clock = TestClock()
        let state = declared(.p0, clock: clock)
        clock.advance(by: 300)
        let outcome = engine.changeSeverity(state, to: .p2, reason: "contained", at: clock.now())
        #expect(outcome.state.nextDeadline == clock.now().addingTimeInterval(7200))
        #expect(outcome.notifications.isEmpty)
        #expect(outcome.events.map(\.type) == [.severityChanged])
    }

    @Test func nobodyIsUnpagedByADowngrade() throws {
        let clock = TestClock()
        var state = declared(.p0, clock: clock)
        clock.advance(by: 900)
        state = try fireDue(state, clock: clock).state
        state = engine.changeSeverity(state, to: .p1, reason: "partial", at: clock.now()).state
        clock.advance(by: 1800)
        let outcome = try fireDue(state, clock: clock)
        #expect(outcome.notifications.first?.targets.map(\.name) == ["DevOps Lead", "CTO", "On-call"])
    }

    @Test func aStaleGenerationIsDropped() throws {
        let clock = TestClock()
        let state = declared(.p0, clock: clock)
        let changed = engine.changeSeverity(state, to: .p1, reason: "less", at: clock.now()).state
        clock.advance(by: 3600)
        #expect(engine.fire(changed, generation: 1, at: clock.now()) == nil)
        #expect(engine.fire(changed, generation: 2, at: clock.now()) != nil)
    }

    @Test func severityChangeAfterAcknowledgementDoesNotRearm() {
        let clock = TestClock()
        let state = engine.acknowledge(declared(.p2, clock: clock), by: "bob", at: clock.now()).state
        let outcome = engine.changeSeverity(state, to: .p0, reason: "worse", at: clock.now())
        #expect(outcome.timerWrites.isEmpty && outcome.notifications.isEmpty)
        #expect(outcome.state.severity == .p0)
        #expect(outcome.events.map(\.type) == [.severityChanged])
    }

    @Test func businessDayResponseTimeUsesTheCalendar() throws {
        // Thursday 2026-01-01 00:00 UTC is outside hours: P3 counts from 09:00 to 17:00 that day.
        let clock = TestClock()
        let state = declared(.p3, clock: clock)
        #expect(state.nextDeadline == clock.now().addingTimeInterval(17 * 3600))
    }

    @Test func anOverdueTimerFiresOnceWithLateByAndTheNextRepeatCountsFromNow() throws {
        let clock = TestClock()
        let state = declared(.p0, clock: clock)
        clock.advance(by: 900 + 3 * 3600)
        let outcome = try fireDue(state, clock: clock)
        #expect(outcome.events.first?.payload["late_by_ms"] == 10_800_000)
        #expect(outcome.state.nextDeadline == clock.now().addingTimeInterval(900))
        #expect(engine.due(outcome.state, at: clock.now()) == nil)
    }

    @Test func drillsPrefixEveryMessage() throws {
        let clock = TestClock()
        var state = declared(.p0, clock: clock, isDrill: true)
        clock.advance(by: 900)
        let escalation = try fireDue(state, clock: clock)
        state = escalation.state
        let ack = engine.acknowledge(state, by: "alice", at: clock.now())
        let resolved = engine.resolve(ack.state, by: "alice", at: clock.now())
        let messages = (escalation.notifications + ack.notifications + resolved.notifications).map(\.message)
        #expect(messages.count == 3)
        #expect(messages.allSatisfy { $0.hasPrefix("[DRILL] ") })
    }

    @Test func targetsResolveThroughTheContactsTable() {
        let contacts = EscalationFixtures.policy.contacts
        #expect(EscalationTarget.resolve("On-call", contacts: contacts).contact == "alerts@candlefish.ai")
        #expect(EscalationTarget.resolve("on-call engineer", contacts: contacts).role == "On-Call Engineer")
        #expect(EscalationTarget.resolve("DevOps Lead", contacts: contacts).contact == "devops@candlefish.ai")
        #expect(!EscalationTarget.resolve("CTO", contacts: contacts).isResolved)
        #expect(!EscalationTarget.resolve("Team Lead", contacts: contacts).isResolved)
    }

    @Test func theSnapshotSurvivesItsJSONForm() throws {
        let snapshot = EscalationSnapshot(policy: EscalationFixtures.policy, repeatLimit: 5)
        let decoded = try #require(EscalationSnapshot(json: snapshot.json))
        #expect(decoded == snapshot)
    }
}

import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit

/// The scheduler on real SQLite files, with injected clocks (no sleeping for timers).
@Suite struct EscalationSchedulerTests {
    let directory: URL
    let path: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("escalation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("runbook.sqlite3").path
    }

    /// A scheduler on a fresh connection to the test's file, as a new process would open it.
    func scheduler(
        clock: any RunbookKit.Clock, wallClock: any RunbookKit.Clock, channels: [String] = ["pagerduty"],
        repeatLimit: Int = 3
    ) throws -> EscalationScheduler {
        EscalationScheduler(
            store: try SQLiteTranscriptStore(path: path), clock: clock, wallClock: wallClock,
            channels: EscalationChannels { _ in channels }, repeatLimit: repeatLimit, actor: "runbook@test")
    }

    func declaration(_ severity: Severity = .p0, drill: Bool = false) -> IncidentDeclaration {
        IncidentDeclaration(
            title: "Site down", runbook: "outage", environment: "production", severity: severity, isDrill: drill,
            host: "bastion", user: "alice")
    }

    @Test func theMigrationIsAppliedAfterTheStoreSchema() throws {
        let store = try SQLiteTranscriptStore(path: path)
        let names = try store.appliedMigrationNames()
        let escalation = try #require(names.firstIndex(of: "v2-escalation-timers-outbox"))
        #expect(escalation > names.firstIndex(of: "v1-incidents-events-outputs")!)
    }

    @Test func declarationArmsTheResponseTimerWithTheSnapshot() throws {
        let clock = TestClock()
        let scheduler = try scheduler(clock: clock, wallClock: clock)
        let (incident, report) = try scheduler.declare(declaration(), policy: EscalationFixtures.policy)
        let timers = try scheduler.store.timers(incidentID: incident.id)
        #expect(timers.count == 1)
        #expect(timers.first?.deadline == clock.now().addingTimeInterval(900))
        #expect(timers.first?.status == .pending && timers.first?.generation == 1)
        #expect(report.state.nextDeadline == clock.now().addingTimeInterval(900))
        let stored = try #require(try scheduler.store.incident(incident.id)?.policySnapshot)
        #expect(EscalationSnapshot(json: stored) == EscalationSnapshot(policy: EscalationFixtures.policy))
    }

    @Test func aTimerFiresOnceWithItsEventsAndOutboxRowsInOneTransaction() throws {
        let clock = TestClock()
        let scheduler = try scheduler(clock: clock, wallClock: clock, channels: ["pagerduty", "slack"])
        let (incident, _) = try scheduler.declare(declaration(), policy: EscalationFixtures.policy)
        clock.advance(by: 899)
        #expect(try scheduler.fireDue().isEmpty)
        clock.advance(by: 1)
        let reports = try scheduler.fireDue()
        #expect(reports.count == 1)
        #expect(reports.first?.events.map(\.type) == [.escalationTriggered])
        let banner = try #require(reports.first?.events.first).flatMap {
            EscalationBanner.text(for: $0, incidentID: incident.id, isDrill: false)
        }
        #expect(banner?.contains("ESCALATION: P0 incident #\(incident.id)") == true)
        #expect(banner?.hasSuffix("queued for pagerduty, slack; type `ack` to acknowledge") == true)
        let outbox = try scheduler.store.outbox(incidentID: incident.id)
        #expect(outbox.map(\.channel) == ["pagerduty", "slack"])
        #expect(outbox.allSatisfy { $0.status == .pending && $0.attempts == 0 && $0.notification.kind == .escalation })
        #expect(try scheduler.fireDue().isEmpty)
        let timers = try scheduler.store.timers(incidentID: incident.id)
        #expect(timers.map(\.status) == [.fired, .pending])
        #expect(timers.last?.deadline == timers.first?.deadline.addingTimeInterval(900))
    }

    @Test func killedBeforeTheDeadlineAndResumedAfterItFiresOnceWithLateBy() throws {
        let clock = TestClock()
        var first: EscalationScheduler? = try scheduler(clock: clock, wallClock: clock)
        let (incident, _) = try first!.declare(declaration(), policy: EscalationFixtures.policy)
        clock.advance(by: 600)
        #expect(try first!.fireDue().isEmpty)
        first = nil  // the process dies 10 minutes in; nothing fired
        clock.advance(by: 3 * 3600)  // resumed 3 h 10 min after declaration
        let resumed = try scheduler(clock: clock, wallClock: clock)
        let reports = try resumed.fireDue()
        #expect(reports.count == 1)
        let event = try #require(reports.first?.events.first)
        #expect(event.type == .escalationTriggered)
        #expect(event.payload["late_by_ms"] == .int((3 * 3600 + 600 - 900) * 1000))
        #expect(event.payload["repeat"] == 0)
        // Never twice: neither again in this process nor in another one on the same file.
        #expect(try resumed.fireDue().isEmpty)
        #expect(try scheduler(clock: clock, wallClock: clock).fireDue().isEmpty)
        let escalations = try resumed.store.events(incidentID: incident.id).filter { $0.type == .escalationTriggered }
        #expect(escalations.count == 1)
        // The next repeat counts from now, not from the missed deadline.
        #expect(try resumed.nextDeadline() == clock.now().addingTimeInterval(900))
    }

    // The racers wait on each other's SQLite lock: on threads of their own, not the cooperative pool's.
    @Test(.ownThreads) func twoProcessesRacingForOneTimerRecordOneEscalation() async throws {
        let clock = TestClock()
        let setup = try scheduler(clock: clock, wallClock: clock)
        let (incident, _) = try setup.declare(declaration(), policy: EscalationFixtures.policy)
        clock.advance(by: 901)
        let racers = try (0..<4).map { _ in try scheduler(clock: clock, wallClock: clock) }
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for racer in racers { group.addTask { try racer.fireDue().count } }
            return try await group.reduce(0, +)
        }
        #expect(counts == 1)
        let escalations = try setup.store.events(incidentID: incident.id).filter { $0.type == .escalationTriggered }
        #expect(escalations.count == 1)
    }

    @Test func repeatsThenFinishesAndStaysOpen() throws {
        let clock = TestClock()
        let scheduler = try scheduler(clock: clock, wallClock: clock, repeatLimit: 2)
        let (incident, _) = try scheduler.declare(declaration(.p1), policy: EscalationFixtures.policy)
        var fired = 0
        while let deadline = try scheduler.nextDeadline() {
            clock.set(deadline)
            fired += try scheduler.fireDue().count
        }
        #expect(fired == 3)
        let types = try scheduler.store.events(incidentID: incident.id).map(\.type)
        #expect(
            types == [
                .incidentDeclared, .escalationTriggered, .escalationTriggered, .escalationTriggered,
                .escalationFinished,
            ])
        #expect(try scheduler.store.incident(incident.id)?.status == .open)
        let state = try #require(try scheduler.state(incidentID: incident.id))
        #expect(state.isFinished && state.escalationCount == 3)
    }

    @Test func acknowledgementStopsEscalationAndQueuesTheAcknowledge() throws {
        let clock = TestClock()
        let scheduler = try scheduler(clock: clock, wallClock: clock)
        let (incident, _) = try scheduler.declare(declaration(), policy: EscalationFixtures.policy)
        clock.advance(by: 900)
        _ = try scheduler.fireDue()
        clock.advance(by: 60)
        let report = try scheduler.acknowledge(incidentID: incident.id, by: "alice")
        #expect(report.events.map(\.type) == [.ackReceived])
        #expect(try scheduler.store.incident(incident.id)?.acknowledgedAt != nil)
        #expect(try scheduler.store.timers(incidentID: incident.id).map(\.status) == [.fired, .cancelled])
        #expect(
            try scheduler.store.outbox(incidentID: incident.id).map(\.notification.kind) == [.escalation, .acknowledge])
        clock.advance(by: 86_400)
        #expect(try scheduler.fireDue().isEmpty)
        // A fresh process sees the acknowledgement too.
        #expect(
            try self.scheduler(clock: clock, wallClock: clock).state(incidentID: incident.id)?.acknowledgedBy == "alice"
        )
    }

    @Test func severityUpgradeIsPersistedAndPagesAtOnce() throws {
        let clock = TestClock()
        let scheduler = try scheduler(clock: clock, wallClock: clock)
        let (incident, _) = try scheduler.declare(declaration(.p2), policy: EscalationFixtures.policy)
        clock.advance(by: 600)
        let report = try scheduler.changeSeverity(incidentID: incident.id, to: .p0, reason: "all regions down")
        #expect(report.events.map(\.type) == [.severityChanged, .escalationTriggered])
        #expect(try scheduler.store.incident(incident.id)?.severity == .p0)
        #expect(try scheduler.nextDeadline(incidentID: incident.id) == clock.now().addingTimeInterval(900))
        #expect(try scheduler.store.timers(incidentID: incident.id).map(\.status) == [.superseded, .pending])
        #expect(try scheduler.store.outbox(incidentID: incident.id).map(\.notification.kind) == [.severityUpgrade])
        // The superseded generation never fires, even long after its deadline.
        clock.advance(by: 890)
        #expect(try scheduler.fireDue().isEmpty)
    }

    @Test func resolveCancelsEveryTimerAndRefusesASecondResolve() throws {
        let clock = TestClock()
        let scheduler = try scheduler(clock: clock, wallClock: clock)
        let (incident, _) = try scheduler.declare(declaration(), policy: EscalationFixtures.policy)
        _ = try scheduler.resolve(incidentID: incident.id, by: "alice", payload: ["summary": "fixed"])
        #expect(try scheduler.store.incident(incident.id)?.status == .resolved)
        #expect(try scheduler.store.pendingTimers(dueBy: nil, incidentID: incident.id).isEmpty)
        #expect(throws: EscalationError.alreadyResolved(incidentID: incident.id)) {
            try scheduler.acknowledge(incidentID: incident.id, by: "bob")
        }
    }

    @Test func aDrillClockAt60xEscalatesAFifteenMinuteP0AfterFifteenRealSeconds() throws {
        let real = TestClock()
        let drill = ScaledClock(speed: 60, origin: real.now(), base: real)
        let scheduler = try scheduler(clock: drill, wallClock: real)
        let (incident, _) = try scheduler.declare(declaration(drill: true), policy: EscalationFixtures.policy)
        #expect(try scheduler.secondsUntilNextDeadline() == 15)
        real.advance(by: 14.9)
        #expect(try scheduler.fireDue().isEmpty)
        real.advance(by: 0.1)
        let report = try #require(try scheduler.fireDue().first)
        let event = try #require(report.events.first)
        #expect(event.timestamp == real.now())
        #expect(event.payload["drill_time"] == .string(EscalationNotification.iso8601(drill.now())))
        #expect(
            EscalationBanner.text(for: event, incidentID: incident.id, isDrill: true)?.contains(
                "] [DRILL] ESCALATION: ") == true)
        let queued = try #require(try scheduler.store.outbox(incidentID: incident.id).first)
        #expect(queued.notification.message.hasPrefix("[DRILL] "))
    }
}

import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit

/// The escalator's rules on real SQLite files with an injected clock: one holder per store, fencing, incident
/// clocks, and a clock that jumps (a laptop that slept).
@Suite struct EscalatorTests {
    let path: String
    let clock = TestClock()

    init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("escalator-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("runbook.sqlite3").path
    }

    func escalator(pid: Int32 = 100) throws -> Escalator {
        let store = try SQLiteTranscriptStore(path: path)
        let scheduler = EscalationScheduler(
            store: store, clock: clock, wallClock: clock, channels: EscalationChannels { _ in ["pagerduty"] },
            actor: "escalator@test")
        return Escalator(store: store, scheduler: scheduler, clock: clock, log: { _ in })
    }

    func declare(drill: DrillSetup? = nil) throws -> Int64 {
        let store = try SQLiteTranscriptStore(path: path)
        let drillClock = drill.map { $0.clock as any RunbookKit.Clock }
        let scheduler = EscalationScheduler(
            store: store, clock: drillClock ?? clock, wallClock: drillClock ?? clock, actor: "runbook@test")
        return try scheduler.declare(
            IncidentDeclaration(
                title: "Site down", runbook: "outage", environment: "staging", severity: .p0, isDrill: drill != nil,
                host: "bastion", user: "alice", drillSetup: drill?.payload),
            policy: EscalationFixtures.policy
        ).0.id
    }

    @Test func oneEscalatorPerStoreAndAStaleOneIsTakenOverAndFenced() throws {
        let first = try escalator(pid: 100)
        let second = try escalator(pid: 200)
        #expect(try first.acquire(pid: 100, host: "h", isAlive: { _ in true }))
        #expect(try !second.acquire(pid: 200, host: "h", isAlive: { _ in true }))
        // The first holder's process died: its lease is taken over at once, with a new token.
        #expect(try second.acquire(pid: 200, host: "h", isAlive: { $0 != 100 }))
        #expect(second.token == (first.token ?? 0) + 1)
        // The old holder can never commit again: heartbeat refused, any write fenced.
        #expect(throws: TranscriptError.self) {
            try first.store.heartbeatEscalatorLease(token: first.token!, at: clock.now())
        }
        _ = try declare()
        clock.advance(by: 901)
        #expect(throws: TranscriptError.self) { try first.pass(at: clock.now()) }
        #expect(try second.pass(at: clock.now()).count == 1)
    }

    @Test func aLeaseWithoutAHeartbeatForFiveSecondsIsStaleOnAnyHost() throws {
        let first = try escalator()
        #expect(try first.acquire(pid: 100, host: "elsewhere", isAlive: { _ in true }))
        clock.advance(by: 4)
        #expect(try !escalator().acquire(pid: 200, host: "here", isAlive: { _ in true }))
        clock.advance(by: 2)
        #expect(try escalator().acquire(pid: 200, host: "here", isAlive: { _ in true }))
    }

    @Test func aClockJumpFiresWhatIsDueOnceWithItsLateness() throws {
        let escalator = try escalator()
        #expect(try escalator.acquire(pid: 100, host: "h", isAlive: { _ in true }))
        let id = try declare()
        // The laptop slept through the deadline and woke ten minutes later.
        clock.advance(by: 900 + 600)
        let reports = try escalator.pass(at: clock.now())
        #expect(reports.count == 1)
        let event = try #require(reports.first?.events.first { $0.type == .escalationTriggered })
        #expect(event.payload["late_by_ms"] == 600_000)
        #expect(try escalator.pass(at: clock.now()).isEmpty)
        // The repeat keeps the matrix cadence (15 minutes after the missed deadline), and fires once too.
        let pending = try #require(try escalator.store.pendingTimers(dueBy: nil, incidentID: id).first)
        #expect(pending.deadline == clock.now().addingTimeInterval(1800 - 1500))
        clock.advance(by: 3600)
        #expect(try escalator.pass(at: clock.now()).count == 1)
    }

    @Test func aDrillsTimersFireOnItsOwnClockStampedOnIt() throws {
        let escalator = try escalator()
        #expect(try escalator.acquire(pid: 100, host: "h", isAlive: { _ in true }))
        let realStart = Date()
        let setup = DrillSetup(speed: 600, clockOrigin: realStart)
        let drill = try declare(drill: setup)
        // P0 is 15 minutes of drill time: 1.5 s of real time at 600×, mapped to the wall clock when armed.
        let timer = try #require(try escalator.store.pendingTimers(dueBy: nil, incidentID: drill).first)
        let due = try #require(timer.dueReal)
        #expect(abs(due.timeIntervalSince(realStart) - 1.5) < 0.1)
        #expect(try escalator.pass(at: due.addingTimeInterval(-0.01)).isEmpty)
        let reports = try escalator.pass(at: due)
        #expect(reports.map(\.incidentID) == [drill])
        let event = try #require(reports.first?.events.first)
        // Stamped on the drill clock, like the drill's other events (a real millisecond is 0.6 s there).
        #expect(abs(event.timestamp.timeIntervalSince(timer.deadline)) < 1)
        #expect((event.payload["late_by_ms"]?.intValue ?? 99) <= 1)
        #expect(event.payload["drill_time"] != nil)
        // Its notification carries the real time.
        let queued = try #require(try escalator.store.outbox(incidentID: drill).first)
        #expect(abs(queued.notification.occurredAt.timeIntervalSince(clock.now())) < 0.01)
    }

    @Test func anIdleEscalatorExitsAndGivesTheLeaseUp() throws {
        let store = try SQLiteTranscriptStore(path: path)
        let scheduler = EscalationScheduler(store: store, actor: "escalator@test")
        var options = Escalator.Options(idleExit: 0.01)
        options.heartbeatInterval = 0
        let escalator = Escalator(store: store, scheduler: scheduler, options: options, log: { _ in })
        #expect(try escalator.acquire())
        #expect(try escalator.run() == .idle)
        #expect(try store.escalatorLease()?.releasedAt != nil)
    }
}

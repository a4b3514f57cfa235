import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// Injects fire on the drill clock, once each, in order.
@Suite struct InjectSchedulerTests {
    let injects = [
        DrillInject(at: 120, message: "two minutes"), DrillInject(at: 0, message: "at once"),
        DrillInject(at: 300, message: "five minutes"),
    ]

    @Test func injectsFireWhenTheDrillClockReachesThemAndOnlyOnce() {
        let clock = TestClock()
        let scheduler = InjectScheduler(injects: injects, start: clock.now(), clock: clock)
        #expect(scheduler.due().map(\.message) == ["at once"])
        #expect(scheduler.due().isEmpty)
        clock.advance(by: 119)
        #expect(scheduler.due().isEmpty)
        clock.advance(by: 1)
        #expect(scheduler.due().map(\.message) == ["two minutes"])
        clock.advance(by: 1000)
        #expect(scheduler.due().map(\.message) == ["five minutes"])
        #expect(scheduler.pending.isEmpty)
    }

    @Test func atSpeedSixtyATwoMinuteInjectFiresAfterTwoRealSeconds() {
        let real = TestClock()
        let drill = ScaledClock(speed: 60, base: real)
        let scheduler = InjectScheduler(injects: injects, start: drill.now(), clock: drill)
        _ = scheduler.due()
        real.advance(by: 1.9)
        #expect(scheduler.due().isEmpty)
        #expect(abs(scheduler.drillTime - 114) < 0.001)
        real.advance(by: 0.1)
        #expect(scheduler.due().map(\.message) == ["two minutes"])
        #expect(abs(scheduler.drillTime - 120) < 0.001)
    }

    @Test func severalDueAtOnceComeOldestFirst() {
        let clock = TestClock()
        let scheduler = InjectScheduler(injects: injects, start: clock.now(), clock: clock)
        clock.advance(by: 600)
        #expect(scheduler.due().map(\.at) == [0, 120, 300])
    }
}

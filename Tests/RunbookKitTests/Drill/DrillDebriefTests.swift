import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// The debrief comes from the recorded events alone, in drill time.
@Suite struct DrillDebriefTests {
    /// An abandoned P0 drill declared at a fixed instant, and a maker of its events `at` seconds after it.
    static func abandonedP0Drill() -> (
        Incident, (_ seq: Int64, _ at: TimeInterval, _ type: EventType, _ payload: JSONValue) -> RecordedEvent
    ) {
        let declared = Date(timeIntervalSince1970: 1_767_225_600)
        let incident = Incident(
            id: 7, title: "Drill", runbook: "triage", environment: "staging", severity: .p0, status: .abandoned,
            isDrill: true, declaredAt: declared, host: "h", user: "u", policySnapshot: snapshot)
        return (
            incident,
            { seq, at, type, payload in
                RecordedEvent(
                    incidentID: 7, sequence: seq, timestamp: declared.addingTimeInterval(at), actor: "u", type: type,
                    stepID: nil, payload: payload, previousHash: "", hash: "")
            }
        )
    }

    final class NoOutput: OutputSink {
        func receive(_ bytes: Data, offset: TimeInterval) {}
    }

    static let snapshot: JSONValue = [
        "matrix": [
            ["severity": "P0", "response_time": "15 minutes"], ["severity": "P1", "response_time": "1 hour"],
        ]
    ]

    func startDrill(_ harness: SessionFixtures.Harness) throws -> IncidentSession {
        try IncidentSession.start(
            IncidentStart(
                runbookID: "outage", environment: "staging", severity: .p0, isDrill: true, host: "bastion",
                user: "alice", policySnapshot: Self.snapshot),
            dependencies: harness.dependencies)
    }

    @Test func debriefTimesAreDrillSecondsFromDeclarationToEachFirstEvent() throws {
        let harness = SessionFixtures.Harness()
        let session = try startDrill(harness)
        try session.setVariable("NAMESPACE", to: "candlefish-staging")
        _ = try session.showCurrent()
        harness.clock.advance(by: 60)
        _ = try session.run(output: NoOutput())  // check-pods: the first command at 1m
        harness.clock.advance(by: 120)
        try session.acknowledge(by: "alice")  // 3m, within P0's 15 minutes
        harness.clock.advance(by: 20)
        _ = try session.showCurrent()
        try session.skip(reason: "pod name known from the alert")
        harness.clock.advance(by: 200)
        try session.markMitigated()  // 6m 40s
        harness.clock.advance(by: 100)
        try session.recordInject(DrillInject(at: 480, message: "CTO asks"))
        try session.resolve(summary: "rolled back")  // 8m 20s

        let debrief = try session.recordDebrief()
        #expect(debrief.outcome == "resolved")
        #expect(debrief.timeToFirstCommand == 60)
        #expect(debrief.timeToAcknowledge == 180)
        #expect(debrief.timeToMitigation == 400)
        #expect(debrief.timeToResolve == 500)
        #expect(debrief.skippedSteps == ["outage/find-pod: pod name known from the alert"])
        #expect(debrief.responseTimes == ["P0: met (matrix: within 15m 00s; acknowledged after 3m 00s)"])
        #expect(debrief.escalations.isEmpty)
        #expect(debrief.injectCount == 1)

        let events = try harness.events(session)
        let recorded = try #require(events.last)
        #expect(recorded.type == .drillDebrief)
        #expect(recorded.payload.canonicalData() == debrief.payload.canonicalData())
        #expect(recorded.payload["time_to_acknowledge_seconds"]?.doubleValue == 180)
        let inject = try #require(events.first { $0.type == .drillInject })
        #expect(inject.payload["drill_time"]?.doubleValue == 500)
        #expect(inject.payload["at"]?.stringValue == "8m")
        #expect(inject.payload["message"]?.stringValue == "CTO asks")
    }

    @Test func unacknowledgedDrillMissesTheResponseTimeAndListsEscalations() throws {
        let (incident, event) = Self.abandonedP0Drill()
        let events = [
            event(1, 0, .incidentDeclared, ["severity": "P0"]),
            event(2, 900, .escalationTriggered, ["level": 1, "targets": ["DevOps Lead"], "severity": "P0"]),
            event(3, 1200, .statusChanged, ["from": "open", "to": "abandoned"]),
        ]
        let debrief = DrillDebrief.make(incident: incident, events: events)
        #expect(debrief.outcome == "abandoned")
        #expect(debrief.timeToAcknowledge == nil)
        #expect(debrief.timeToFirstCommand == nil)
        #expect(debrief.responseTimes == ["P0: missed (matrix: within 15m 00s; not acknowledged)"])
        #expect(debrief.escalations == ["at 15m 00s, first page, P0: DevOps Lead"])
        #expect(debrief.lines.contains("  time to acknowledge:    never acknowledged (type `ack`)"))
        #expect(debrief.payload["time_to_acknowledge_seconds"] == .null)
    }

    @Test func repeatsToTheSameTargetsAreCalledRepeatsNotLevels() throws {
        let (incident, event) = Self.abandonedP0Drill()
        let events = [
            event(1, 0, .incidentDeclared, ["severity": "P0"]),
            event(2, 900, .escalationTriggered, ["repeat": 0, "targets": [["name": "CTO"]], "severity": "P0"]),
            event(3, 1800, .escalationTriggered, ["repeat": 1, "targets": [["name": "CTO"]], "severity": "P0"]),
            event(4, 2700, .escalationTriggered, ["repeat": 2, "targets": [["name": "CTO"]], "severity": "P0"]),
            event(5, 3600, .escalationTriggered, ["level": 4, "targets": ["VP"], "severity": "P0"]),
        ]
        let debrief = DrillDebrief.make(incident: incident, events: events)
        #expect(
            debrief.escalations == [
                "at 15m 00s, first page, P0: CTO", "at 30m 00s, repeat 1, P0: CTO", "at 45m 00s, repeat 2, P0: CTO",
                "at 1h 00m 00s, level 4, P0: VP",
            ])
    }

    @Test func clockFormatsDrillDurations() {
        #expect(DrillDebrief.clock(12) == "12s")
        #expect(DrillDebrief.clock(245) == "4m 05s")
        #expect(DrillDebrief.clock(3720) == "1h 02m 00s")
    }
}

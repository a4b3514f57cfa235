import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

@Suite struct IncidentReportTests {
    private func sampleReport(resolved: Bool = true, drill: Bool = false) throws -> IncidentReport {
        let store = InMemoryTranscriptStore()
        let id = try SampleIncident.record(into: store, resolved: resolved, drill: drill)
        return try IncidentReport.load(incidentID: id, from: store)
    }

    @Test func unknownIncidentIsAUsageErrorNamingTheID() throws {
        let store = InMemoryTranscriptStore()
        #expect(throws: ExportError.unknownIncident(42)) { try IncidentReport.load(incidentID: 42, from: store) }
        #expect(ExportError.unknownIncident(42).exitStatus == .usage)
        #expect(ExportError.unknownIncident(42).description.contains("42"))
    }

    @Test func timesToAcknowledgeMitigateAndResolveComeFromTheTranscript() throws {
        let metrics = try sampleReport().metrics
        #expect(metrics.timeToAcknowledge == 20)
        #expect(metrics.timeToMitigate == 2400)
        #expect(metrics.timeToResolve == 3000)
    }

    @Test func timeAtEachSeverityFollowsSeverityChanges() throws {
        let metrics = try sampleReport().metrics
        let spent = metrics.timeAtSeverity.map { "\($0.severity.rawValue)=\(Int($0.duration))" }
        #expect(spent == ["P1=2940", "P2=60"])
        #expect(metrics.severityPeriods.map(\.severity) == [.p2, .p1])
        #expect(metrics.severityPeriods.last?.isOngoing == false)
    }

    @Test func responseTimeIsMetWhenAcknowledgedWithinTheSnapshotTime() throws {
        let checks = try sampleReport().metrics.responseChecks
        let p2 = try #require(checks.first { $0.severity == .p2 })
        #expect(p2.responseTime == .duration(7200))
        #expect(p2.respondedAfter == 20)
        #expect(p2.outcome == .met)
        // P1 began at T+60; bob acknowledged at T+2100, after the 30 minutes the matrix gives.
        let p1 = try #require(checks.first { $0.severity == .p1 })
        #expect(p1.respondedAfter == 2040)
        #expect(p1.outcome == .missed)
    }

    @Test func escalationsCarryLevelTargetsSeverityAndTime() throws {
        let escalations = try sampleReport().metrics.escalations
        #expect(escalations.count == 1)
        #expect(escalations.first?.level == 1)
        #expect(escalations.first?.targets == ["DevOps Lead"])
        #expect(escalations.first?.severity == .p1)
        #expect(escalations.first?.time == SampleIncident.start.addingTimeInterval(1860))
    }

    @Test func commandsCarryFinalTextExitCodeDurationAndOutput() throws {
        let commands = try sampleReport().commands
        #expect(commands.count == 2)
        #expect(commands[0].text == "kubectl get pods -n prod")
        #expect(commands[0].originalText == nil)
        #expect(commands[0].exitCode == 0)
        #expect(commands[0].duration == 1.5)
        #expect(commands[0].stepTitle == "Check pod status")
        #expect(commands[0].output.count == 2)
        #expect(commands[1].text == "helm rollback api 40")
        #expect(commands[1].originalText == "helm rollback api 41")
        #expect(commands[1].exitCode == 1)
        #expect(commands[1].outputData == SampleIncident.hostileOutput)
    }

    @Test func respondersRunbooksNotesAndActionItems() throws {
        let report = try sampleReport()
        #expect(report.responders == ["alice@ops-1", "bob@laptop"])
        #expect(report.runbooks == ["outage"])
        #expect(report.noteCount == 2)
        #expect(
            report.actionItems.map(\.text) == [
                "alert on readiness probe failures", "write up | the `helm` history\nand keep the 40 release pinned",
            ])
    }

    @Test func openIncidentEndsAtItsLastEventWithTheCurrentSeverityOngoing() throws {
        let report = try sampleReport(resolved: false)
        #expect(report.isOpen)
        #expect(report.metrics.timeToResolve == nil)
        #expect(report.metrics.timeToMitigate == nil)
        #expect(report.endTime == SampleIncident.start.addingTimeInterval(2300))
        #expect(report.metrics.severityPeriods.last?.isOngoing == true)
    }

    @Test func responseCheckIsPendingWhileTheDeadlineHasNotPassed() throws {
        let store = InMemoryTranscriptStore()
        let (incident, _) = try store.declareIncident(
            IncidentDeclaration(
                title: "t", runbook: "outage", environment: "production", severity: .p0, host: "h", user: "u",
                policySnapshot: SampleIncident.policySnapshot), actor: "u@h", at: SampleIncident.start)
        _ = try store.append(
            EventDraft(.noteAdded, payload: ["text": "looking"]), to: incident.id, actor: "u@h",
            at: SampleIncident.start.addingTimeInterval(300))
        let report = try IncidentReport.load(incidentID: incident.id, from: store)
        #expect(report.metrics.responseChecks.map(\.outcome) == [.pending])
    }

    @Test func responseCheckIsNotDueWhenSeverityChangesBeforeTheDeadline() throws {
        let store = InMemoryTranscriptStore()
        let (incident, _) = try store.declareIncident(
            IncidentDeclaration(
                title: "t", runbook: "outage", environment: "production", severity: .p2, host: "h", user: "u",
                policySnapshot: SampleIncident.policySnapshot), actor: "u@h", at: SampleIncident.start)
        _ = try store.append(
            EventDraft(.severityChanged, payload: ["from": "P2", "to": "P0"]), to: incident.id, actor: "u@h",
            at: SampleIncident.start.addingTimeInterval(600))
        _ = try store.append(
            EventDraft(.ackReceived, payload: ["by": "u"]), to: incident.id, actor: "u@h",
            at: SampleIncident.start.addingTimeInterval(660))
        let checks = try IncidentReport.load(incidentID: incident.id, from: store).metrics.responseChecks
        #expect(checks.map(\.severity) == [.p2, .p0])
        #expect(checks.map(\.outcome) == [.notDue, .met])
        #expect(checks.last?.respondedAfter == 60)
    }

    @Test func businessDayResponseTimesAreNotEvaluatedWithoutTheCalendar() throws {
        let store = InMemoryTranscriptStore()
        let (incident, _) = try store.declareIncident(
            IncidentDeclaration(
                title: "t", runbook: "outage", environment: "production", severity: .p3, host: "h", user: "u",
                policySnapshot: SampleIncident.policySnapshot), actor: "u@h", at: SampleIncident.start)
        let checks = try IncidentReport.load(incidentID: incident.id, from: store).metrics.responseChecks
        #expect(checks.first?.responseTime == .businessDays(1))
        #expect(checks.first?.outcome == .notEvaluated)
    }

    @Test func failedToStartWithoutAStartIsItsOwnCommand() throws {
        let store = InMemoryTranscriptStore()
        let (incident, _) = try store.declareIncident(
            IncidentDeclaration(
                title: "t", runbook: "outage", environment: "production", severity: .p3, host: "h", user: "u"),
            actor: "u@h", at: SampleIncident.start)
        _ = try store.append(
            EventDraft(.commandFailedToStart, stepID: "x", payload: ["command": "nope", "error": "no such file"]),
            to: incident.id, actor: "u@h", at: SampleIncident.start.addingTimeInterval(1))
        let commands = try IncidentReport.load(incidentID: incident.id, from: store).commands
        #expect(commands.count == 1)
        #expect(commands.first?.outcome == "did not start: no such file")
    }
}

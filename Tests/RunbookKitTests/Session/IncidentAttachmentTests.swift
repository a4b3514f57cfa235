import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit

/// A session beginning on an incident declared without one (`runbook declare`, `runbook serve`): `resume` and
/// `start --incident` open its runbook on the first step, the alert's labels are offered as defaults, and what
/// cannot be walked is refused.
@Suite struct IncidentAttachmentTests {
    let harness = SessionFixtures.Harness()

    func declare(runbook: String = "outage", environment: String = "production") throws -> Incident {
        try harness.store.declareIncident(
            IncidentDeclaration(
                title: "Pods are crash-looping", runbook: runbook, environment: environment, severity: .p1,
                host: "serve", user: "runbook"), actor: "runbook@serve", at: Date()
        ).0
    }

    func alert(on incident: Incident, labels: [String: String]) throws {
        let alert: JSONValue = [
            "status": "firing", "fingerprint": "fp-1", "labels": .object(labels.mapValues { .string($0) }),
        ]
        _ = try harness.store.append(
            EventDraft(.noteAdded, payload: ["text": "alert firing", "source": "alertmanager", "alert": alert]),
            to: incident.id, actor: "runbook@serve", at: Date())
    }

    @Test func resumeOpensADeclaredIncidentsRunbookOnItsFirstStepKeepingTitleAndSeverity() throws {
        let incident = try declare()
        let session = try IncidentSession.resume(incidentID: incident.id, dependencies: harness.dependencies)
        #expect(session.runbook.id == "outage")
        #expect(session.currentItem?.id == "check-pods")
        #expect(session.severity == .p1)
        #expect(session.incident.title == "Pods are crash-looping")
        #expect(session.environment == "production")
        let opened = try #require(try harness.events(session).first { $0.type == .runbookOpened })
        #expect(opened.payload["via"] == "attach")
        #expect(opened.payload["declared_runbook"] == nil)
        #expect(try harness.types(session).last == "session.resumed")
    }

    @Test func aLaterResumeReplaysTheStepsWalkedSinceTheAttach() throws {
        let incident = try declare()
        let first = try IncidentSession.resume(incidentID: incident.id, dependencies: harness.dependencies)
        try first.showCurrent()
        try first.skip(reason: nil)
        let again = try IncidentSession.resume(incidentID: incident.id, dependencies: harness.dependencies)
        #expect(again.currentItem?.id == "find-pod")
        #expect(again.status(ofItem: "check-pods") == .skipped)
    }

    @Test func startIncidentWithAnotherRunbookRecordsTheSwitchAndNoResume() throws {
        let incident = try declare(runbook: "triage")
        let session = try IncidentSession.resume(
            incidentID: incident.id, dependencies: harness.dependencies,
            attachment: IncidentAttachment(runbookID: "outage"))
        #expect(session.runbook.id == "outage")
        let opened = try #require(try harness.events(session).last)
        #expect(opened.type == .runbookOpened)
        #expect(opened.payload["via"] == "attach")
        #expect(opened.payload["declared_runbook"] == "triage")
        #expect(EventSummary.describe(opened).contains("Runbook outage opened instead of the declared triage"))
    }

    @Test func anIncidentWithoutARunbookIsRefusedWithTheCommandThatGivesItOne() throws {
        let incident = try declare(runbook: "")
        #expect(throws: SessionError.noRunbook(id: incident.id)) {
            try IncidentSession.resume(incidentID: incident.id, dependencies: harness.dependencies)
        }
        #expect(SessionError.noRunbook(id: incident.id).hint?.contains("runbook start RUNBOOK --incident 1") == true)
        #expect(SessionError.noRunbook(id: incident.id).exitStatus == .refused)
        #expect(try harness.store.events(incidentID: incident.id).count == 1, "nothing recorded")
    }

    @Test func startIncidentOnAnIncidentAlreadyWalkedIsRefused() throws {
        let incident = try declare()
        _ = try IncidentSession.resume(incidentID: incident.id, dependencies: harness.dependencies)
        #expect(throws: SessionError.alreadyStarted(id: incident.id, runbook: "outage")) {
            try IncidentSession.resume(
                incidentID: incident.id, dependencies: harness.dependencies, attachment: IncidentAttachment())
        }
    }

    @Test func theEnvironmentIsAskedOnlyWhenTheIncidentHasNoneAndIsReplayed() throws {
        var asked: [String] = []
        let incident = try declare(environment: "")
        let session = try IncidentSession.resume(
            incidentID: incident.id, dependencies: harness.dependencies,
            askEnvironment: { runbook in
                asked.append(runbook.id)
                return "staging"
            })
        #expect(asked == ["outage"])
        #expect(session.environment == "staging")
        let again = try IncidentSession.resume(
            incidentID: incident.id, dependencies: harness.dependencies,
            askEnvironment: { _ in
                Issue.record("asked again")
                return "production"
            })
        #expect(again.environment == "staging")
        #expect(again.childEnvironment()["ENVIRONMENT"] == "staging")
    }

    @Test func theAlertLabelIsOfferedOverTheRunbooksDefaultAndARecordedValueIsNotAsked() throws {
        let incident = try declare()
        try alert(on: incident, labels: ["namespace": "payments", "token": "leaked", "replicas": "many"])
        let session = try IncidentSession.resume(incidentID: incident.id, dependencies: harness.dependencies)
        let namespace = try #require(SessionFixtures.outage.variable(named: "NAMESPACE"))
        #expect(
            try session.offeredDefault(for: namespace) == OfferedDefault(value: "payments", alertLabel: "namespace"))
        // No label: the runbook's own default; a secret: nothing; a value the pattern refuses: nothing.
        let service = try #require(SessionFixtures.outage.variable(named: "SERVICE"))
        #expect(try session.offeredDefault(for: service) == nil)
        #expect(try session.offeredDefault(for: SessionFixtures.outage.variable(named: "TOKEN")!) == nil)
        #expect(try session.offeredDefault(for: SessionFixtures.outage.variable(named: "REPLICAS")!) == nil)
        try session.showCurrent()
        #expect(session.missingVariablesForCurrentStep.map(\.name) == ["NAMESPACE"])
        try session.setVariable("NAMESPACE", to: "payments-canary", source: "prompt")
        #expect(session.missingVariablesForCurrentStep.isEmpty)
        #expect(session.childEnvironment()["NAMESPACE"] == "payments-canary")
    }

    @Test func withoutAnAlertTheRunbooksDefaultIsOffered() throws {
        let session = try harness.start()
        let namespace = try #require(SessionFixtures.outage.variable(named: "NAMESPACE"))
        #expect(try session.offeredDefault(for: namespace) == OfferedDefault(value: "candlefish-prod"))
    }
}

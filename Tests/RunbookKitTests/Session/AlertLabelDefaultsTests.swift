import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit

/// The labels of an incident's Alertmanager alerts, offered as variable defaults: which alert counts, which label
/// matches which variable, and which values are never offered.
@Suite struct AlertLabelDefaultsTests {
    let harness = SessionFixtures.Harness()
    let incident: Incident

    init() throws {
        incident = try harness.store.declareIncident(
            IncidentDeclaration(
                title: "KubePodCrashLooping: Pods are crash-looping", runbook: "outage", environment: "production",
                severity: .p1, host: "serve", user: "runbook"), actor: "runbook@serve", at: Date()
        ).0
    }

    /// Records a note as `runbook serve`'s intake does.
    func alert(_ fingerprint: String, _ status: String = "firing", labels: [String: String]) throws {
        let alert: JSONValue = [
            "status": .string(status), "fingerprint": .string(fingerprint),
            "labels": .object(labels.mapValues { .string($0) }), "annotations": [:],
        ]
        _ = try harness.store.append(
            EventDraft(
                .noteAdded,
                payload: [
                    "text": .string("alert \(status)"), "source": "alertmanager", "group_key": "{}", "alert": alert,
                ]),
            to: incident.id, actor: "runbook@serve", at: Date())
    }

    func defaults() throws -> AlertLabelDefaults {
        try AlertLabelDefaults.read(incidentID: incident.id, from: harness.store)
    }

    func spec(_ name: String) -> VariableSpec { SessionFixtures.outage.variable(named: name)! }

    @Test func aLabelMatchesTheVariableOfItsNameInAnyCase() throws {
        try alert("a", labels: ["Namespace": "payments", "pod": "api-7f9", "alertname": "KubePodCrashLooping"])
        let defaults = try defaults()
        #expect(defaults.offer(for: spec("NAMESPACE")) == .init(label: "Namespace", value: "payments"))
        #expect(defaults.offer(for: spec("POD")) == .init(label: "pod", value: "api-7f9"))
        #expect(defaults.offer(for: VariableSpec(name: "INSTANCE")) == nil)
    }

    @Test func anExactMatchWinsOverOneInAnotherCase() {
        let defaults = AlertLabelDefaults(labels: ["namespace": "lower", "NAMESPACE": "exact", "Namespace": "mixed"])
        #expect(defaults.offer(for: VariableSpec(name: "NAMESPACE"))?.value == "exact")
        #expect(defaults.offer(for: VariableSpec(name: "Namespace"))?.value == "mixed")
    }

    @Test func valuesWithControlFormatOrLineCharactersAreNotOffered() {
        for value in [
            "pay\nments", "pay\rments", "a\u{1B}[2Kb", "tab\there", "del\u{7F}", "c1\u{9B}31m", "rtl\u{202E}",
            "line\u{2028}sep", "",
        ] {
            let defaults = AlertLabelDefaults(labels: ["namespace": value])
            #expect(defaults.offer(for: VariableSpec(name: "NAMESPACE")) == nil, "\(value.debugDescription)")
        }
        #expect(
            AlertLabelDefaults(labels: ["namespace": "ünïcode-ok $(x)"]).offer(for: VariableSpec(name: "NAMESPACE"))?
                .value == "ünïcode-ok $(x)")
    }

    @Test func aValueTheDeclarationRefusesIsNotOffered() {
        let defaults = AlertLabelDefaults(labels: ["replicas": "three", "service": "frontend"])
        #expect(defaults.offer(for: spec("REPLICAS")) == nil)
        #expect(defaults.offer(for: spec("SERVICE")) == nil)
        let accepted = AlertLabelDefaults(labels: ["replicas": "3", "service": "website"])
        #expect(accepted.offer(for: spec("REPLICAS"))?.value == "3")
        #expect(accepted.offer(for: spec("SERVICE"))?.value == "website")
    }

    @Test func aSecretVariableIsNeverOfferedALabel() {
        #expect(AlertLabelDefaults(labels: ["token": "abc123"]).offer(for: spec("TOKEN")) == nil)
    }

    @Test func theMostRecentFiringAlertWinsAndResolvedAlertsAreIgnored() throws {
        try alert("a", labels: ["namespace": "first"])
        try alert("b", labels: ["namespace": "second"])
        #expect(try defaults().labels["namespace"] == "second")
        try alert("b", "resolved", labels: ["namespace": "second"])
        #expect(try defaults().labels["namespace"] == "first")
        try alert("a", "resolved", labels: ["namespace": "first"])
        #expect(try defaults().labels.isEmpty)
        // Firing again makes it the most recent.
        try alert("b", labels: ["namespace": "second"])
        #expect(try defaults().labels["namespace"] == "second")
    }

    @Test func notesOfOtherSourcesAreNotAlerts() throws {
        _ = try harness.store.append(
            EventDraft(.noteAdded, payload: ["text": "namespace is payments", "alert": ["status": "firing"]]),
            to: incident.id, actor: "bob@laptop", at: Date())
        #expect(try defaults().labels.isEmpty)
    }
}

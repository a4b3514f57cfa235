import Foundation
import RunbookCLI
import RunbookKit
import RunbookServe
import Synchronization
import Testing

@Suite struct AlertIntakeTests {
    static let crashLooping = WebhookFixtures.Alert(
        name: "KubePodCrashLooping",
        runbookURL: "https://github.com/openshift/runbooks/blob/master/alerts/k8s/KubePodCrashLooping.md")

    @Test func aFiringGroupDeclaresOneIncidentWithSeverityTitleRunbookAndTimers() throws {
        let fixture = try IntakeFixture()
        let outcome = try fixture.receive(WebhookFixtures.body(alerts: [Self.crashLooping]))
        #expect(outcome.declared && outcome.notes == 1)
        let id = try #require(outcome.incident)
        let incident = try #require(try fixture.store.incident(id))
        #expect(incident.severity == .p1)
        #expect(incident.title == "KubePodCrashLooping: Pods are crash-looping")
        #expect(incident.runbook == "alerts/k8s/KubePodCrashLooping")
        #expect(incident.environment == "production")
        #expect(incident.status == .open)
        #expect(incident.user == "alertmanager")
        // Armed as `runbook declare` arms it: the P1 row's response timer.
        #expect(try fixture.store.timers(incidentID: incident.id).contains { $0.status == .pending })
        #expect(try fixture.notes(incident.id) == ["alert firing: KubePodCrashLooping: Pods are crash-looping"])
    }

    @Test func theAlertsLabelsAreRecordedForTheSession() throws {
        let fixture = try IntakeFixture()
        let outcome = try fixture.receive(WebhookFixtures.body(alerts: [Self.crashLooping]))
        let id = try #require(outcome.incident)
        let note = try #require(try fixture.store.events(incidentID: id).first { $0.type == .noteAdded })
        #expect(note.payload["source"]?.stringValue == "alertmanager")
        #expect(note.payload["alert"]?["labels"]?["namespace"]?.stringValue == "payments")
        #expect(note.payload["alert"]?["fingerprint"]?.stringValue == "fp-KubePodCrashLooping")
    }

    @Test func aRepeatedNotificationNeverDuplicatesTheIncidentOrItsNotes() throws {
        let fixture = try IntakeFixture()
        let body = WebhookFixtures.body(alerts: [Self.crashLooping])
        let first = try fixture.receive(body)
        let second = try fixture.receive(body)
        #expect(second == AlertIntake.Outcome(incident: first.incident, declared: false, notes: 0))
        #expect(try fixture.store.incidents(openOnly: false, drillsOnly: false).count == 1)
        #expect(try fixture.notes(#require(first.incident)).count == 1)
    }

    /// A second service on the same store declares the group's incident between this one's look-up and its
    /// declaration: this one's declaration is refused, and it adds to the other's incident.
    @Test func aGroupDeclaredByAnotherServiceMeanwhileIsAddedToNotDeclaredAgain() throws {
        let fixture = try IntakeFixture()
        let body = WebhookFixtures.body(alerts: [Self.crashLooping])
        let runbooks = fixture.scratch.runbooks.path
        let other = try SQLiteTranscriptStore(path: fixture.scratch.database, redactor: Redactor())
        let identity = ResponderIdentity(user: "alertmanager", host: "test")
        let declares: @Sendable (SQLiteTranscriptStore) -> AlertIntake.Declare = { store in
            { declaration in
                try IncidentDeclarer.declare(
                    declaration, in: store, runbooksDirectory: runbooks, actor: identity.actor
                ) { _ in }.incident
            }
        }
        let otherService = AlertIntake(
            store: other, configuration: ServeConfiguration(), identity: identity,
            matcher: { AlertRunbookMatcher(directory: runbooks) }, declare: declares(other))
        let otherOutcome = Mutex<AlertIntake.Outcome?>(nil)
        let store = fixture.store
        let racing = AlertIntake(
            store: store, configuration: ServeConfiguration(), identity: identity,
            matcher: { AlertRunbookMatcher(directory: runbooks) },
            declare: { declaration in
                // The other service wins the race, once.
                try otherOutcome.withLock { outcome in
                    if outcome == nil { outcome = try otherService.receive(AlertmanagerWebhook.parse(body)) }
                }
                return try declares(store)(declaration)
            })
        let outcome = try racing.receive(AlertmanagerWebhook.parse(body))
        let winner = try #require(otherOutcome.withLock { $0 })
        #expect(winner.declared)
        #expect(outcome == AlertIntake.Outcome(incident: winner.incident, declared: false, notes: 0))
        #expect(try fixture.store.incidents(openOnly: false, drillsOnly: false).count == 1)
        #expect(try fixture.notes(#require(winner.incident)).count == 1)
    }

    @Test func aNewAlertInTheGroupBecomesANote() throws {
        let fixture = try IntakeFixture()
        let first = try fixture.receive(WebhookFixtures.body(alerts: [Self.crashLooping]))
        var second = WebhookFixtures.Alert(name: "KubePodCrashLooping", severity: "P0", summary: "api too")
        second.fingerprint = "fp-second"
        let outcome = try fixture.receive(WebhookFixtures.body(alerts: [Self.crashLooping, second]))
        #expect(outcome == AlertIntake.Outcome(incident: first.incident, declared: false, notes: 1))
        #expect(
            try fixture.notes(#require(first.incident)).last
                == "new alert in the group: KubePodCrashLooping: api too (its labels say P0, the incident is P1)")
    }

    @Test func aResolvedGroupIsANoteThatSuggestsMitigatedAndNeverResolves() throws {
        let fixture = try IntakeFixture()
        let first = try fixture.receive(WebhookFixtures.body(alerts: [Self.crashLooping]))
        var resolved = Self.crashLooping
        resolved.status = "resolved"
        let outcome = try fixture.receive(WebhookFixtures.body(alerts: [resolved]))
        #expect(outcome.notes == 2)
        let id = try #require(first.incident)
        let notes = try fixture.notes(id)
        #expect(notes[1] == "alert resolved: KubePodCrashLooping: Pods are crash-looping")
        #expect(notes[2].hasPrefix("alert resolved: every alert of this group is resolved"))
        #expect(notes[2].contains("`mitigated` in `runbook resume \(id)`"))
        #expect(try fixture.store.incident(id)?.status == .open)
        // Again: nothing new.
        #expect(try fixture.receive(WebhookFixtures.body(alerts: [resolved])).notes == 0)
    }

    @Test func aResolvedGroupWithoutAnOpenIncidentRecordsNothing() throws {
        let fixture = try IntakeFixture()
        var resolved = Self.crashLooping
        resolved.status = "resolved"
        #expect(
            try fixture.receive(WebhookFixtures.body(alerts: [resolved]))
                == AlertIntake.Outcome(incident: nil, declared: false, notes: 0))
        #expect(try fixture.store.incidents(openOnly: false, drillsOnly: false).isEmpty)
    }

    @Test func theGroupFiringAgainAfterItsIncidentIsResolvedDeclaresANewOne() throws {
        let fixture = try IntakeFixture()
        let first = try #require(try fixture.receive(WebhookFixtures.body(alerts: [Self.crashLooping])).incident)
        _ = try fixture.store.append(
            EventDraft(.incidentResolved, payload: ["summary": "fixed"]), to: first, actor: "a@b", at: Date())
        #expect(try fixture.store.incident(first)?.status == .resolved)
        let second = try fixture.receive(WebhookFixtures.body(alerts: [Self.crashLooping]))
        #expect(second.declared && second.incident != first)
        let keys = try fixture.store.incidents(openOnly: false, drillsOnly: false).compactMap(\.incidentKey).sorted()
        let prefix = AlertIntake.keyPrefix(groupKey: "{}:{alertname=\"KubePodCrashLooping\"}")
        #expect(keys == [prefix + "1", prefix + "2"])
    }

    @Test func theGroupsIncidentResolvedInAnotherProcessIsNotAddedToAgain() throws {
        // The intake remembers each group's incident; the store still decides whether it is open.
        let fixture = try IntakeFixture()
        let body = WebhookFixtures.body(alerts: [Self.crashLooping])
        let first = try #require(try fixture.receive(body).incident)
        #expect(try fixture.receive(body) == AlertIntake.Outcome(incident: first, declared: false, notes: 0))
        let other = try SQLiteTranscriptStore(path: fixture.scratch.database, redactor: Redactor())
        _ = try other.append(
            EventDraft(.incidentResolved, payload: ["summary": "fixed"]), to: first, actor: "a@b", at: Date())
        let second = try fixture.receive(body)
        #expect(second.declared && second.incident != first && second.notes == 1)
        #expect(try fixture.notes(first) == ["alert firing: KubePodCrashLooping: Pods are crash-looping"])
        #expect(try fixture.receive(body) == AlertIntake.Outcome(incident: second.incident, declared: false, notes: 0))
    }

    @Test func anotherGroupDeclaresItsOwnIncident() throws {
        let fixture = try IntakeFixture()
        let first = try fixture.receive(WebhookFixtures.body(alerts: [Self.crashLooping]))
        let other = try fixture.receive(
            WebhookFixtures.body(groupKey: "{}:{alertname=\"Down\"}", alerts: [.init(name: "Down", severity: "info")]))
        #expect(other.declared && other.incident != first.incident)
        #expect(try fixture.store.incident(#require(other.incident))?.severity == .p3)
        #expect(try fixture.store.incident(#require(other.incident))?.runbook == "")
    }

    @Test func theRunbookLabelAndTheEnvironmentLabelAreUsed() throws {
        let fixture = try IntakeFixture()
        let alert = WebhookFixtures.Alert(
            name: "Down", severity: "warning", extraLabels: ["runbook": "outage", "environment": "staging"])
        let outcome = try fixture.receive(WebhookFixtures.body(groupKey: "g2", alerts: [alert]))
        let id = try #require(outcome.incident)
        let incident = try #require(try fixture.store.incident(id))
        #expect(incident.runbook == "outage" && incident.environment == "staging" && incident.severity == .p2)
    }
}

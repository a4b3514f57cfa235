import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

@Suite struct IncidentSessionTests {
    typealias Harness = SessionFixtures.Harness

    // MARK: - Starting

    @Test func startDeclaresTheIncidentAndOpensTheFirstStep() throws {
        let harness = Harness()
        let session = try harness.start(severity: nil)
        #expect(session.severity == .p1)  // outage's front matter
        #expect(session.currentItem?.id == "check-pods")
        #expect(try harness.types(session) == ["incident.declared", "runbook.opened"])
        let opened = try #require(try harness.events(session).last)
        #expect(opened.payload["runbook"] == "outage")
        #expect(opened.payload["via"] == "start")
    }

    @Test func startWithoutFrontMatterSeverityDefaultsToP2() throws {
        let harness = Harness()
        var loader = harness.loader
        loader.runbooks["plain"] = Runbook(
            id: "plain", title: nil, path: "plain.md", items: [SessionFixtures.step("a", "true", line: 1)])
        var dependencies = harness.dependencies
        dependencies.loader = loader
        let session = try IncidentSession.start(
            IncidentStart(runbookID: "plain", environment: "staging", host: "h", user: "u"), dependencies: dependencies)
        #expect(session.severity == .p2)
        #expect(session.incident.title == "plain")
    }

    @Test func startRefusesAnEnvironmentTheRunbookDoesNotAllow() throws {
        let harness = Harness()
        #expect(
            throws: SessionError.environmentNotAllowed(
                "development", allowed: ["production", "staging"], runbook: "outage")
        ) {
            try harness.start(environment: "development")
        }
        #expect(try harness.store.incidents(openOnly: false, drillsOnly: false).isEmpty)
    }

    // MARK: - Showing and running

    @Test func showRecordsTheCommandAndVariableNames() throws {
        let harness = Harness()
        let session = try harness.start()
        try session.setVariable("NAMESPACE", to: "candlefish-prod")
        let view = try #require(try session.showCurrent())
        #expect(view.number == 1 && view.total == 7)
        #expect(view.command == "kubectl get pods -n \"$NAMESPACE\"")
        #expect(view.variables == [StepView.Variable(name: "NAMESPACE", value: "candlefish-prod", isSecret: false)])
        #expect(view.risk == .read)
        let shown = try #require(try harness.events(session).last)
        #expect(shown.type == .stepShown)
        #expect(shown.stepID == "check-pods")
        #expect(shown.payload["command"] == "kubectl get pods -n \"$NAMESPACE\"")
        #expect(shown.payload["variables"] == ["NAMESPACE"])
        #expect(session.isAwaitingAnswer)
    }

    @Test func approvedStepRecordsApprovalOutputAndResultThenMovesOn() throws {
        let runner = FakeCommandRunner { _ in .init(output: "pod-a Running\n", exitCode: 0) }
        let harness = Harness(runner: runner)
        let session = try harness.start()
        try session.setVariable("NAMESPACE", to: "candlefish-prod")
        try session.showCurrent()
        let screen = CollectingOutputSink()
        let run = try session.run(output: screen)
        #expect(run.outcome == .completed)
        #expect(screen.text == "pod-a Running\n")
        #expect(
            try harness.types(session).suffix(4) == [
                "step.shown", "step.approved", "command.started", "command.finished",
            ])
        let started = try #require(try harness.events(session).first { $0.type == .commandStarted })
        let output = try harness.store.output(incidentID: session.incidentID, commandSequence: started.sequence)
        #expect(String(decoding: output.flatMap(\.data), as: UTF8.self) == "pod-a Running\n")
        #expect(session.status(ofItem: "check-pods") == .done)
        #expect(session.currentItem?.id == "find-pod")
        #expect(!session.isAwaitingAnswer)
    }

    @Test func valuesReachTheChildOnlyAsEnvironment() throws {
        let runner = FakeCommandRunner()
        let harness = Harness(runner: runner)
        let session = try harness.start()
        try session.setVariable("NAMESPACE", to: "x; rm -rf / $(touch /tmp/pwned)")
        try session.showCurrent()
        _ = try session.run(confirmation: nil, output: CollectingOutputSink())
        let request = try #require(runner.requests.first)
        #expect(request.command == "kubectl get pods -n \"$NAMESPACE\"")
        #expect(request.environment["NAMESPACE"] == "x; rm -rf / $(touch /tmp/pwned)")
        #expect(request.environment["ENVIRONMENT"] == "production")
        #expect(request.environment["HOME"] == "/home/alice")
        #expect(request.timeout == 600)
    }

    @Test func runningBeforeAVariableIsSetIsRefused() throws {
        let harness = Harness()
        let session = try harness.start()
        #expect(session.missingVariablesForCurrentStep.map(\.name) == ["NAMESPACE"])
        #expect(throws: SessionError.variablesMissing(["NAMESPACE"])) {
            try session.run(output: CollectingOutputSink())
        }
        #expect(harness.runner.requests.isEmpty)
    }

    @Test func suggestedValueUsesThePerEnvironmentDefaultElseExpandsReferences() throws {
        let harness = Harness()
        let production = try harness.start(environment: "production")
        let staging = try harness.start(environment: "staging")
        let spec = try #require(production.variableSpec(named: "NAMESPACE"))
        #expect(production.suggestedValue(for: spec) == "candlefish-prod")
        #expect(staging.suggestedValue(for: spec) == "candlefish-staging")
    }

    @Test func valuesAreCheckedAgainstChoicesAndPattern() throws {
        let harness = Harness()
        let session = try harness.start()
        #expect(throws: SessionError.self) { try session.setVariable("SERVICE", to: "database") }
        #expect(throws: SessionError.self) { try session.setVariable("REPLICAS", to: "three") }
        try session.setVariable("SERVICE", to: "website")
        try session.setVariable("REPLICAS", to: "3")
        #expect(session.value(of: "SERVICE") == "website")
        #expect(try harness.events(session).filter { $0.type == .variableSet }.count == 2)
    }

    @Test func unexpectedExitMarksTheStepFailedAndOffersItsFailureTarget() throws {
        let runner = FakeCommandRunner { request in
            request.command.contains("health") ? .init(output: "503\n", exitCode: 22) : .init(output: "pod/a\n")
        }
        let harness = Harness(runner: runner)
        let session = try harness.start()
        try session.goto("check-health")
        try session.showCurrent()
        let run = try session.run(output: CollectingOutputSink())
        #expect(run.outcome == .unexpectedExit)
        #expect(run.onFail == "rollback")
        #expect(session.status(ofItem: "check-health") == .failed)
        #expect(session.currentItem?.id == "check-health")
        let finished = try #require(try harness.events(session).last)
        #expect(finished.payload["exit_code"] == 22)
        #expect(finished.payload["expected"] == false)
        try session.followFailureTarget()
        #expect(session.currentItem?.id == "rollback")
    }

    @Test func retryAfterFailureRunsAgainAndContinueMovesOn() throws {
        let attempts = Counter()
        let runner = FakeCommandRunner { _ in .init(exitCode: attempts.next() == 1 ? 1 : 0) }
        let harness = Harness(runner: runner)
        let session = try harness.start()
        try session.setVariable("NAMESPACE", to: "ns")
        try session.showCurrent()
        #expect(try session.run(output: CollectingOutputSink()).outcome == .unexpectedExit)
        #expect(try session.run(output: CollectingOutputSink()).outcome == .completed)
        #expect(session.status(ofItem: "check-pods") == .done)

        let failing = try Harness(runner: FakeCommandRunner { _ in .init(exitCode: 3) }).start()
        try failing.setVariable("NAMESPACE", to: "ns")
        try failing.showCurrent()
        _ = try failing.run(output: CollectingOutputSink())
        try failing.continueAfterFailure()
        #expect(failing.currentItem?.id == "find-pod")
        #expect(failing.status(ofItem: "check-pods") == .failed)
    }

    @Test func aCommandThatCannotStartIsRecordedAsFailed() throws {
        let harness = Harness(runner: FakeCommandRunner { _ in .init(startFailure: "no such shell: bash") })
        let session = try harness.start()
        try session.goto("find-pod")
        try session.showCurrent()
        let run = try session.run(output: CollectingOutputSink())
        #expect(run.outcome == .failedToStart("no such shell: bash"))
        #expect(try harness.types(session).last == "command.failed_to_start")
        #expect(session.status(ofItem: "find-pod") == .failed)
    }

    @Test func captureStoresTheTrimmedOutput() throws {
        let harness = Harness(runner: FakeCommandRunner { _ in .init(output: "  pod/backend-api-7d9\n\n") })
        let session = try harness.start()
        try session.goto("find-pod")
        try session.showCurrent()
        let run = try session.run(output: CollectingOutputSink())
        #expect(run.captured == CapturedValue(name: "POD", value: "pod/backend-api-7d9", isSecret: false))
        #expect(session.value(of: "POD") == "pod/backend-api-7d9")
        let set = try #require(try harness.events(session).first { $0.type == .variableSet })
        #expect(set.payload["source"] == "capture")
        #expect(set.payload["value"] == "pod/backend-api-7d9")
    }

    @Test func editRecordsBeforeAndAfterAndRunsTheEditedCommand() throws {
        let harness = Harness()
        let session = try harness.start()
        try session.goto("find-pod")
        try session.showCurrent()
        try session.edit(command: "kubectl get pods -o name | tail -1")
        let edited = try #require(try harness.events(session).last)
        #expect(edited.type == .stepEdited)
        #expect(edited.payload["before"] == "kubectl get pods -o name | head -1")
        #expect(edited.payload["after"] == "kubectl get pods -o name | tail -1")
        let view = try #require(try session.showCurrent())
        #expect(view.isEdited)
        #expect(try harness.events(session).last?.payload["command"] == "kubectl get pods -o name | tail -1")
        _ = try session.run(output: CollectingOutputSink())
        #expect(harness.runner.requests.last?.command == "kubectl get pods -o name | tail -1")
    }

    @Test func skipRecordsTheReasonAndMovesOn() throws {
        let harness = Harness()
        let session = try harness.start()
        try session.showCurrent()
        try session.skip(reason: "already checked in Grafana")
        let skipped = try #require(try harness.events(session).last)
        #expect(skipped.type == .stepSkipped)
        #expect(skipped.payload["reason"] == "already checked in Grafana")
        #expect(session.status(ofItem: "check-pods") == .skipped)
        #expect(session.currentItem?.id == "find-pod")
    }

    @Test func stepsForOtherEnvironmentsArePassedOver() throws {
        let harness = Harness()
        let session = try harness.start(environment: "production")
        try session.goto("check-health")
        try session.showCurrent()
        try session.skip(reason: nil)
        #expect(session.currentItem?.id == "with-token")
        try session.back()
        #expect(session.currentItem?.id == "check-health")
    }

    @Test func backAndGotoMoveWithoutRunning() throws {
        let harness = Harness()
        let session = try harness.start()
        #expect(throws: SessionError.atFirstItem) { try session.back() }
        try session.goto("rollback")
        #expect(session.currentItem?.id == "rollback")
        try session.back()
        #expect(session.currentItem?.id == "with-token")
        #expect(throws: SessionError.stepNotFound(id: "nope", runbook: "outage")) { try session.goto("nope") }
        #expect(harness.runner.requests.isEmpty)
    }

    @Test func noteIsRecordedRedacted() throws {
        let harness = Harness()
        let session = try harness.start()
        try session.setVariable("TOKEN", to: "s3cr3t-value")
        try session.note("tried token s3cr3t-value by hand")
        #expect(try harness.events(session).last?.payload["text"] == "tried token [REDACTED:TOKEN] by hand")
    }

    @Test func manualStepsAreConfirmedDone() throws {
        let harness = Harness()
        let session = try harness.start("triage", environment: "staging")
        #expect(throws: SessionError.self) { try session.run(output: CollectingOutputSink()) }
        try session.showCurrent()
        try session.completeManual()
        #expect(try harness.types(session).last == "manual.done")
        #expect(session.status(ofItem: "notify") == .done)
        #expect(session.currentItem?.id == "what-is-wrong")
    }

    @Test func choiceOpensTheRunbookAndReturnsAfterTheChoice() throws {
        let harness = Harness()
        let session = try harness.start("triage", environment: "staging")
        try session.completeManual()
        try session.showCurrent()
        #expect(throws: SessionError.noSuchOption(4, count: 3)) { try session.choose(option: 4) }
        #expect(throws: SessionError.notNavigable("https://example.com")) { try session.choose(option: 3) }
        try session.choose(option: 1)
        let choice = try #require(try harness.events(session).first { $0.type == .choiceMade })
        #expect(choice.payload["label"] == "Outage")
        #expect(choice.payload["target"] == "outage.md")
        #expect(session.runbook.id == "outage")
        #expect(session.currentItem?.id == "check-pods")
        #expect(session.canReturn)
        try session.goto("tell-customers")
        try session.completeManual()
        #expect(session.currentItem == nil)
        #expect(try session.returnToParent())
        #expect(session.runbook.id == "triage")
        #expect(session.currentItem?.id == "final-check")
        #expect(!session.canReturn)
        #expect(try session.returnToParent() == false)
    }

    @Test func choiceOfAHeadingMovesWithinTheRunbook() throws {
        let harness = Harness()
        let session = try harness.start("triage", environment: "staging")
        try session.completeManual()
        try session.choose(option: 2)
        #expect(session.runbook.id == "triage")
        #expect(session.currentItem?.id == "final-check")
        #expect(!session.canReturn)
    }

    @Test func openSwitchesRunbooksInsideTheIncident() throws {
        let harness = Harness()
        let session = try harness.start("triage", environment: "staging")
        try session.open(runbookID: "outage")
        #expect(session.runbook.id == "outage")
        #expect(throws: SessionError.runbookNotFound(id: "nope", available: ["outage", "triage"])) {
            try session.open(runbookID: "nope")
        }
        #expect(try harness.events(session).last?.payload["via"] == "open")
    }

    // MARK: - Secrets

    @Test func secretsAreRecordedWithoutValueAndRedactedFromOutput() throws {
        let harness = Harness(
            runner: FakeCommandRunner { request in .init(output: "echo \(request.environment["TOKEN"] ?? "")\n") })
        let session = try harness.start()
        try session.setVariable("TOKEN", to: "hunter2-token")
        let set = try #require(try harness.events(session).last)
        #expect(set.payload == ["name": "TOKEN", "source": "responder", "secret": true])
        #expect(harness.redactor.registeredNames == ["TOKEN"])
        try session.goto("with-token")
        let view = try #require(try session.showCurrent())
        #expect(view.variables.first?.displayValue == "••••••")
        let screen = CollectingOutputSink()
        let run = try session.run(output: screen)
        #expect(screen.text == "echo hunter2-token\n")  // the screen shows the real output
        let stored = try harness.store.output(
            incidentID: session.incidentID, commandSequence: try #require(run.commandSequence))
        #expect(String(decoding: stored.flatMap(\.data), as: UTF8.self) == "echo [REDACTED:TOKEN]\n")
        let everything = try harness.events(session).map(\.payload.canonicalString).joined()
        #expect(!everything.contains("hunter2-token"))
    }

    // MARK: - Destructive steps

    @Test func destructiveStepInProductionNeedsTypedConfirmation() throws {
        let harness = Harness()
        let session = try harness.start(environment: "production")
        try session.setVariable("NAMESPACE", to: "candlefish-prod")
        try session.goto("rollback")
        let view = try #require(try session.showCurrent())
        #expect(view.confirmationTarget == "candlefish-prod")
        let refused = try session.run(confirmation: "yes", output: CollectingOutputSink())
        #expect(refused.outcome == .refused(expected: "candlefish-prod"))
        #expect(harness.runner.requests.isEmpty)
        #expect(try harness.types(session).last == "step.refused")
        #expect(session.currentItem?.id == "rollback")
        #expect(try session.run(output: CollectingOutputSink()).outcome == .refused(expected: "candlefish-prod"))
        #expect(harness.runner.requests.isEmpty)
        let ran = try session.run(confirmation: "candlefish-prod", output: CollectingOutputSink())
        #expect(ran.outcome == .completed)
        #expect(harness.runner.requests.count == 1)
        let approved = try #require(try harness.events(session).first { $0.type == .stepApproved })
        #expect(approved.payload["confirmed_target"] == "candlefish-prod")
    }

    @Test func destructiveStepWithoutNamespaceConfirmsTheEnvironmentName() throws {
        let harness = Harness()
        let session = try harness.start(environment: "production")
        try session.showAdHoc("rm -rf /tmp/cache")
        #expect(
            try session.runAdHoc(confirmation: "y", output: CollectingOutputSink()).outcome
                == .refused(expected: "production"))
        try session.showAdHoc("rm -rf /tmp/cache")
        #expect(try session.runAdHoc(confirmation: "production", output: CollectingOutputSink()).outcome == .completed)
    }

    @Test func destructiveStepOutsideProductionNeedsNoConfirmation() throws {
        let harness = Harness()
        let session = try harness.start(environment: "staging")
        try session.setVariable("NAMESPACE", to: "candlefish-staging")
        try session.goto("rollback")
        let view = try #require(try session.showCurrent())
        #expect(view.confirmationTarget == nil)
        #expect(view.needsWarning)
        #expect(try session.run(output: CollectingOutputSink()).outcome == .completed)
    }

    // MARK: - Ad-hoc commands

    @Test func adHocCommandIsRecordedLikeAStepWithoutMoving() throws {
        let harness = Harness(runner: FakeCommandRunner { _ in .init(output: "ok\n") })
        let session = try harness.start()
        let view = try session.showAdHoc("uptime")
        #expect(view.kind == .adHoc)
        #expect(session.adHocCommand == "uptime")
        _ = try session.runAdHoc(output: CollectingOutputSink())
        #expect(
            try harness.types(session).suffix(4) == [
                "step.shown", "step.approved", "command.started", "command.finished",
            ])
        #expect(try harness.events(session).last?.stepID == nil)
        #expect(session.currentItem?.id == "check-pods")
        #expect(session.adHocCommand == nil)
    }

    // MARK: - Incident actions

    @Test func severityChangeRecordsFromToAndReason() throws {
        let harness = Harness()
        let session = try harness.start(severity: .p2)
        try session.changeSeverity(to: .p0, reason: "checkout down")
        try session.changeSeverity(to: .p0, reason: "again")
        let changes = try harness.events(session).filter { $0.type == .severityChanged }
        #expect(changes.map(\.payload) == [["from": "P2", "to": "P0", "reason": "checkout down"]])
        #expect(session.severity == .p0)
        #expect(session.incident.severity == .p0)
    }

    @Test func ackMitigatedHandoffAndResolveAreRecordedAndResolveCloses() throws {
        let harness = Harness()
        let clock = harness.clock
        let session = try harness.start()
        clock.advance(by: 90)
        try session.acknowledge(by: "bob")
        try session.acknowledge()
        try session.markMitigated()
        try session.handoff(to: "carol")
        try session.resolve(summary: "rolled back release 42")
        #expect(
            try harness.types(session).suffix(5) == [
                "ack.received", "ack.received", "status.changed", "handoff", "incident.resolved",
            ])
        #expect(session.acknowledgements == ["bob", "alice@bastion"])
        #expect(session.responder == "carol")
        #expect(session.isResolved)
        #expect(session.elapsed() == 90)
        #expect(try harness.store.incident(session.incidentID)?.status == .resolved)
        #expect(throws: SessionError.incidentClosed(id: session.incidentID)) { try session.note("late") }
    }

    @Test func suspendRecordsWhereTheSessionStopped() throws {
        let harness = Harness()
        let session = try harness.start()
        try session.goto("find-pod")
        try session.suspend(reason: "quit")
        let suspended = try #require(try harness.events(session).last)
        #expect(suspended.type == .sessionSuspended)
        #expect(suspended.stepID == "find-pod")
        #expect(suspended.payload["reason"] == "quit")
    }

    @Test func dryRunRecordsEveryItemShownAndRunsNothing() throws {
        let harness = Harness()
        let session = try harness.start(environment: "staging")
        var shown: [String] = []
        while let view = try session.showCurrent(dryRun: true) { shown.append(view.itemID) }
        #expect(
            shown == [
                "check-pods", "find-pod", "check-health", "staging-only", "with-token", "rollback", "tell-customers",
            ])
        #expect(harness.runner.requests.isEmpty)
        try session.abandon(reason: "dry run")
        #expect(try harness.store.incidents(openOnly: true, drillsOnly: false).isEmpty)
    }

    // MARK: - Resume

    @Test func resumeContinuesAtTheSameStepWithTheSameVariables() throws {
        let harness = Harness(runner: FakeCommandRunner { _ in .init(output: "pod/x\n") })
        let live = try harness.start("triage", environment: "production")
        try live.completeManual()
        try live.choose(option: 1)
        try live.setVariable("NAMESPACE", to: "candlefish-prod")
        try live.setVariable("TOKEN", to: "secret-token")
        try live.showCurrent()
        _ = try live.run(output: CollectingOutputSink())
        try live.showCurrent()
        _ = try live.run(output: CollectingOutputSink())  // captures POD
        try live.changeSeverity(to: .p0, reason: "worse")
        try live.showCurrent()
        try live.edit(command: "curl -fsS https://api/health")
        // The process dies here: nothing more is recorded.

        let resumed = try IncidentSession.resume(incidentID: nil, dependencies: harness.dependencies)
        #expect(resumed.incidentID == live.incidentID)
        #expect(resumed.runbook.id == "outage")
        #expect(resumed.currentItem?.id == "check-health")
        #expect(resumed.currentCommand == "curl -fsS https://api/health")
        #expect(resumed.canReturn)
        #expect(resumed.value(of: "NAMESPACE") == "candlefish-prod")
        #expect(resumed.value(of: "POD") == "pod/x")
        #expect(resumed.value(of: "TOKEN") == nil)
        #expect(resumed.secretsToAskAgain == ["TOKEN"])
        #expect(resumed.severity == .p0)
        #expect(resumed.status(ofItem: "check-pods") == .done)
        #expect(resumed.status(ofItem: "notify", inRunbook: "triage") == .done)
        let last = try #require(try harness.events(resumed).last)
        #expect(last.type == .sessionResumed)
        #expect(last.payload["secrets_to_ask"] == ["TOKEN"])
    }

    @Test func resumeAfterACrashBetweenAChoiceAndItsMoveLandsWhereTheChoiceLeads() throws {
        let harness = Harness()
        let live = try harness.start("triage", environment: "staging")
        try live.completeManual()
        try live.showCurrent()
        let choice = try #require(live.currentItem)
        // `choose` records `choice.made`, then `runbook.opened`; the process dies between the two.
        let made = try harness.store.append(
            EventDraft(
                .choiceMade, stepID: choice.id,
                payload: ["runbook": "triage", "option": 1, "label": "Outage", "target": "outage.md"]),
            to: live.incidentID, actor: "a@h", at: Date())
        #expect(made.type == .choiceMade)

        let resumed = try IncidentSession.resume(incidentID: live.incidentID, dependencies: harness.dependencies)
        #expect(resumed.runbook.id == "outage")
        #expect(resumed.canReturn)
        #expect(resumed.currentItem?.id == "check-pods")
        let types = try harness.types(resumed)
        #expect(types.suffix(3) == ["choice.made", "runbook.opened", "session.resumed"])
        // A second resume finds the move recorded and makes it no more.
        let again = try IncidentSession.resume(incidentID: live.incidentID, dependencies: harness.dependencies)
        #expect(again.frames.map(\.runbook.id) == ["triage", "outage"])
        #expect(try harness.types(again).filter { $0 == "runbook.opened" }.count == 2)
    }

    @Test func resumeRefusesResolvedAndMissingIncidents() throws {
        let harness = Harness()
        #expect(throws: SessionError.noOpenIncident) {
            try IncidentSession.resume(incidentID: nil, dependencies: harness.dependencies)
        }
        #expect(throws: SessionError.incidentNotFound(id: 7)) {
            try IncidentSession.resume(incidentID: 7, dependencies: harness.dependencies)
        }
        let session = try harness.start()
        try session.resolve(summary: nil)
        #expect(throws: SessionError.incidentClosed(id: session.incidentID)) {
            try IncidentSession.resume(incidentID: session.incidentID, dependencies: harness.dependencies)
        }
    }

    @Test func resumedStateMatchesTheLiveStateAfterEveryAction() throws {
        let harness = Harness(
            runner: FakeCommandRunner { request in
                .init(output: "out\n", exitCode: request.command.contains("health") ? 7 : 0)
            })
        let live = try harness.start("triage", environment: "staging")
        let actions: [(IncidentSession) throws -> Void] = [
            { try $0.showCurrent() }, { try $0.completeManual() }, { try $0.showCurrent() },
            { try $0.choose(option: 1) },
            { try $0.setVariable("NAMESPACE", to: "ns") }, { try $0.showCurrent() },
            { _ = try $0.run(output: CollectingOutputSink()) }, { try $0.skip(reason: "no") }, { try $0.showCurrent() },
            { _ = try $0.run(output: CollectingOutputSink()) }, { try $0.followFailureTarget() },
            { try $0.showCurrent() }, { try $0.changeSeverity(to: .p1) }, { try $0.acknowledge() },
        ]
        for action in actions {
            try action(live)
            let resumed = try IncidentSession.resume(incidentID: live.incidentID, dependencies: harness.dependencies)
            #expect(resumed.runbook.id == live.runbook.id)
            #expect(resumed.currentIndex == live.currentIndex)
            #expect(resumed.frames.map(\.runbook.id) == live.frames.map(\.runbook.id))
            #expect(resumed.severity == live.severity)
            #expect(resumed.variables == live.variables)
            for item in live.runbook.items {
                #expect(resumed.status(ofItem: item.id) == live.status(ofItem: item.id))
            }
        }
    }
}

/// Counts calls, for runners whose answer changes on retry.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func next() -> Int {
        lock.withLock {
            count += 1; return count
        }
    }
}

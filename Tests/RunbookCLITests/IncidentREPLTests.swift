import Foundation
import RunbookCLI
import RunbookKit
import RunbookTestSupport
import Testing

@Suite struct IncidentREPLTests {
    typealias Harness = SessionFixtures.Harness

    /// Drives a REPL over `session` with `answers`, one per line; returns how it ended and what it printed.
    func drive(_ session: IncidentSession, _ answers: String) throws -> (IncidentREPL.Ending, String) {
        let pipe = Pipe()
        pipe.fileHandleForWriting.write(Data(answers.utf8))
        try pipe.fileHandleForWriting.close()
        let screen = ScreenText()
        let reader = PlainLineReader(input: pipe.fileHandleForReading, echo: screen.append)
        let output = CollectingOutputSink()
        let repl = IncidentREPL(
            session: session, reader: reader, renderer: SessionRenderer(), write: screen.append,
            commandOutput: output)
        let ending = try repl.run()
        return (ending, screen.text + output.text)
    }

    @Test func walksStepsWithApprovalsAndResolves() throws {
        let harness = Harness(runner: FakeCommandRunner { _ in .init(output: "pod/a\n") })
        let session = try harness.start()
        let (ending, screen) = try drive(session, "\ny\ny\nresolve rolled back\n")
        #expect(ending == .resolved)
        #expect(screen.contains("NAMESPACE (default: candlefish-prod): "))
        #expect(screen.contains("[1/7] Title of check-pods"))
        #expect(screen.contains("$ kubectl get pods -n \"$NAMESPACE\""))
        #expect(screen.contains("variables: NAMESPACE=candlefish-prod"))
        #expect(screen.contains("✓ exit 0"))
        #expect(screen.contains("captured POD=pod/a"))
        #expect(screen.contains("#1 P1 production 00:00 › "))
        #expect(harness.runner.requests.count == 2)
        #expect(try harness.types(session).last == "incident.resolved")
    }

    @Test func emptyLineOnlyShowsTheChoicesAgain() throws {
        let harness = Harness()
        let session = try harness.start()
        let (ending, screen) = try drive(session, "candlefish-prod\n\n\nq\n")
        #expect(ending == .suspended)
        #expect(harness.runner.requests.isEmpty)
        // Shown with the step, again once NAMESPACE is answered, then twice for the empty lines.
        #expect(screen.components(separatedBy: "run? y/yes/run").count == 5)
        #expect(try harness.types(session).last == "session.suspended")
    }

    @Test func inputEndingInTheMiddleOfAStepIsReported() throws {
        let harness = Harness()
        let session = try harness.start()
        let (ending, screen) = try drive(session, "ns\n")
        #expect(ending == .inputEnded)
        #expect(screen.contains("input ended in the middle of a step"))
        let suspended = try #require(try harness.events(session).last)
        #expect(suspended.payload["reason"] == "input ended mid-step")
    }

    @Test func quitAtAVariablePromptSuspendsInsteadOfBecomingTheValue() throws {
        let harness = Harness()
        let session = try harness.start()
        let (ending, _) = try drive(session, "q\n")
        #expect(ending == .suspended)
        #expect(session.value(of: "NAMESPACE") == nil)
        let events = try harness.events(session)
        #expect(!events.contains { $0.type == .variableSet })
        #expect(events.last?.type == .sessionSuspended)
        #expect(events.last?.payload["reason"] == "quit")
    }

    @Test func skipNoteAndMitigatedAtAVariablePromptAreCommands() throws {
        let harness = Harness()
        let session = try harness.start(environment: "staging")
        // note and mitigated keep asking for NAMESPACE; skip leaves the step without a value.
        let (ending, screen) = try drive(
            session, "note looking at Grafana first\nmitigated\nskip no cluster access\nq\n")
        #expect(ending == .suspended)
        #expect(screen.components(separatedBy: "NAMESPACE (default: candlefish-staging): ").count == 4)
        #expect(screen.contains("– skipped"))
        #expect(screen.contains("Title of find-pod"))
        let events = try harness.events(session)
        #expect(events.contains { $0.type == .noteAdded && $0.payload["text"] == "looking at Grafana first" })
        #expect(events.contains { $0.type == .statusChanged && $0.payload["to"] == "mitigated" })
        #expect(events.contains { $0.type == .stepSkipped && $0.stepID == "check-pods" })
        #expect(!events.contains { $0.type == .variableSet && $0.payload["name"] == "NAMESPACE" })
        #expect(harness.runner.requests.isEmpty)
    }

    @Test func anEqualsSignEntersACommandWordAsTheValue() throws {
        let harness = Harness()
        let session = try harness.start(environment: "staging")
        let (_, screen) = try drive(session, "=quit\nq\n")
        #expect(session.value(of: "NAMESPACE") == "quit")
        #expect(screen.contains("variables: NAMESPACE=quit"))
    }

    @Test func editSkipNoteSeverityAndFailureBranch() throws {
        let harness = Harness(
            runner: FakeCommandRunner { request in
                request.command.contains("health") ? .init(output: "503\n", exitCode: 22) : .init(output: "ok\n")
            })
        let session = try harness.start(environment: "staging")
        let answers = """
            ns
            s checked in Grafana
            e
            kubectl get pods -o name | tail -1
            y
            n customers report 502s
            sev P0 checkout is down
            y
            o
            steps
            q

            """
        let (ending, screen) = try drive(session, answers)
        #expect(ending == .suspended)
        #expect(screen.contains("✗ exit 22 (expected 0)"))
        #expect(screen.contains("o/on-fail (go to rollback)"))
        #expect(screen.contains("severity P1 → P0"))
        #expect(screen.contains("–  1. check-pods"))
        #expect(screen.contains("✓  2. find-pod"))
        #expect(screen.contains("✗  3. check-health"))
        #expect(screen.contains("› ·  6. rollback"))
        let events = try harness.events(session)
        #expect(events.contains { $0.type == .stepSkipped && $0.payload["reason"] == "checked in Grafana" })
        #expect(
            events.contains { $0.type == .stepEdited && $0.payload["after"] == "kubectl get pods -o name | tail -1" })
        #expect(events.contains { $0.type == .noteAdded && $0.payload["text"] == "customers report 502s" })
        #expect(events.contains { $0.type == .severityChanged && $0.payload["reason"] == "checkout is down" })
        #expect(
            harness.runner.requests.map(\.command) == [
                "kubectl get pods -o name | tail -1", "curl -f https://api/health",
            ])
    }

    @Test func destructiveStepInProductionIsRefusedWithoutTheTypedName() throws {
        let harness = Harness()
        let session = try harness.start(environment: "production")
        try session.setVariable("NAMESPACE", to: "candlefish-prod")
        try session.goto("rollback")
        let (ending, screen) = try drive(session, "y\nyes\ny\ncandlefish-prod\nq\n")
        #expect(ending == .suspended)
        #expect(screen.contains("⚠ destructive"))
        #expect(screen.contains("Type 'candlefish-prod' to run it"))
        #expect(screen.contains("cancelled: the typed name did not match 'candlefish-prod'; nothing ran"))
        #expect(harness.runner.requests.count == 1)
        #expect(try harness.events(session).filter { $0.type == .stepRefused }.count == 1)
    }

    @Test func choiceManualAndReturnToTheParentRunbook() throws {
        let harness = Harness()
        let session = try harness.start("triage", environment: "staging")
        let (ending, screen) = try drive(session, "d\n1\nns\ngoto tell-customers\ndone\nnext\nstatus\nq\n")
        #expect(ending == .suspended)
        #expect(screen.contains("1) Outage  → outage.md"))
        #expect(screen.contains("end of outage. `next` goes back to triage"))
        #expect(screen.contains("[3/3] Title of final-check"))
        #expect(screen.contains("runbooks: triage"))
        #expect(try harness.events(session).contains { $0.type == .choiceMade && $0.payload["option"] == 1 })
    }

    @Test func secretsArePromptedWithoutEchoAndSetRefusesThemOnTheCommandLine() throws {
        let harness = Harness()
        let session = try harness.start(environment: "staging")
        try session.goto("with-token")
        let (_, screen) = try drive(session, "hunter2\nset TOKEN=x\nvars\nq\n")
        #expect(!screen.contains("hunter2"))
        #expect(screen.contains("TOKEN: ••••••"))
        #expect(screen.contains("TOKEN is secret"))
        #expect(screen.contains("TOKEN=••••••  (secret)"))
        #expect(session.value(of: "TOKEN") == "hunter2")
    }

    @Test func adHocCommandsNeedApproval() throws {
        let harness = Harness(runner: FakeCommandRunner { _ in .init(output: "up 3 days\n") })
        let session = try harness.start(environment: "staging")
        let (_, screen) = try drive(session, "ns\nsh uptime\nn\nsh uptime\ny\nexport yaml\nq\n")
        #expect(harness.runner.requests.map(\.command) == ["uptime"])
        #expect(screen.contains("cancelled; nothing ran"))
        #expect(screen.contains("up 3 days"))
        #expect(screen.contains("export takes markdown, json, asciicast or html"))
    }

    @Test func completerOffersCommandsStepsRunbooksAndSeverities() throws {
        let harness = Harness()
        let session = try harness.start(environment: "staging")
        let reader = PlainLineReader(input: FileHandle.nullDevice)
        let repl = IncidentREPL(
            session: session, reader: reader, renderer: SessionRenderer(), write: { _ in },
            commandOutput: CollectingOutputSink())
        #expect(repl.completions(line: "re", word: "re") == ["rerun", "resolve", "retry"])
        #expect(repl.completions(line: "goto check-", word: "check-") == ["check-health", "check-pods"])
        #expect(repl.completions(line: "open ", word: "") == ["outage", "triage"])
        #expect(repl.completions(line: "sev P", word: "P") == ["P0", "P1", "P2", "P3"])
        #expect(reader.completer?("sev ", "") == ["P0", "P1", "P2", "P3"])
    }

    @Test func promptShowsIncidentSeverityEnvironmentAndElapsedTime() {
        let renderer = SessionRenderer()
        #expect(
            renderer.prompt(incidentID: 12, severity: .p1, environment: "production", elapsed: 271)
                == "#12 P1 production 04:31 › ")
        #expect(SessionRenderer.clock(3723) == "1:02:03")
        #expect(SessionRenderer.duration(90) == "1m30s")
    }
}

/// Collects printed text.
final class ScreenText: @unchecked Sendable {
    private let lock = NSLock()
    private var parts: [String] = []
    var text: String { lock.withLock { parts.joined() } }
    func append(_ text: String) { lock.withLock { parts.append(text) } }
}

import Foundation
import RunbookKit

/// Hand-built runbooks (`triage` choosing `outage`) and a session wired to fakes, for unit tests of the session
/// and the REPL.
public enum SessionFixtures {
    public static func location(_ file: String, _ line: Int) -> SourceLocation {
        SourceLocation(file: file, line: line)
    }

    public static func step(
        _ id: String, _ command: String, line: Int, file: String = "outage.md", attributes: StepAttributes? = nil
    ) -> RunbookItem {
        var attributes = attributes ?? StepAttributes()
        attributes.id = id
        return .step(
            Step(
                id: id, title: "Title of \(id)", guidance: "Guidance for \(id).", command: command,
                attributes: attributes, location: location(file, line)))
    }

    public static let triage = Runbook(
        id: "triage", title: "Triage", path: "triage.md", severity: .p2, environments: [],
        items: [
            .manual(
                ManualStep(
                    id: "notify", title: "Notify", text: "Notify #incident-response", location: location("triage.md", 5)
                )),
            .choice(
                Choice(
                    id: "what-is-wrong", title: "What is wrong?", prompt: "Pick one",
                    options: [
                        ChoiceOption(
                            label: "Outage", target: .runbook(id: "outage", anchor: nil),
                            location: location("triage.md", 9)),
                        ChoiceOption(
                            label: "Checks", target: .heading(anchor: "final-checks"),
                            location: location("triage.md", 10)),
                        ChoiceOption(
                            label: "Docs", target: .external("https://example.com"), location: location("triage.md", 11)
                        ),
                    ], location: location("triage.md", 9))),
            step("final-check", "echo final", line: 15, file: "triage.md"),
        ],
        sections: [
            Section(title: "Triage", level: 1, anchor: "triage", location: location("triage.md", 1)),
            Section(title: "Final checks", level: 2, anchor: "final-checks", location: location("triage.md", 13)),
        ])

    public static let outage = Runbook(
        id: "outage", title: "Outage", path: "outage.md", severity: .p1, environments: ["production", "staging"],
        variables: [
            VariableSpec(
                name: "NAMESPACE", defaultValue: "candlefish-${ENVIRONMENT}",
                defaultsByEnvironment: ["production": "candlefish-prod"]),
            VariableSpec(name: "TOKEN", secret: true),
            VariableSpec(name: "SERVICE", choices: ["website", "backend-api"]),
            VariableSpec(name: "REPLICAS", pattern: "[0-9]+"),
            VariableSpec(name: "POD"),
        ],
        items: [
            step("check-pods", "kubectl get pods -n \"$NAMESPACE\"", line: 10, attributes: StepAttributes(risk: .read)),
            step(
                "find-pod", "kubectl get pods -o name | head -1", line: 20, attributes: StepAttributes(capture: "POD")),
            step(
                "check-health", "curl -f https://api/health", line: 30,
                attributes: StepAttributes(risk: .read, onFail: "rollback")),
            step("staging-only", "echo staging", line: 35, attributes: StepAttributes(environments: ["staging"])),
            step("with-token", "curl -H \"Authorization: $TOKEN\" https://api", line: 40),
            step(
                "rollback", "helm rollback candlefish -n \"$NAMESPACE\"", line: 50,
                attributes: StepAttributes(risk: .destructive)),
            .manual(
                ManualStep(
                    id: "tell-customers", title: "Tell customers", text: "Post on the status page",
                    location: location("outage.md", 60))),
        ])

    /// A session over `triage` and `outage`, with fakes; returns the pieces a test inspects.
    public struct Harness {
        /// The real store, on an in-memory SQLite database, redacting with `redactor`.
        public var store: SQLiteTranscriptStore
        public var runner: FakeCommandRunner
        public var clock = TestClock()
        public var redactor = RecordingRedactor()
        public var loader = InMemoryRunbookLoader([triage, outage])

        public init(runner: FakeCommandRunner = FakeCommandRunner()) {
            self.runner = runner
            // An in-memory database cannot fail to open short of running out of memory.
            store = try! SQLiteTranscriptStore.inMemory(redactor: redactor)
        }

        public var dependencies: SessionDependencies {
            SessionDependencies(
                store: store, runner: runner, clock: clock, loader: loader, actor: "alice@bastion",
                baseEnvironment: ["PATH": "/usr/bin:/bin", "HOME": "/home/alice"],
                looksDestructive: { $0.contains("helm rollback") || $0.contains("rm -rf") })
        }

        public func start(_ runbook: String = "outage", environment: String = "production", severity: Severity? = nil)
            throws -> IncidentSession
        {
            try IncidentSession.start(
                IncidentStart(
                    runbookID: runbook, environment: environment, severity: severity, host: "bastion", user: "alice"),
                dependencies: dependencies)
        }

        public func events(_ session: IncidentSession) throws -> [RecordedEvent] {
            try store.events(incidentID: session.incidentID)
        }

        public func types(_ session: IncidentSession) throws -> [String] {
            try events(session).map(\.type.rawValue)
        }
    }
}

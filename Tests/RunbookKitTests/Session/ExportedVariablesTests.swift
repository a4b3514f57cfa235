import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit

/// What a step exports reaches later steps as environment, is recorded as `variable.set` with source `export`
/// (secret-looking ones as secrets), and comes back on resume (docs/execution.md, "Exported variables").
@Suite struct ExportedVariablesTests {
    typealias Harness = SessionFixtures.Harness

    /// A harness whose runner "exports" `changes` from the first command only.
    func harness(exporting changes: EnvironmentChanges) -> Harness {
        let first = LockedFlag()
        return Harness(
            runner: FakeCommandRunner { _ in
                first.takeFirst() ? .init(environmentChanges: changes) : .init()
            })
    }

    func runCheckPodsThenFindPod(_ session: IncidentSession) throws -> StepRun {
        try session.setVariable("NAMESPACE", to: "candlefish-prod")
        try session.showCurrent()
        let run = try session.run(output: CollectingOutputSink())
        try session.showCurrent()
        _ = try session.run(output: CollectingOutputSink())
        return run
    }

    @Test func anExportedVariableReachesLaterCommandsAsEnvironmentOnly() throws {
        let harness = harness(exporting: EnvironmentChanges(exported: ["NS": "openshift-monitoring"]))
        let session = try harness.start()
        let run = try runCheckPodsThenFindPod(session)
        #expect(run.exported == [CapturedValue(name: "NS", value: "openshift-monitoring", isSecret: false)])
        let requests = harness.runner.requests
        #expect(requests.allSatisfy { $0.collectsExports })
        #expect(requests.first?.environment["NS"] == nil)
        #expect(requests.last?.environment["NS"] == "openshift-monitoring")
        #expect(requests.last?.command == "kubectl get pods -o name | head -1")
        let set = try #require(
            try harness.events(session).first { $0.type == .variableSet && $0.payload["name"] == "NS" })
        #expect(set.payload["source"] == "export")
        #expect(set.payload["value"] == "openshift-monitoring")
        #expect(set.stepID == "check-pods")
        let shown = session.variables.first { $0.name == "NS" }
        #expect(
            shown == StepView.Variable(name: "NS", value: "openshift-monitoring", isSecret: false, isExported: true))
    }

    @Test func anAdHocCommandExportsToo() throws {
        let harness = harness(exporting: EnvironmentChanges(exported: ["NS": "from-sh"]))
        let session = try harness.start()
        try session.showAdHoc("export NS=from-sh")
        _ = try session.runAdHoc(output: CollectingOutputSink())
        #expect(session.value(of: "NS") == "from-sh")
        let set = try #require(try harness.events(session).first { $0.type == .variableSet })
        #expect(set.stepID == nil)
        #expect(set.payload["source"] == "export")
    }

    @Test func exportsAreRecordedBeforeTheCommandFinishesAndAlsoWhenItFails() throws {
        let harness = Harness(
            runner: FakeCommandRunner { _ in .init(exitCode: 3, environmentChanges: .init(exported: ["NS": "x"])) })
        let session = try harness.start()
        try session.setVariable("NAMESPACE", to: "candlefish-prod")
        try session.showCurrent()
        let run = try session.run(output: CollectingOutputSink())
        #expect(run.outcome == .unexpectedExit)
        let types = try harness.types(session)
        #expect(Array(types.suffix(2)) == ["variable.set", "command.finished"])
        #expect(session.value(of: "NS") == "x")
    }

    @Test func aSecretLookingExportIsRegisteredAndRecordedWithoutItsValue() throws {
        let harness = harness(
            exporting: EnvironmentChanges(exported: ["API_TOKEN": "tok-4711-plain", "NS": "monitoring"]))
        let session = try harness.start()
        let run = try runCheckPodsThenFindPod(session)
        #expect(run.exported.map(\.isSecret) == [true, false])
        #expect(harness.redactor.registeredNames.contains("API_TOKEN"))
        let set = try #require(
            try harness.events(session).first { $0.type == .variableSet && $0.payload["name"] == "API_TOKEN" })
        #expect(set.payload["secret"] == true)
        #expect(set.payload["value"] == nil)
        #expect(harness.runner.requests.last?.environment["API_TOKEN"] == "tok-4711-plain")
        #expect(session.isSecret("API_TOKEN"))
    }

    @Test func aValueTheRedactorRecognisesIsASecretWhateverItsName() throws {
        let harness = Harness()
        harness.redactor.registerSecret("known-secret-value", name: "EARLIER")
        let session = try harness.start()
        #expect(session.exportLooksSecret("PLAIN_NAME", value: "prefix-known-secret-value"))
        #expect(session.exportLooksSecret("db_password", value: "x"))
        #expect(!session.exportLooksSecret("NS", value: "monitoring"))
    }

    @Test func reservedAndInvalidNamesAreNotPassedOn() throws {
        let harness = harness(
            exporting: EnvironmentChanges(
                exported: [
                    "PATH": "/evil:/usr/bin", "LD_PRELOAD": "/x.so", "a-b": "c", "ENVIRONMENT": "prod", "OK": "1",
                ]
            ))
        let session = try harness.start()
        let run = try runCheckPodsThenFindPod(session)
        #expect(run.exported.map(\.name) == ["OK"])
        #expect(run.ignoredExports == ["ENVIRONMENT", "LD_PRELOAD", "PATH", "a-b"])
        let environment = try #require(harness.runner.requests.last?.environment)
        #expect(environment["PATH"] == "/usr/bin:/bin")
        #expect(environment["LD_PRELOAD"] == nil)
        #expect(environment["ENVIRONMENT"] == "production")
    }

    @Test func anUnsetVariableIsGoneForLaterStepsAndAfterResume() throws {
        let runner = FakeCommandRunner { request in
            switch request.command {
            case let command where command.hasPrefix("kubectl get pods -n"):
                return .init(environmentChanges: .init(exported: ["NS": "x", "OTHER": "y"]))
            case let command where command.hasPrefix("kubectl get pods -o"):
                return .init(output: "pod/x\n", environmentChanges: .init(unset: ["NS", "HOME"]))
            default:
                return .init()
            }
        }
        let harness = Harness(runner: runner)
        let live = try harness.start()
        _ = try runCheckPodsThenFindPod(live)
        #expect(live.value(of: "NS") == nil)
        #expect(live.childEnvironment()["HOME"] == "/home/alice")  // reserved: never unset for later steps
        #expect(live.childEnvironment()["NS"] == nil)
        #expect(live.childEnvironment()["OTHER"] == "y")

        let resumed = try IncidentSession.resume(incidentID: nil, dependencies: harness.dependencies)
        #expect(resumed.value(of: "NS") == nil)
        #expect(resumed.value(of: "OTHER") == "y")
        #expect(resumed.childEnvironment()["NS"] == nil)
        #expect(resumed.variables.first { $0.name == "OTHER" }?.isExported == true)
    }

    @Test func resumeRestoresExportsAndAsksAgainForSecretOnes() throws {
        let harness = harness(exporting: EnvironmentChanges(exported: ["NS": "monitoring", "DB_PASSWORD": "pw-1"]))
        let live = try harness.start()
        _ = try runCheckPodsThenFindPod(live)
        let resumed = try IncidentSession.resume(incidentID: nil, dependencies: harness.dependencies)
        #expect(resumed.value(of: "NS") == "monitoring")
        #expect(resumed.childEnvironment()["NS"] == "monitoring")
        #expect(resumed.value(of: "DB_PASSWORD") == nil)
        #expect(resumed.secretsToAskAgain.contains("DB_PASSWORD"))
        // The REPL asks for it before a command that uses it, as for a declared secret.
        let asked = resumed.missingVariables(in: "psql \"password=$DB_PASSWORD\" -c 'select 1'")
        #expect(asked.map(\.name) == ["DB_PASSWORD"])
        #expect(asked.first?.secret == true)
    }
}

/// True for the first caller only.
final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var taken = false

    func takeFirst() -> Bool {
        lock.withLock {
            defer { taken = true }
            return !taken
        }
    }
}

import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// What the responder approves is exactly what runs (issue #15): redaction is for what is stored, confirmations
/// never accept an empty name, and no variable may change how the shell behaves.
@Suite struct ApprovedCommandTests {
    typealias Harness = SessionFixtures.Harness

    /// A harness whose store redacts with the session's redactor, as the real one does, and knows `hunter2`.
    func redactingHarness() throws -> Harness {
        var harness = Harness()
        harness.store = try SQLiteTranscriptStore.inMemory(redactor: harness.redactor)
        harness.redactor.registerSecret("hunter2", name: "password")
        return harness
    }

    @Test func anEditedCommandRunsAsTypedWhileTheTranscriptKeepsItRedacted() throws {
        let harness = try redactingHarness()
        let session = try harness.start()
        try session.goto("find-pod")
        try session.showCurrent()
        try session.edit(command: "login --password=hunter2")
        let edited = try #require(try harness.events(session).last)
        #expect(edited.payload["after"] == "login --password=[REDACTED:password]")
        #expect(edited.payload["redacted"] == true)
        let view = try #require(try session.showCurrent())
        #expect(view.command == "login --password=hunter2")
        _ = try session.run(output: CollectingOutputSink())
        #expect(harness.runner.requests.last?.command == "login --password=hunter2")
        let started = try #require(try harness.events(session).last { $0.type == .commandStarted })
        #expect(started.payload["command"] == "login --password=[REDACTED:password]")
    }

    @Test func aResumedSessionNeverRunsARedactedEdit() throws {
        let harness = try redactingHarness()
        let live = try harness.start()
        try live.goto("find-pod")
        try live.showCurrent()
        try live.edit(command: "login --password=hunter2")
        try live.suspend(reason: "test")
        let resumed = try IncidentSession.resume(incidentID: nil, dependencies: harness.dependencies)
        #expect(resumed.currentCommand == "kubectl get pods -o name | head -1")
    }

    @Test func anEmptyNamespaceRefusesADestructiveStepAndNamesTheVariable() throws {
        let harness = Harness()
        let session = try harness.start()
        // Declared variables refuse an empty answer; a capture of empty output is how it happens.
        try session.setVariable("NAMESPACE", to: "", source: "capture")
        try session.goto("rollback")
        let view = try #require(try session.showCurrent())
        #expect(view.confirmationTarget == "")
        let error = try #require(throws: SessionError.self) {
            try session.run(confirmation: "", output: CollectingOutputSink())
        }
        #expect(error == .emptyConfirmationTarget(variable: "NAMESPACE"))
        #expect(error.summary.contains("NAMESPACE is empty"))
        #expect(harness.runner.requests.isEmpty)
        let refused = try #require(try harness.events(session).last)
        #expect(refused.type == .stepRefused)
        #expect(refused.payload["reason"] == "confirmation target NAMESPACE is empty")
    }

    @Test func aBlankNamespaceIsRefusedToo() throws {
        let harness = Harness()
        let session = try harness.start()
        try session.setVariable("NAMESPACE", to: "  ", source: "capture")
        try session.goto("rollback")
        try session.showCurrent()
        #expect(throws: SessionError.emptyConfirmationTarget(variable: "NAMESPACE")) {
            try session.run(confirmation: "  ", output: CollectingOutputSink())
        }
        #expect(harness.runner.requests.isEmpty)
    }

    @Test(arguments: ["PATH", "LD_PRELOAD", "BASH_ENV", "IFS", "HOME"])
    func settingAVariableThatChangesTheShellIsRefused(_ name: String) throws {
        let harness = Harness()
        let session = try harness.start()
        let error = try #require(throws: SessionError.self) { try session.setVariable(name, to: "/tmp/x") }
        #expect(error.summary.contains("changes how the shell or the loader behaves"))
        #expect(session.childEnvironment()[name] != "/tmp/x")
    }

    @Test func anEditWithAControlCharacterIsRefused() throws {
        let harness = Harness()
        let session = try harness.start()
        try session.goto("find-pod")
        try session.showCurrent()
        let error = try #require(throws: SessionError.self) {
            try session.edit(command: "rm -rf /tmp/x #\u{1B}[2K\u{1B}[1Gecho ok")
        }
        #expect(error.summary.contains("^["))
        #expect(throws: SessionError.self) { try session.showAdHoc("echo \u{1B}[2Kok") }
    }
}

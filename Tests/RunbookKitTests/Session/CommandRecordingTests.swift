import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

@Suite struct CommandRecordingTests {
    /// `runbook record`'s path: the store's redactor is the only one, and it reaches the title, the note, the
    /// command line and the output (before the limit cuts it), while the screen shows the real output.
    @Test func storageIsRedactedAndLimitedWhileTheScreenShowsTheRealOutput() throws {
        let screen = ScreenCapture()
        let redactor = Redactor()
        redactor.addSecret(name: "API_KEY", value: "k-123456")
        let store = try SQLiteTranscriptStore.inMemory(redactor: redactor)
        var environment = testEnvironment
        environment["API_KEY"] = "k-123456"
        let recording = CommandRecording(
            request: CommandRequest(
                command: "echo \"key=$API_KEY\"; head -c 5000 /dev/zero | tr '\\0' z; echo # k-123456",
                environment: environment),
            runnerName: "pipe", note: "the key is k-123456", outputLimit: 1000)
        let outcome = try recording.record(
            into: nil, store: store, runner: PipeCommandRunner(screen: screen.writeEnd),
            identity: ResponderIdentity(user: "alice", host: "ops-1"))
        let result = try outcome.result.get()

        let shown = String(decoding: screen.finish(), as: UTF8.self)
        #expect(shown.hasPrefix("key=k-123456\n"))
        let events = try store.events(incidentID: outcome.incidentID)
        #expect(events.map(\.type) == [.incidentDeclared, .noteAdded, .commandStarted, .commandFinished])
        let started = try #require(events.first { $0.type == .commandStarted })
        let chunks = try store.output(incidentID: outcome.incidentID, commandSequence: started.sequence)
        let stored = chunks.reduce(into: Data()) { $0.append($1.data) }
        let text = String(decoding: stored, as: UTF8.self)
        #expect(text.hasPrefix("key=[REDACTED:API_KEY]\n"))
        #expect(stored.count == 1000)
        #expect(result.outputBytes == 13 + 5000 + 1)
        #expect(result.droppedBytes == 13 + 10 + 5000 + 1 - 1000)
        #expect(events.last?.payload["dropped_bytes"] == .int(Int64(result.droppedBytes)))
        #expect(events.last?.payload["output_bytes"] == .int(Int64(result.outputBytes)))
        #expect(events[1].payload["text"] == "the key is [REDACTED:API_KEY]")
        #expect(started.payload["command"]?.stringValue?.hasSuffix("# [REDACTED:API_KEY]") == true)
        #expect(try store.incident(outcome.incidentID)?.title.contains("k-123456") == false)
        for event in events { #expect(!"\(event.payload)".contains("k-123456")) }
    }

    /// A command whose shell is missing never starts: nothing is declared or recorded.
    @Test func aCommandThatCannotStartRecordsNothing() throws {
        let store = try SQLiteTranscriptStore.inMemory()
        let recording = CommandRecording(
            request: CommandRequest(command: "true", shell: "/nonexistent/shell"), runnerName: "pipe",
            outputLimit: 1000)
        #expect(throws: ExecutionError.self) {
            try recording.record(
                into: nil, store: store, runner: PipeCommandRunner(), identity: ResponderIdentity(user: "a", host: "h"))
        }
        #expect(try store.incidents(openOnly: false, drillsOnly: false).isEmpty)
    }
}

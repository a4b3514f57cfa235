import Foundation
import RunbookCLI
import RunbookKit
import RunbookTestSupport
import Testing

/// Scripted answers, and a record of every line the REPL asked to keep in the line-editor history.
final class HistoryRecordingReader: LineReading {
    private let plain: PlainLineReader
    private(set) var history: [String] = []
    var completer: ((_ line: String, _ word: String) -> [String])?
    var isInteractive: Bool { false }

    init(_ answers: String, echo: @escaping (String) -> Void) throws {
        let pipe = Pipe()
        pipe.fileHandleForWriting.write(Data(answers.utf8))
        try pipe.fileHandleForWriting.close()
        plain = PlainLineReader(input: pipe.fileHandleForReading, echo: echo)
    }

    func readLine(prompt: String, prefill: String?, tick: (() -> PromptUpdate)?) -> LineInput {
        plain.readLine(prompt: prompt, prefill: prefill, tick: tick)
    }

    func readSecret(prompt: String) -> LineInput { plain.readSecret(prompt: prompt) }

    func addToHistory(_ line: String) { history.append(line) }
}

/// What reaches the history file, and the order of what the REPL shows and asks.
@Suite struct REPLHistoryTests {
    typealias Harness = SessionFixtures.Harness

    func drive(_ harness: Harness, _ session: IncidentSession, _ answers: String) throws -> (
        screen: String, history: [String]
    ) {
        let screen = ScreenText()
        let reader = try HistoryRecordingReader(answers, echo: screen.append)
        let output = CollectingOutputSink()
        let repl = IncidentREPL(
            session: session, reader: reader, renderer: SessionRenderer(), write: screen.append,
            commandOutput: output)
        _ = try repl.run()
        return (screen.text + output.text, reader.history)
    }

    @Test func onlyCommandLinesReachTheHistoryNeverAnswersOrSecrets() throws {
        let harness = Harness()
        harness.redactor.registerSecret("hunter2", name: "password")
        let session = try harness.start()
        // NAMESPACE (variable answer), run, goto, run, the typed confirmation, a note the redactor would change.
        let (screen, history) = try drive(
            harness, session,
            "candlefish-prod\ny\ngoto rollback\ny\ncandlefish-prod\nnote hunter2 was in the log\nset TOKEN\ntok-1\nq\n")
        #expect(screen.contains("Type 'candlefish-prod' to run it"), "\(screen)")
        #expect(harness.runner.requests.map(\.command).last == "helm rollback candlefish -n \"$NAMESPACE\"")
        #expect(history == ["y", "goto rollback", "y", "set TOKEN", "q"])
    }

    @Test func aStepIsShownBeforeItsVariablesAreAsked() throws {
        let harness = Harness()
        let session = try harness.start()
        let (screen, _) = try drive(harness, session, "\nq\n")
        let header = try #require(screen.range(of: "[1/7] Title of check-pods"))
        let command = try #require(screen.range(of: "$ kubectl get pods -n \"$NAMESPACE\""))
        let question = try #require(screen.range(of: "NAMESPACE (default: candlefish-prod): "))
        #expect(header.lowerBound < question.lowerBound)
        #expect(command.lowerBound < question.lowerBound)
        // Once answered, the value is shown before the step can be approved.
        let value = try #require(screen.range(of: "variables: NAMESPACE=candlefish-prod"))
        #expect(question.lowerBound < value.lowerBound)
    }

    @Test func afterAStepSucceedsTheNextOneIsShownBeforeItsVariableIsAsked() throws {
        let harness = Harness()
        let session = try harness.start()
        try session.setVariable("NAMESPACE", to: "candlefish-prod")
        try session.goto("check-health")
        let (screen, _) = try drive(harness, session, "y\nq\n")
        let done = try #require(screen.range(of: "✓ exit 0"))
        let header = try #require(screen.range(of: "Title of with-token"))
        let question = try #require(screen.range(of: "TOKEN: "))
        #expect(done.lowerBound < header.lowerBound)
        #expect(header.lowerBound < question.lowerBound, "\(screen)")
    }

    @Test func anEmptyNamespaceIsNeverAskedForAndTheStepDoesNotRun() throws {
        let harness = Harness()
        let session = try harness.start()
        try session.setVariable("NAMESPACE", to: "", source: "capture")
        let (screen, _) = try drive(harness, session, "goto rollback\ny\n\nq\n")
        #expect(screen.contains("NAMESPACE is empty"), "\(screen)")
        #expect(!screen.contains("Type ''"), "\(screen)")
        #expect(harness.runner.requests.isEmpty)
    }
}

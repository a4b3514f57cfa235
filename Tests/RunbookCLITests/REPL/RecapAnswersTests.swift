import Foundation
import RunbookCLI
import RunbookKit
import RunbookTestSupport
import Testing

/// A person at a terminal, as far as the REPL can tell: scripted answers, `isInteractive` true, every prompt kept.
final class TerminalLikeReader: LineReading {
    private var answers: [String]
    private(set) var prompts: [String] = []
    var completer: ((_ line: String, _ word: String) -> [String])?
    var isInteractive: Bool { true }

    init(_ answers: [String]) { self.answers = answers }

    func readLine(prompt: String, prefill: String?, tick: (() -> PromptUpdate)?) -> LineInput {
        prompts.append(prompt)
        return answers.isEmpty ? .endOfInput : .line(answers.removeFirst())
    }

    func readSecret(prompt: String) -> LineInput { readLine(prompt: prompt, prefill: nil, tick: nil) }
    func addToHistory(_ line: String) {}
}

/// The questions of issue #20 at a terminal: the handoff note, the summary of a production `resolve`, and `s` on a
/// check that already ran.
@Suite struct RecapAnswersTests {
    typealias Harness = SessionFixtures.Harness

    func drive(_ session: IncidentSession, _ answers: [String]) throws -> (IncidentREPL.Ending, String, [String]) {
        let screen = ScreenText()
        let reader = TerminalLikeReader(answers)
        let repl = IncidentREPL(
            session: session, reader: reader, renderer: SessionRenderer(), write: screen.append,
            commandOutput: CollectingOutputSink())
        let ending = try repl.run()
        return (ending, screen.text, reader.prompts)
    }

    @Test func handoffAsksForANoteAndRecordsIt() throws {
        let harness = Harness()
        let session = try harness.start()
        let (ending, _, prompts) = try drive(session, ["", "handoff carol", "API down; roll back next"])
        #expect(ending == .suspended)
        #expect(prompts.contains { $0.hasPrefix("handoff note (what is going on, what to do next)") })
        let handoff = try #require(try harness.events(session).last { $0.type == .handoff })
        #expect(handoff.payload["to"] == "carol")
        #expect(handoff.payload["note"] == "API down; roll back next")
    }

    @Test func handoffWithNoteAsksNothingAndAnEmptyNoteCancels() throws {
        let harness = Harness()
        let session = try harness.start()
        let (ending, screen, prompts) = try drive(session, ["", "handoff carol", "", "handoff dan --note all yours"])
        #expect(ending == .suspended)
        #expect(screen.contains("handoff cancelled: the next responder needs a note"))
        #expect(prompts.filter { $0.hasPrefix("handoff note") }.count == 1)
        let handoffs = try harness.events(session).filter { $0.type == .handoff }
        #expect(handoffs.map { $0.payload["note"] } == ["all yours"])
    }

    @Test func resolveInProductionAsksForASummaryAndNothingTypedKeepsItOpen() throws {
        let harness = Harness()
        let session = try harness.start()  // production
        let (ending, screen, prompts) = try drive(session, ["", "resolve", "", "resolve", "rolled back 2.5.0"])
        #expect(ending == .resolved)
        #expect(screen.contains("not resolved: a production incident needs a summary"))
        #expect(prompts.filter { $0.hasPrefix("summary (what happened, what fixed it)") }.count == 2)
        let resolved = try #require(try harness.events(session).last { $0.type == .incidentResolved })
        #expect(resolved.payload["summary"] == "rolled back 2.5.0")
    }

    @Test func resolveOutsideProductionNeedsNoSummary() throws {
        let harness = Harness()
        let session = try harness.start(environment: "staging")
        let (ending, _, prompts) = try drive(session, ["", "resolve"])
        #expect(ending == .resolved)
        #expect(!prompts.contains { $0.hasPrefix("summary") })
    }

    @Test func aCheckThatAlreadyRanSaysSoAndSkipIsRecordedAsAlreadyRan() throws {
        let harness = Harness()
        let session = try harness.start()
        // check-pods runs, then `back` shows it again: the same command already ran.
        let (_, screen, _) = try drive(session, ["", "y", "b", "s", "q"])
        #expect(screen.contains("already ran just now in outage/check-pods: exit 0 · [s]kip it"), "\(screen)")
        let skipped = try #require(try harness.events(session).last { $0.type == .stepSkipped })
        #expect(skipped.stepID == "check-pods")
        #expect(skipped.payload["reason"] == "already ran just now (exit 0)")
    }
}

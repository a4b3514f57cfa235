import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

@testable import RunbookCLI

/// Walks `REPLCommand.all`: every command is in the help, every word and alias completes, and every word is
/// parsed as its command where it applies. A command added to the table but not to one of them fails here.
@Suite struct REPLCommandTableTests {
    /// A REPL over a drill on the `triage` fixture (a manual step first, no variables to ask), showing it.
    func repl(printingTo screen: ScreenText = ScreenText()) throws -> IncidentREPL {
        let harness = SessionFixtures.Harness()
        let session = try IncidentSession.start(
            IncidentStart(runbookID: "triage", environment: "staging", isDrill: true, host: "bastion", user: "alice"),
            dependencies: harness.dependencies)
        let repl = IncidentREPL(
            session: session, reader: PlainLineReader(input: FileHandle.nullDevice), renderer: SessionRenderer(),
            write: screen.append, commandOutput: CollectingOutputSink())
        try repl.presentCurrent()
        return repl
    }

    /// Puts `repl` where `action` is an answer: a step, a failure, or an ad-hoc command (a manual step is shown).
    func prepare(_ repl: IncidentREPL, for action: REPLCommand.Action) throws {
        switch action {
        case .edit, .rerun:
            _ = try repl.handle("goto final-check")
        case .onFail, .retry, .carryOn:
            _ = try repl.handle("goto final-check")
            repl.mode = .failure
        case .no:
            _ = try repl.handle("sh echo hello")
        default:
            break
        }
    }

    @Test func everyWordIsUniqueAndNamesItsCommand() {
        let words = REPLCommand.all.flatMap(\.words)
        #expect(Set(words).count == words.count, "a word names two commands: \(words)")
        for command in REPLCommand.all {
            for word in command.words {
                #expect(REPLCommand.named(word) == command)
                #expect(REPLCommand.named(word.uppercased()) == command)
            }
        }
        #expect(REPLCommand.named("frobnicate") == nil)
    }

    @Test func helpListsEveryCommand() throws {
        let screen = ScreenText()
        let repl = try repl(printingTo: screen)
        _ = try repl.handle("?")
        for command in REPLCommand.all {
            #expect(screen.text.contains(command.usage + " "), "help does not list \(command.usage)")
            #expect(screen.text.contains(command.help), "help does not explain \(command.word)")
        }
        for command in REPLCommand.all where command.atVariablePrompt {
            #expect(IncidentREPL.commandAtVariablePrompt(command.word + " x") != nil)
        }
        #expect(IncidentREPL.commandAtVariablePrompt("yes") == nil)
    }

    @Test func completionOffersEveryWordAndAlias() throws {
        let repl = try repl()
        let offered = repl.completions(line: "", word: "")
        for word in REPLCommand.all.flatMap(\.words) {
            #expect(offered.contains(word), "completion does not offer \(word)")
            #expect(repl.completions(line: String(word.prefix(1)), word: String(word.prefix(1))).contains(word))
        }
        _ = try repl.handle("set REGION=eu")  // `triage` declares no variable to complete after `set`
        for command in REPLCommand.all where command.completion != .none {
            #expect(!repl.completions(line: command.word + " ", word: "").isEmpty, "\(command.word) completes nothing")
        }
    }

    @Test func parsingAcceptsEveryWordAndAlias() throws {
        for command in REPLCommand.all {
            for word in command.words {
                let repl = try repl()
                try prepare(repl, for: command.action)
                var complaint: String?
                do {
                    _ = try repl.handle(command.arguments.isEmpty ? word : word + " x")
                } catch let error as any UserFacingError {
                    complaint = error.summary
                } catch {
                    // Scripted input that ends (an edit asks for its text) is past the parsing.
                }
                let unknown = ["unknown command", "unknown answer"].contains { complaint?.hasPrefix($0) == true }
                #expect(!unknown, "'\(word)' is not parsed as \(command.word): \(complaint ?? "")")
            }
        }
    }

    @Test func theAnswerHintsNameOnlyWordsTheTableParses() throws {
        let repl = try repl()
        var hints = [repl.renderer.failureChoices(onFail: "rollback")]
        for line in ["goto final-check", "goto what-is-wrong", "sh echo hello"] {
            hints.append(repl.renderer.answers(for: try #require(repl.currentView)))
            _ = try repl.handle(line)
        }
        hints.append(repl.renderer.answers(for: try #require(repl.currentView)))
        let words = hints.flatMap { $0.components(separatedBy: " · ") }.compactMap { segment -> String? in
            // `run? y/yes/run`, `unexpected result: o/on-fail (go to rollback)`; not `choose 1-3`, `anything else …`
            let answer = segment.components(separatedBy: CharacterSet(charactersIn: "?:")).last ?? segment
            let first = answer.split(separator: " ").first.map(String.init) ?? ""
            return ["choose", "anything"].contains(first) ? nil : first
        }
        #expect(words.count > 10)
        for word in words.flatMap({ $0.split(separator: "/") }) {
            #expect(REPLCommand.named(String(word)) != nil, "a hint names '\(word)', which is no command")
        }
    }
}

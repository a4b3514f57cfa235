import ArgumentParser
import Foundation
import RunbookKit

/// What `action` takes after its text, parsed by ArgumentParser for the one-shot `runbook action` and for the REPL's
/// `action`, so both read `--owner`, `--priority` and `--ticket` the same way.
struct ActionOptions: ParsableArguments {
    @Argument(help: "What to do (words are joined with spaces).")
    var text: [String] = []

    @Option(help: ArgumentHelp("Who owns the action item.", valueName: "name"))
    var owner: String?

    @Option(help: ArgumentHelp("Its priority, as your tracker names them (P1, high, …).", valueName: "p"))
    var priority: String?

    @Option(help: ArgumentHelp("The ticket that tracks it (ABC-123, a URL).", valueName: "t"))
    var ticket: String?

    /// The action item these arguments describe.
    func fact() throws -> IncidentFact {
        try IncidentFact.action(words: text, owner: owner, priority: priority, ticket: ticket)
    }
}

/// The facts the REPL records for the postmortem, read from the rest of the command line.
enum FactArguments {
    /// The fact `command` (`impact-start`, `detected`, `cause`, `action`) records with the words in `rest`.
    /// - Throws: `IncidentFactError`; `SessionError.invalidArgument` for an option `action` does not take.
    static func fact(_ command: String, rest: String, now: Date, declaredAt: Date) throws -> IncidentFact {
        let words = rest.split(whereSeparator: \.isWhitespace).map(String.init)
        switch command {
        case "cause":
            return try IncidentFact.cause(words: words)
        case "action":
            let options: ActionOptions
            do {
                options = try ActionOptions.parse(words)
            } catch {
                throw SessionError.invalidArgument(
                    "action: \(ActionOptions.message(for: error)); write it as: "
                        + "action TEXT [--owner NAME] [--priority P] [--ticket T]")
            }
            return try options.fact()
        default:
            return try IncidentFact.timed(command, words: words, now: now, declaredAt: declaredAt)
        }
    }
}

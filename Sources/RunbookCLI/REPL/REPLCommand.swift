/// One command of the REPL: its word and aliases, what it takes, its help line, what completes its argument, and
/// whether it is a command at a variable prompt.
///
/// `REPLCommand.all` is the only list of command words: parsing (`named`), help (`help`), completion and the
/// variable prompt all read it, so a command cannot be half-added.
struct REPLCommand: Sendable, Equatable {
    /// What the command does; `IncidentREPL` switches over it.
    enum Action: Sendable, Equatable {
        case yes, run, rerun, edit, done, skip, back, onFail, retry, carryOn, no
        case note, help, quit, next, steps, goto, open, sh, vars, set, severity, ack, status, mitigated, resolve
        case abandon, handoff, export, jobs, impactStart, detected, cause, action
    }

    /// When a word means something.
    enum Group: Sendable, Equatable {
        /// An answer to what is pending: a shown step, a manual step, a choice, a failure, an ad-hoc command.
        case answer
        /// A command accepted at any prompt.
        case anyTime
    }

    /// What completes the word after the command.
    enum Completion: Sendable, Equatable {
        case none, stepIDs, runbookIDs, severities, variableAssignments
    }

    var action: Action
    /// `n/note TEXT`, `q/quit/exit`: the words that call the command (one-character aliases first), then its
    /// arguments as help shows them.
    var usage: String
    var help: String
    var group: Group
    var completion = Completion.none
    /// Whether the word is a command, not a value, at a variable prompt (a value that is one is typed `=quit`).
    var atVariablePrompt = false

    /// The word and its aliases, as parsing and completion accept them.
    var words: [String] { usage.prefix { $0 != " " }.split(separator: "/").map(String.init) }

    /// The command's own word (`quit`, `sev`): its first word longer than one character.
    var word: String { words.first { $0.count > 1 } ?? words[0] }

    /// The other words that call the command (`q`, `exit`).
    var aliases: [String] { words.filter { $0 != word } }

    /// What follows the words in `usage`: `STEP`, `[reason]`, or nothing.
    var arguments: String { String(usage.drop { $0 != " " }.dropFirst()) }

    /// Every command, answers first, in the order help lists them.
    static let all: [REPLCommand] = [
        .init(.yes, "y/yes", "run the shown step (a manual step: done; after an unexpected result: retry)", .answer),
        .init(.edit, "e/edit", "edit the command before it runs", .answer),
        .init(.rerun, "rerun", "run again a step started before a crash (result unknown)", .answer),
        .init(.done, "d/done", "a manual step is done", .answer),
        .init(.skip, "s/skip [reason]", "skip the step, with a reason", .answer, atVariablePrompt: true),
        .init(.back, "b/back", "go back to the previous step", .answer, atVariablePrompt: true),
        .init(.onFail, "o/on-fail", "after an unexpected result: go to the step's on-fail target", .answer),
        .init(.retry, "r/retry", "after an unexpected result: run it again", .answer),
        .init(.carryOn, "c/continue", "after an unexpected result: go on (the step stays failed)", .answer),
        .init(.no, "no", "cancel an ad-hoc command (anything else cancels too)", .answer),
        .init(.next, "next", "show the current step (at the end of a runbook opened from another: go back)", .anyTime),
        .init(.run, "run", "run the current step", .anyTime),
        .init(
            .steps, "steps", "the runbook's steps, each marked done, skipped or failed", .anyTime,
            atVariablePrompt: true),
        .init(.goto, "goto STEP", "move to a step (or #heading)", .anyTime, .stepIDs, atVariablePrompt: true),
        .init(
            .open, "open RUNBOOK", "open another runbook inside this incident", .anyTime, .runbookIDs,
            atVariablePrompt: true),
        .init(
            .sh, "sh COMMAND", "an ad-hoc command, approved and recorded like a step", .anyTime, atVariablePrompt: true),
        .init(.vars, "vars", "variables and their values (secrets masked)", .anyTime, atVariablePrompt: true),
        .init(.jobs, "jobs", "background steps: running, or how they ended", .anyTime, atVariablePrompt: true),
        .init(
            .set, "set NAME=VALUE", "set a variable (`set NAME` asks for it; secrets without echo)", .anyTime,
            .variableAssignments, atVariablePrompt: true),
        .init(.note, "n/note TEXT", "add a note to the timeline", .anyTime, atVariablePrompt: true),
        .init(
            .impactStart, "impact-start TIME [TEXT]", "when the impact began: 14:05 (UTC), -15m, or ISO 8601", .anyTime,
            atVariablePrompt: true),
        .init(
            .detected, "detected TIME [HOW]", "when and how the problem was noticed", .anyTime, atVariablePrompt: true),
        .init(.cause, "cause TEXT", "a root cause or contributing factor", .anyTime, atVariablePrompt: true),
        .init(
            .action, "action TEXT [OPTIONS]", "an action item; options: --owner NAME --priority P --ticket T", .anyTime,
            atVariablePrompt: true),
        .init(
            .severity, "sev/severity P0-P3 [WHY]", "change the severity", .anyTime, .severities, atVariablePrompt: true),
        .init(.ack, "ack [NAME]", "acknowledge the incident", .anyTime, atVariablePrompt: true),
        .init(.status, "status", "the incident at a glance", .anyTime, atVariablePrompt: true),
        .init(.mitigated, "mitigated", "the impact is over", .anyTime, atVariablePrompt: true),
        .init(.resolve, "resolve [SUMMARY]", "close the incident", .anyTime, atVariablePrompt: true),
        .init(
            .abandon, "abandon [WHY]", "(drills only) stop the drill without resolving it; the debrief follows",
            .anyTime, atVariablePrompt: true),
        .init(
            .handoff, "handoff NAME [--note TEXT]", "hand the incident over with a note (they run `runbook resume`)",
            .anyTime,
            atVariablePrompt: true),
        .init(
            .export, "export [FORMAT]", "write the incident so far: markdown (default), json, asciicast or html",
            .anyTime,
            atVariablePrompt: true),
        .init(.help, "?/help", "this list", .anyTime, atVariablePrompt: true),
        .init(
            .quit, "q/quit/exit", "suspend; `runbook resume` continues where you stopped", .anyTime,
            atVariablePrompt: true),
    ]

    init(
        _ action: Action, _ usage: String, _ help: String, _ group: Group, _ completion: Completion = .none,
        atVariablePrompt: Bool = false
    ) {
        self.action = action
        self.usage = usage
        self.help = help
        self.group = group
        self.completion = completion
        self.atVariablePrompt = atVariablePrompt
    }

    /// Each word and alias, lowercased, to its command.
    private static let byWord: [String: REPLCommand] = Dictionary(
        all.flatMap { command in command.words.map { ($0, command) } }, uniquingKeysWith: { first, _ in first })

    /// The command `word` names (in any case), or `nil`.
    static func named(_ word: String) -> REPLCommand? {
        byWord[word.lowercased()]
    }

    /// The help text: the answers, the commands, and what a variable prompt accepts.
    static let help: String = {
        let width = all.map(\.usage.count).max()! + 2
        func lines(_ group: Group) -> [String] {
            all.filter { $0.group == group }.map {
                "  " + $0.usage.padding(toLength: width, withPad: " ", startingAt: 0) + $0.help
            }
        }
        // The words alone (`s/skip`, `goto`), wrapped at 100 columns.
        var atVariablePrompt = [""]
        for words in all.filter(\.atVariablePrompt).map({ $0.words.joined(separator: "/") }) {
            if atVariablePrompt[atVariablePrompt.count - 1].count + words.count > 96 { atVariablePrompt.append("") }
            atVariablePrompt[atVariablePrompt.count - 1] += (atVariablePrompt.last!.isEmpty ? "  " : " · ") + words
        }
        return
            (["Answers, to the shown step, a manual step, a choice or an unexpected result:"] + lines(.answer) + [
                "  (a choice takes the option's number; an empty line shows the answers again)",
                "Any time:",
            ] + lines(.anyTime) + [
                "At a variable prompt:  a value (empty: the default), or one of these commands:"
            ] + atVariablePrompt + [
                "  =VALUE enters a value that is a command word (=quit)"
            ]).joined(separator: "\n")
    }()
}

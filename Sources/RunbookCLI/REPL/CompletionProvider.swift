import Foundation
import RunbookKit

/// What Tab offers at the REPL's two kinds of prompt, as pure functions of what the session knows (the line
/// readers only filter by prefix and hand the result to libedit).
///
/// - At the step prompt: command words and aliases (`REPLCommand.all`), then what the command's `completion`
///   names: step ids after `goto`, runbook ids after `open`, severities after `sev`, `NAME=` after `set`, and
///   `$NAME` for a word starting with `$` (in `sh COMMAND`).
/// - At a variable prompt: the variable's choices, its default, then words from the output of the last commands
///   (pod names, deployments, revision numbers), newest command first. Never a command word: `bac` must not
///   become `back`, which the variable prompt would take as a move.
struct CompletionProvider {
    /// How many of the latest commands' output a variable prompt completes from.
    static let recentCommandCount = 3
    /// The most output words a variable prompt offers (a `kubectl get pods -A` can print thousands).
    static let outputWordLimit = 200
    /// How much of the end of each command's output is read for words: the end holds the answer.
    static let outputByteLimit = 64 * 1024

    /// Everything that can be completed at the step prompt.
    struct StepPromptContext {
        var stepIDs: [String]
        var runbookIDs: () -> [String]
        var variableNames: [String]
    }

    /// Candidates at the step prompt for `word`, the word under the cursor of `line` (the line up to the cursor).
    static func atStepPrompt(line: String, word: String, context: StepPromptContext) -> [String] {
        let words = line.split(separator: " ", omittingEmptySubsequences: true)
        let completingFirst = words.isEmpty || (words.count == 1 && !line.hasSuffix(" "))
        let candidates: [String]
        if completingFirst {
            candidates = REPLCommand.all.flatMap(\.words)
        } else if word.hasPrefix("$") {
            candidates = context.variableNames.map { "$" + $0 }
        } else {
            switch REPLCommand.named(String(words[0]))?.completion ?? .none {
            case .stepIDs: candidates = context.stepIDs
            case .runbookIDs: candidates = context.runbookIDs()
            case .severities: candidates = Severity.allCases.map(\.rawValue)
            case .variableAssignments:
                candidates = context.variableNames.filter { $0 != "ENVIRONMENT" }.map { $0 + "=" }
            case .none: candidates = []
            }
        }
        return candidates.filter { $0.hasPrefix(word) }.sorted()
    }

    /// Candidates at a variable prompt for `word`: the choices, the default, then the words of `recentOutputs`
    /// (newest first), without duplicates, at most `outputWordLimit` of the latter.
    static func atValuePrompt(word: String, choices: [String], defaultValue: String?, recentOutputs: [String])
        -> [String]
    {
        var seen = Set<String>()
        var candidates: [String] = []
        for value in choices + [defaultValue].compactMap({ $0 }) where value.hasPrefix(word) && !value.isEmpty {
            if seen.insert(value).inserted { candidates.append(value) }
        }
        var fromOutput = 0
        for output in recentOutputs {
            for candidate in words(inOutput: output) where candidate.hasPrefix(word) {
                guard fromOutput < outputWordLimit else { return candidates }
                if seen.insert(candidate).inserted {
                    candidates.append(candidate)
                    fromOutput += 1
                }
            }
        }
        return candidates
    }

    /// The words of a command's output worth offering as a value: escape sequences stripped, split at white space
    /// and at quotes, brackets, commas and semicolons, trailing `.` and `:` dropped. Kept: names (`web-7d9f-x2`,
    /// `deployment.apps/web` and its last part `web`), numbers (revision `3`). Dropped: one-letter words, words
    /// without a letter or digit, redaction markers, and REPL command words.
    static func words(inOutput output: String) -> [String] {
        let text = ANSIText.strip(output)
        let separators = CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: "\"'`,;()[]{}<>|"))
        var seen = Set<String>()
        var result: [String] = []
        func add(_ word: String) {
            guard word.count > 1 || word.allSatisfy(\.isNumber) else { return }
            guard word.contains(where: { $0.isLetter || $0.isNumber }), !word.contains("REDACTED") else { return }
            guard REPLCommand.named(word) == nil else { return }
            if seen.insert(word).inserted { result.append(word) }
        }
        for piece in text.components(separatedBy: separators) {
            let word = String(piece.reversed().drop { ".:!?".contains($0) }.reversed())
            guard !word.isEmpty else { continue }
            add(word)
            if let slash = word.lastIndex(of: "/"), word[..<slash].contains(where: \.isLetter) {
                add(String(word[word.index(after: slash)...]))
            }
        }
        return result
    }
}

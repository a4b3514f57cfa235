import Foundation

/// The programs a step's command calls, and the namespace it names: read with the one shell word reader the
/// destructive detector uses (`DestructiveCommandDetector.logicalLines` and `segments`), not a second tokenizer.
///
/// A heuristic, like the detector: the first word of each simple command, past variable assignments, shell
/// keywords and wrappers (`sudo`, `env`, `time`, …). Builtins, words holding `$`, `(` or a quote, and paths
/// (`./deploy.sh`) are not programs to look up on PATH. What it cannot see (programs a script calls) the
/// front matter's `requires:` names.
public enum CommandPrograms {
    /// Shell keywords that start a simple command and are followed by one (`then kubectl …`, `! grep …`).
    static let leadingKeywords: Set<String> = [
        "if", "then", "else", "elif", "do", "while", "until", "!", "{", "time", "exec", "command", "sudo", "nohup",
        "env", "xargs", "watch",
    ]

    /// Keywords whose simple command runs nothing to look up (`for x in …`, `done`, `case … in`).
    static let skippedKeywords: Set<String> = [
        "for", "case", "esac", "fi", "done", "}", "in", "function", "select", "[[", "]]",
    ]

    /// Shell builtins: never looked up on PATH.
    static let builtins: Set<String> = [
        "echo", "printf", "cd", "export", "unset", "set", "read", "local", "declare", "typeset", "readonly",
        "return", "exit", "shift", "source", ".", "eval", "wait", "trap", "break", "continue", "true", "false",
        "test", "[", ":", "let", "pwd", "alias", "unalias", "type", "hash", "ulimit", "umask", "getopts", "jobs",
        "fg", "bg", "kill", "builtin", "mapfile", "readarray", "shopt", "pushd", "popd", "dirs",
    ]

    /// The programs `command` calls, in order of first use, each once.
    public static func programs(in command: String) -> [String] {
        var found: [String] = []
        for line in DestructiveCommandDetector.logicalLines(command) {
            for segment in DestructiveCommandDetector.segments(of: line) {
                if let program = program(of: segment), !found.contains(program) { found.append(program) }
            }
        }
        return found
    }

    /// A program a runbook needs: the steps whose commands call it, and whether the front matter's `requires:`
    /// names it.
    public struct Need: Sendable, Hashable {
        public var program: String
        /// Ids of the steps that call it, in runbook order.
        public var stepIDs: [String]
        public var isDeclared: Bool
    }

    /// What `runbook` needs, in order of first use: the programs of its steps (those that apply, per `applies`),
    /// then those its `requires:` adds.
    public static func needs(of runbook: Runbook, applies: (Step) -> Bool = { _ in true }) -> [Need] {
        var needs: [Need] = []
        func add(_ program: String, step: String?) {
            if let index = needs.firstIndex(where: { $0.program == program }) {
                if let step, !needs[index].stepIDs.contains(step) { needs[index].stepIDs.append(step) }
                if step == nil { needs[index].isDeclared = true }
            } else {
                needs.append(Need(program: program, stepIDs: step.map { [$0] } ?? [], isDeclared: step == nil))
            }
        }
        for step in runbook.steps where applies(step) {
            for program in programs(in: step.command) { add(program, step: step.id) }
        }
        for program in runbook.requires { add(program, step: nil) }
        return needs
    }

    /// Whether `command` talks to a Kubernetes cluster (`kubectl`, `oc` or `helm`).
    public static func callsKubernetes(_ command: String) -> Bool {
        programs(in: command).contains { ["kubectl", "oc", "helm"].contains($0) }
    }

    /// The value of the first `-n`/`--namespace` of a `kubectl`, `oc` or `helm` call in `command`, as written
    /// (`$NAMESPACE`, `candlefish-prod`); `nil` when none is given.
    public static func namespace(in command: String) -> String? {
        for line in DestructiveCommandDetector.logicalLines(command) {
            for segment in DestructiveCommandDetector.segments(of: line)
            where ["kubectl", "oc", "helm"].contains(program(of: segment) ?? "") {
                for (index, word) in segment.enumerated() {
                    if word.hasPrefix("--namespace=") { return String(word.dropFirst("--namespace=".count)) }
                    if word == "-n" || word == "--namespace", index + 1 < segment.count { return segment[index + 1] }
                }
            }
        }
        return nil
    }

    /// The program a simple command (its words) starts, if it is one to look up on PATH.
    static func program(of segment: [String]) -> String? {
        var index = 0
        var inArray = false
        while index < segment.count {
            let word = segment[index]
            if inArray {
                // `NAMES=(a b c)`: the array's words are not commands.
                if word.hasSuffix(")") { inArray = false }
                index += 1
                continue
            }
            if let equals = word.firstIndex(of: "="),
                word[..<equals].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }),
                equals != word.startIndex
            {
                inArray = word[word.index(after: equals)...].hasPrefix("(") && !word.hasSuffix(")")
                index += 1
                continue
            }
            if leadingKeywords.contains(word) || word.hasPrefix("-") && index > 0 {
                index += 1
                continue
            }
            if skippedKeywords.contains(word) || builtins.contains(word) { return nil }
            if word.contains(where: { "$()`'\"<>/".contains($0) }) || word.isEmpty || word.allSatisfy(\.isNumber) {
                return nil
            }
            return word
        }
        return nil
    }
}

import Foundation
import Yams

extension Redactor {
    /// The file in a runbooks directory that adds redaction rules of its own.
    public static let directoryFileName = "redaction.yaml"

    /// Bytes from the start of a match of a directory's rule within which it must have matched (its window).
    public static let directoryRuleWindow = 256

    /// The built-in patterns plus the rules of `directory`'s `redaction.yaml` (when there is one), and the problems
    /// found in that file, each at its file:line:col. A rule with a problem is left out.
    public static func loadPatterns(directory: String) -> (patterns: [RedactionPattern], errors: [ConfigurationError]) {
        let path = (directory as NSString).appendingPathComponent(directoryFileName)
        guard FileManager.default.fileExists(atPath: path) else { return (RedactionPattern.defaults, []) }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            return (
                RedactionPattern.defaults,
                [
                    ConfigurationError(
                        "cannot read \(path) as UTF-8 text", at: SourceLocation(file: path, line: 1),
                        hint: "make it a readable UTF-8 file, or remove it")
                ]
            )
        }
        let (rules, errors) = patterns(yaml: text, path: path)
        return (RedactionPattern.defaults + rules, errors)
    }

    /// A redactor for sessions and `runbook record` in `directory`: the built-in patterns plus its
    /// `redaction.yaml`. Throws the first problem of that file, so that no incident starts with a rule missing.
    public convenience init(directory: String) throws(ConfigurationError) {
        let (patterns, errors) = Self.loadPatterns(directory: directory)
        if let first = errors.first { throw first }
        self.init(patterns: patterns)
    }

    /// The rules of a `redaction.yaml` text:
    ///
    /// ```yaml
    /// rules:
    ///   - name: ticket-key
    ///     pattern: 'TICKET-KEY-(?<secret>[0-9a-f]{32})'
    /// ```
    static func patterns(yaml text: String, path: String) -> ([RedactionPattern], [ConfigurationError]) {
        ConfigurationReader.rules(
            yaml: text, path: path, example: "rules: then `  - {name: ticket-key, pattern: 'TICKET-[0-9a-f]{32}'}`",
            taken: Set(RedactionPattern.defaults.map(\.name)), takenExample: "password and jwt"
        ) { rule throws(ConfigurationError) in
            let hint = "ICU syntax; a group named `secret` replaces only that part; quote it with single quotes"
            guard !rule.pattern.isEmpty,
                let pattern = try? RedactionPattern(
                    name: rule.name, pattern: rule.pattern, triggers: [], window: directoryRuleWindow,
                    replaced: "the `secret` group, else the whole match")
            else {
                throw rule.reader.error(
                    "pattern `\(rule.pattern)` is not a regular expression", at: rule.patternNode, hint: hint)
            }
            if pattern.expression.firstMatch(in: "", range: NSRange(location: 0, length: 0)) != nil {
                throw rule.reader.error(
                    "pattern `\(rule.pattern)` matches empty text, so it would match everywhere", at: rule.patternNode,
                    hint: "make it match at least one character, e.g. `+` instead of `*`")
            }
            return pattern
        }
    }
}

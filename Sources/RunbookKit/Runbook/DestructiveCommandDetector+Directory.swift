import Foundation
import Yams

extension DestructiveCommandDetector {
    /// The file in a runbooks directory that adds rules of its own.
    public static let directoryFileName = "destructive.yaml"

    /// The built-in rules plus those of `directory`'s `destructive.yaml` (when there is one), and the problems
    /// found in that file, each at its file:line:col. A rule with a problem is left out.
    public static func load(directory: String) -> (detector: DestructiveCommandDetector, diagnostics: [Diagnostic]) {
        let path = (directory as NSString).appendingPathComponent(directoryFileName)
        guard FileManager.default.fileExists(atPath: path) else { return (.standard, []) }
        do {
            let text = try RunbookParser.decode(RunbookParser.readFile(path), path: path)
            let (rules, diagnostics) = rules(yaml: text, path: path)
            return (DestructiveCommandDetector(extraRules: rules), diagnostics)
        } catch let error as RunbookParseError {
            return (
                .standard,
                [.error(error.summary, at: error.location ?? SourceLocation(file: path, line: 1), hint: error.hint)]
            )
        } catch {
            return (.standard, [.error("cannot read \(path): \(error)", at: SourceLocation(file: path, line: 1))])
        }
    }

    /// `load(directory:)` for sessions: throws the first problem of `destructive.yaml`, so that no incident
    /// starts with a rule silently missing.
    public init(directory: String) throws {
        let (detector, diagnostics) = Self.load(directory: directory)
        if diagnostics.contains(where: { $0.severity == .error }) {
            throw RunbookParseError(diagnostics: diagnostics)
        }
        self = detector
    }

    /// The rules of a `destructive.yaml` text:
    ///
    /// ```yaml
    /// rules:
    ///   - name: cluster-reset
    ///     pattern: 'candlefish-admin reset'
    ///     reason: resets every node of the cluster
    /// ```
    static func rules(yaml text: String, path: String) -> ([DestructiveRule], [Diagnostic]) {
        let (rules, errors) = ConfigurationReader.rules(
            yaml: text, path: path, example: "rules: then `  - {name: cluster-reset, pattern: 'admin reset'}`",
            extraKeys: ["reason"], taken: Set(DestructiveRule.builtIn.map(\.name)), takenExample: "kubectl-delete"
        ) { rule throws(ConfigurationError) in
            guard !rule.pattern.isEmpty, let pattern = try? DestructiveRule.CompiledPattern(rule.pattern) else {
                throw rule.reader.error(
                    "pattern `\(rule.pattern)` is not a regular expression", at: rule.patternNode,
                    hint: "ICU syntax, as in `pattern` of a variable; quote it with single quotes")
            }
            let reason = try rule.fields["reason"].map { node throws(ConfigurationError) in
                try rule.reader.string(node, what: "`reason`")
            }
            return DestructiveRule(
                name: rule.name, reason: reason ?? "matches `\(pattern.source)` from \(directoryFileName)",
                test: .pattern(pattern))
        }
        let diagnostics = errors.map { error in
            Diagnostic.error(error.summary, at: error.location ?? SourceLocation(file: path, line: 1), hint: error.hint)
        }
        return (rules, diagnostics)
    }
}

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
        let example = "rules: then `  - {name: cluster-reset, pattern: 'admin reset'}`"
        func diagnostic(_ error: ConfigurationError) -> Diagnostic {
            .error(error.summary, at: error.location ?? SourceLocation(file: path, line: 1), hint: error.hint)
        }
        var entries: [Node] = []
        let reader: ConfigurationReader
        do throws(ConfigurationError) {
            reader = try ConfigurationReader(yaml: text, path: path, hint: example)
            if let list = try reader.topLevel(allowed: ["rules"], hint: example)["rules"] {
                entries = try reader.sequence(list, what: "`rules`", hint: example)
            }
        } catch {
            return ([], [diagnostic(error)])
        }
        // Each rule is read on its own, so that one file reports all of its bad rules at once.
        var diagnostics: [Diagnostic] = []
        var rules: [DestructiveRule] = []
        var names = Set(DestructiveRule.builtIn.map(\.name))
        for entry in entries {
            do throws(ConfigurationError) {
                rules.append(try rule(entry, reader: reader, names: &names, example: example))
            } catch {
                diagnostics.append(diagnostic(error))
            }
        }
        return (rules, diagnostics)
    }

    /// One rule of `destructive.yaml`; its name is added to `names`, which it must not already be in.
    private static func rule(
        _ entry: Node, reader: ConfigurationReader, names: inout Set<String>, example: String
    ) throws(ConfigurationError) -> DestructiveRule {
        let fields = try reader.mapping(entry, what: "a rule", allowed: ["name", "pattern", "reason"], hint: example)
        guard let nameNode = fields["name"], let patternNode = fields["pattern"] else {
            throw reader.error("a rule needs both `name` and `pattern`", at: entry, hint: example)
        }
        let name = nameNode.scalar?.string ?? ""
        guard !name.isEmpty, name.utf8.allSatisfy({ VariableReferences.isNameByte($0) || $0 == UInt8(ascii: "-") })
        else {
            throw reader.error("rule name `\(name)` must be letters, digits, `-` and `_`", at: nameNode)
        }
        guard !names.contains(name) else {
            throw reader.error(
                "a rule named `\(name)` already exists", at: nameNode,
                hint: "give each rule its own name (built-in names such as kubectl-delete are taken)")
        }
        let source = patternNode.scalar?.string ?? ""
        guard !source.isEmpty, let pattern = try? DestructiveRule.CompiledPattern(source) else {
            throw reader.error(
                "pattern `\(source)` is not a regular expression", at: patternNode,
                hint: "ICU syntax, as in `pattern` of a variable; quote it with single quotes")
        }
        var reason: String?
        if let node = fields["reason"] { reason = try reader.string(node, what: "`reason`") }
        names.insert(name)
        return DestructiveRule(
            name: name, reason: reason ?? "matches `\(pattern.source)` from \(directoryFileName)",
            test: .pattern(pattern))
    }
}

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
        func at(_ node: Node?) -> SourceLocation { YAMLText.location(node, path: path) }
        let example = "rules: then `  - {name: cluster-reset, pattern: 'admin reset'}`"
        let root: Node?
        do {
            root = try YAMLText.compose(text, path: path)
        } catch {
            return ([], [.error("\(directoryFileName) is not valid YAML: \(error.problem)", at: error.location)])
        }
        guard let root else { return ([], []) }
        guard let top = root.mapping else {
            return (
                [], [.error("\(directoryFileName) must be a mapping with a `rules` list", at: at(root), hint: example)]
            )
        }
        var diagnostics: [Diagnostic] = []
        var rules: [DestructiveRule] = []
        var names = Set(DestructiveRule.builtIn.map(\.name))
        for (keyNode, value) in top {
            guard keyNode.string == "rules" else {
                diagnostics.append(
                    .error(
                        "unknown key `\(keyNode.string ?? "")` in \(directoryFileName)", at: at(keyNode), hint: example)
                )
                continue
            }
            guard let entries = value.sequence else {
                diagnostics.append(.error("`rules` must be a list", at: at(value), hint: example))
                continue
            }
            for entry in entries {
                guard let fields = entry.mapping else {
                    diagnostics.append(
                        .error("a rule must be a mapping with `name` and `pattern`", at: at(entry), hint: example))
                    continue
                }
                var name: String?
                var pattern: DestructiveRule.CompiledPattern?
                var reason: String?
                var valid = true
                for (fieldNode, fieldValue) in fields {
                    let field = fieldNode.string ?? ""
                    let text = fieldValue.scalar?.string ?? ""
                    switch field {
                    case "name":
                        if text.isEmpty
                            || !text.utf8.allSatisfy({ VariableReferences.isNameByte($0) || $0 == UInt8(ascii: "-") })
                        {
                            diagnostics.append(
                                .error(
                                    "rule name `\(text)` must be letters, digits, `-` and `_`", at: at(fieldValue)))
                            valid = false
                        } else if !names.insert(text).inserted {
                            diagnostics.append(
                                .error(
                                    "a rule named `\(text)` already exists", at: at(fieldValue),
                                    hint:
                                        "give each rule its own name (built-in names such as kubectl-delete are taken)")
                            )
                            valid = false
                        } else {
                            name = text
                        }
                    case "pattern":
                        do {
                            guard !text.isEmpty else { throw CocoaError(.formatting) }
                            pattern = try DestructiveRule.CompiledPattern(text)
                        } catch {
                            diagnostics.append(
                                .error(
                                    "pattern `\(text)` is not a regular expression", at: at(fieldValue),
                                    hint: "ICU syntax, as in `pattern` of a variable; quote it with single quotes"))
                            valid = false
                        }
                    case "reason":
                        reason = text
                    default:
                        diagnostics.append(
                            .error(
                                "unknown key `\(field)` in a rule", at: at(fieldNode),
                                hint: "a rule has `name`, `pattern` and optionally `reason`"))
                        valid = false
                    }
                }
                guard valid else { continue }
                guard let name, let pattern else {
                    diagnostics.append(
                        .error("a rule needs both `name` and `pattern`", at: at(entry), hint: example))
                    continue
                }
                rules.append(
                    DestructiveRule(
                        name: name, reason: reason ?? "matches `\(pattern.source)` from \(directoryFileName)",
                        test: .pattern(pattern)))
            }
        }
        return (rules, diagnostics)
    }
}

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
        let example = "rules: then `  - {name: ticket-key, pattern: 'TICKET-[0-9a-f]{32}'}`"
        var entries: [Node] = []
        let reader: ConfigurationReader
        do throws(ConfigurationError) {
            reader = try ConfigurationReader(yaml: text, path: path, hint: example)
            if let list = try reader.topLevel(allowed: ["rules"], hint: example)["rules"] {
                entries = try reader.sequence(list, what: "`rules`", hint: example)
            }
        } catch {
            return ([], [error])
        }
        // Each rule is read on its own, so that one file reports all of its bad rules at once.
        var errors: [ConfigurationError] = []
        var patterns: [RedactionPattern] = []
        var names = Set(RedactionPattern.defaults.map(\.name))
        for entry in entries {
            do throws(ConfigurationError) {
                patterns.append(try pattern(entry, reader: reader, names: &names, example: example))
            } catch {
                errors.append(error)
            }
        }
        return (patterns, errors)
    }

    /// One rule of `redaction.yaml`; its name is added to `names`, which it must not already be in.
    private static func pattern(
        _ entry: Node, reader: ConfigurationReader, names: inout Set<String>, example: String
    ) throws(ConfigurationError) -> RedactionPattern {
        let fields = try reader.mapping(entry, what: "a rule", allowed: ["name", "pattern"], hint: example)
        guard let nameNode = fields["name"], let patternNode = fields["pattern"] else {
            throw reader.error("a rule needs both `name` and `pattern`", at: entry, hint: example)
        }
        let name = try reader.string(nameNode, what: "`name`")
        let nameBytes = UInt8(ascii: "a")...UInt8(ascii: "z")
        guard !name.isEmpty,
            name.lowercased().utf8.allSatisfy({
                nameBytes.contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                    || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
            })
        else {
            throw reader.error("rule name `\(name)` must be letters, digits, `-` and `_`", at: nameNode)
        }
        guard !names.contains(name) else {
            throw reader.error(
                "a rule named `\(name)` already exists", at: nameNode,
                hint: "give each rule its own name (built-in names such as password and jwt are taken)")
        }
        let source = try reader.string(patternNode, what: "`pattern`")
        let hint = "ICU syntax; a group named `secret` replaces only that part; quote it with single quotes"
        guard !source.isEmpty,
            let pattern = try? RedactionPattern(
                name: name, pattern: source, triggers: [], window: directoryRuleWindow,
                replaced: "the `secret` group, else the whole match")
        else {
            throw reader.error("pattern `\(source)` is not a regular expression", at: patternNode, hint: hint)
        }
        if pattern.expression.firstMatch(in: "", range: NSRange(location: 0, length: 0)) != nil {
            throw reader.error(
                "pattern `\(source)` matches empty text, so it would match everywhere", at: patternNode,
                hint: "make it match at least one character, e.g. `+` instead of `*`")
        }
        names.insert(name)
        return pattern
    }
}

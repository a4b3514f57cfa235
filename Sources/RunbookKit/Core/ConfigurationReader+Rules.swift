import Foundation
import Yams

/// One rule of a rules file (`destructive.yaml`, `redaction.yaml`) with its name checked, for the caller to build.
struct RuleEntry {
    var name: String
    /// The `pattern` text as written ("" when missing or not text: the caller's compiler refuses it).
    var pattern: String
    var patternNode: Node
    var fields: ConfigurationReader.Mapping
    var reader: ConfigurationReader
}

extension ConfigurationReader {
    /// A rules file: `rules:` then a list of mappings, each with a `name` (letters, digits, `-` and `_`, not one of
    /// `taken` nor an earlier rule's), a `pattern`, and the `extraKeys`. Each rule is read on its own, so that one
    /// file reports all of its bad rules at once; `make` builds a rule or throws its problem. `takenExample` names
    /// a built-in rule in the hint for a name already taken.
    static func rules<Rule>(
        yaml text: String, path: String, example: String, extraKeys: [String] = [], taken: Set<String>,
        takenExample: String, make: (RuleEntry) throws(ConfigurationError) -> Rule
    ) -> ([Rule], [ConfigurationError]) {
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
        var rules: [Rule] = []
        var errors: [ConfigurationError] = []
        var names = taken
        for entry in entries {
            do throws(ConfigurationError) {
                let fields = try reader.mapping(
                    entry, what: "a rule", allowed: ["name", "pattern"] + extraKeys, hint: example)
                guard let nameNode = fields["name"], let patternNode = fields["pattern"] else {
                    throw reader.error("a rule needs both `name` and `pattern`", at: entry, hint: example)
                }
                let name = nameNode.scalar?.string ?? ""
                let nameBytes = name.utf8.allSatisfy { byte in
                    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
                        || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
                        || byte == UInt8(ascii: "_")
                }
                guard !name.isEmpty, nameBytes else {
                    throw reader.error("rule name `\(name)` must be letters, digits, `-` and `_`", at: nameNode)
                }
                guard !names.contains(name) else {
                    throw reader.error(
                        "a rule named `\(name)` already exists", at: nameNode,
                        hint: "give each rule its own name (built-in names such as \(takenExample) are taken)")
                }
                let rule = try make(
                    RuleEntry(
                        name: name, pattern: patternNode.scalar?.string ?? "", patternNode: patternNode,
                        fields: fields, reader: reader))
                names.insert(name)
                rules.append(rule)
            } catch {
                errors.append(error)
            }
        }
        return (rules, errors)
    }
}

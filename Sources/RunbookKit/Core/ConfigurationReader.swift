import Foundation
import Yams

/// A problem in a configuration file (`notifiers.yaml`, `environments.yaml`, `destructive.yaml`, a drill
/// scenario), said so that the person at the terminal can fix it: what, where (file:line:col) and what to write.
public struct ConfigurationError: UserFacingError, Equatable {
    public var summary: String
    public var location: SourceLocation?
    public var hint: String?
    public var exitStatus: ExitStatus { .usage }

    /// An error saying `summary`, at `location`, with `hint`.
    public init(_ summary: String, at location: SourceLocation? = nil, hint: String? = nil) {
        self.summary = summary
        self.location = location
        self.hint = hint
    }
}

/// The one reader of configuration files: composes the YAML and reads typed values out of its nodes. Every error
/// is a `ConfigurationError` at the file:line:col of the node it is about.
struct ConfigurationReader {
    /// One key of a mapping, with the node of the key (where an unknown key is reported) and its value.
    struct Entry {
        var key: String
        var keyNode: Node
        var value: Node
    }

    /// A mapping's entries in file order, and where the mapping is (`nil` for an empty document).
    struct Mapping {
        var node: Node?
        var entries: [Entry]

        /// The value of `key`, when the mapping has it.
        subscript(key: String) -> Node? { entries.first { $0.key == key }?.value }
    }

    /// The file, as given; every location names it.
    let path: String
    /// The document's root node; `nil` for an empty document.
    let root: Node?

    /// The file's name without its directory, as messages name it.
    var fileName: String { (path as NSString).lastPathComponent }

    /// Composes `text`. The size, alias and nesting limits of front matter apply first, so a YAML alias bomb is
    /// refused before Yams expands it; a syntax error is reported at its place, with `hint`.
    init(yaml text: String, path: String, hint: String? = nil) throws(ConfigurationError) {
        self.path = path
        let name = (path as NSString).lastPathComponent
        if let (refusal, at) = YAMLLimits.check(Substring(text), firstLine: 1, path: path) {
            let problem = YAMLLimits.message(refusal, of: "the file")
            throw ConfigurationError("\(name) is not valid YAML: \(problem)", at: at, hint: hint)
        }
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            switch error {
            case .scanner(_, let message, let mark, _), .parser(_, let message, let mark, _),
                .composer(_, let message, let mark, _):
                throw ConfigurationError(
                    "\(name) is not valid YAML: \(message)",
                    at: SourceLocation(file: path, line: mark.line, column: mark.column), hint: hint)
            default:
                throw ConfigurationError(
                    "\(name) is not valid YAML: \(error)", at: SourceLocation(file: path, line: 1), hint: hint)
            }
        } catch {
            throw ConfigurationError(
                "\(name) is not valid YAML: \(error)", at: SourceLocation(file: path, line: 1), hint: hint)
        }
    }

    /// Where `node` is; line 1 of the file when there is no node (an empty document).
    func location(_ node: Node?) -> SourceLocation {
        node?.mark.map { SourceLocation(file: path, line: $0.line, column: $0.column) }
            ?? SourceLocation(file: path, line: 1)
    }

    /// An error saying `summary` at `node`'s place.
    func error(_ summary: String, at node: Node?, hint: String? = nil) -> ConfigurationError {
        ConfigurationError(summary, at: location(node), hint: hint)
    }

    /// The top-level mapping, empty for an empty document; a key outside `allowed` is an error.
    func topLevel(allowed: [String], hint: String? = nil) throws(ConfigurationError) -> Mapping {
        guard let root else { return Mapping(node: nil, entries: []) }
        return try mapping(root, what: fileName, allowed: allowed, hint: hint)
    }

    /// The entries of the mapping `node` (`what` names it in errors); with `allowed`, any other key is an error
    /// naming the known keys.
    func mapping(
        _ node: Node, what: String, allowed: [String]? = nil, hint: String? = nil
    ) throws(ConfigurationError) -> Mapping {
        guard let pairs = node.mapping else {
            throw error("\(what) must be a mapping of keys to values", at: node, hint: hint)
        }
        let entries = pairs.map { Entry(key: $0.key.string ?? "", keyNode: $0.key, value: $0.value) }
        if let allowed, let unknown = entries.first(where: { !allowed.contains($0.key) }) {
            throw unknownKey(unknown, in: what, allowed: allowed)
        }
        return Mapping(node: node, entries: entries)
    }

    /// The error for a key outside `allowed`, at the key.
    func unknownKey(_ entry: Entry, in what: String, allowed: [String]) -> ConfigurationError {
        error(
            "unknown key `\(entry.key)` in \(what)", at: entry.keyNode,
            hint: "known keys here: " + allowed.joined(separator: ", "))
    }

    /// The value of `key` in `mapping`; without it, "`what` has no `key`" at the mapping.
    func required(_ key: String, in mapping: Mapping, what: String, hint: String) throws(ConfigurationError) -> Node {
        guard let node = mapping[key] else { throw error("\(what) has no `\(key)`", at: mapping.node, hint: hint) }
        return node
    }

    /// The items of the list `node`.
    func sequence(_ node: Node, what: String, hint: String? = nil) throws(ConfigurationError) -> [Node] {
        guard let sequence = node.sequence else { throw error("\(what) must be a list", at: node, hint: hint) }
        return Array(sequence)
    }

    /// The text of `node`, which must not be empty or only white space.
    func string(_ node: Node, what: String, hint: String? = nil) throws(ConfigurationError) -> String {
        guard let text = node.scalar?.string, !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw error("\(what) must be non-empty text", at: node, hint: hint)
        }
        return text
    }

    /// The whole number `node` holds.
    func integer(_ node: Node, what: String, hint: String? = nil) throws(ConfigurationError) -> Int {
        guard let text = node.scalar?.string, let value = Int(text) else {
            throw error("\(what) must be a whole number", at: node, hint: hint)
        }
        return value
    }

    /// `true` or `false`, spelled so (not `yes`, `on` or `1`).
    func boolean(_ node: Node, what: String, hint: String? = nil) throws(ConfigurationError) -> Bool {
        guard let text = node.scalar?.string, let value = ["true": true, "false": false][text] else {
            throw error("\(what) must be true or false", at: node, hint: hint)
        }
        return value
    }
}

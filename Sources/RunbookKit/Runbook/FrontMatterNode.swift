import Yams

/// One node of front matter YAML, with exactly the facts `FrontMatter.parse` reads from it.
///
/// Two readers produce these: `SimpleYAMLReader` (a fast path for the plain subset runbooks use) and Yams
/// (everything else). Keeping the interpretation on this type, not on `Yams.Node`, is what lets both readers
/// share one set of rules and messages; `init(yams:)` copies Yams' own accessors so the results are identical.
struct FrontMatterNode: Equatable {
    /// What the node holds.
    enum Content: Equatable {
        case scalar(String)
        case mapping([Pair])
        case sequence([FrontMatterNode])
        /// An alias or anything else that is neither text, map nor list.
        case other
    }

    /// A key and its value, in document order.
    struct Pair: Equatable {
        var key: FrontMatterNode
        var value: FrontMatterNode
    }

    var content: Content
    /// Where the node starts in the YAML text: 1-based line and column (columns count Unicode scalars, as libyaml
    /// does); nil when unknown.
    var line: Int?
    var column: Int?
    /// Yams' `Node.string`: the text of a scalar.
    var string: String?
    /// Yams' `Node.bool`: `true`/`yes`/`on`, `false`/`no`/`off` in any case, for scalars not quoted.
    var bool: Bool?
    /// Yams' `Node.null`: a plain (unquoted) empty, `~` or `null` scalar.
    var isNull: Bool

    /// The text of a scalar (Yams' `node.scalar?.string`).
    var scalarString: String? {
        if case .scalar(let string) = content { return string }
        return nil
    }

    /// The pairs of a mapping.
    var mapping: [Pair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// The elements of a sequence.
    var sequence: [FrontMatterNode]? {
        if case .sequence(let elements) = content { return elements }
        return nil
    }

    init(content: Content, line: Int?, column: Int?, string: String?, bool: Bool?, isNull: Bool) {
        self.content = content
        self.line = line
        self.column = column
        self.string = string
        self.bool = bool
        self.isNull = isNull
    }

    /// A scalar as the fast path reads it. `plain` scalars resolve like Yams' implicit tags; quoted ones are text.
    static func scalar(_ text: String, plain: Bool, line: Int, column: Int) -> FrontMatterNode {
        var bool: Bool?
        var isNull = false
        // Only words of two to five letters can be truth values or null; skip lower-casing everything else.
        if plain, text.utf8.count <= 5 {
            switch text.lowercased() {
            case "true", "yes", "on": bool = true
            case "false", "no", "off": bool = false
            default: break
            }
            isNull = text == "" || text == "~" || text == "null" || text == "Null" || text == "NULL"
        }
        return FrontMatterNode(
            content: .scalar(text), line: line, column: column, string: text, bool: bool, isNull: isNull)
    }

    /// A collection as the fast path reads it (Yams gives collections no text, truth value or null).
    static func collection(_ content: Content, line: Int, column: Int) -> FrontMatterNode {
        FrontMatterNode(content: content, line: line, column: column, string: nil, bool: nil, isNull: false)
    }

    /// Copies a node Yams composed, taking every fact from Yams' own accessors.
    init(yams node: Node) {
        switch node {
        case .scalar(let scalar):
            content = .scalar(scalar.string)
        case .mapping(let mapping):
            content = .mapping(
                mapping.map { Pair(key: FrontMatterNode(yams: $0.key), value: FrontMatterNode(yams: $0.value)) })
        case .sequence(let sequence):
            content = .sequence(sequence.map(FrontMatterNode.init(yams:)))
        default:
            content = .other
        }
        line = node.mark?.line
        column = node.mark?.column
        string = node.string
        bool = node.bool
        isNull = node.null != nil
    }
}

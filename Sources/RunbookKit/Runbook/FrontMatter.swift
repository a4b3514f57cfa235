import Foundation
import Yams

/// A runbook's YAML front matter: the block between `---` lines at the top of the file.
public struct FrontMatter: Sendable, Hashable {
    /// The keys the front matter understands.
    public static let keys = [
        "title", "id", "severity", "environments", "shell", "variables", "cwd", "skipPrompts", "requires",
    ]

    /// Runme's front-matter keys beyond `shell`, `cwd` and `skipPrompts`: known, recorded or ignored.
    public static let runmeKeys: Set<String> = ["runme", "category", "tag", "terminalRows"]

    /// Front-matter keys of static-site generators (Hugo, Docusaurus, MkDocs, Jekyll): they arrange a site, not a
    /// runbook, so they are known and ignored rather than reported.
    public static let siteGeneratorKeys: Set<String> = [
        // Hugo
        "weight", "date", "draft", "tags", "categories", "aliases", "description", "summary", "slug", "url", "type",
        "layout", "menu", "toc", "linkTitle", "lastmod", "publishDate", "expiryDate", "keywords", "images",
        "headless", "markup", "outputs", "params", "resources", "series", "sitemap", "translationKey", "build",
        "cascade", "isCJKLanguage", "author", "authors", "linktitle", "menus", "bookToc", "bookHidden",
        // Docusaurus
        "sidebar_position", "sidebar_label", "sidebar_class_name", "sidebar_custom_props", "hide_title",
        "hide_table_of_contents", "custom_edit_url", "image", "pagination_label", "pagination_next",
        "pagination_prev", "parse_number_prefixes", "displayed_sidebar", "toc_min_heading_level",
        "toc_max_heading_level", "unlisted", "last_update",
        // MkDocs (Material)
        "template", "hide", "status", "search", "icon", "subtitle", "social",
        // Jekyll
        "permalink", "published", "category", "excerpt", "excerpt_separator", "last_modified_at", "lang",
        "redirect_from", "redirect_to", "nav_order", "parent", "grand_parent", "has_children", "nav_exclude",
    ]
    /// The keys a variable declaration understands.
    public static let variableKeys = ["prompt", "default", "secret", "choices", "pattern"]

    public var title: String?
    public var id: String?
    public var severity: Severity?
    public var environments: [String] = []
    public var shell: String?
    public var variables: [VariableSpec] = []
    /// Runme's `cwd`: the working directory of every step, relative to the runbook's directory.
    public var cwd: String?
    /// Runme's `skipPrompts`: do not ask for exported values: `promptEnv` steps run their exports as written.
    public var skipPrompts = false
    /// Programs the steps need that reading their commands cannot see (a script's own calls): `requires: [aws]`.
    public var requires: [String] = []

    public init() {}

    /// Splits `text` into the YAML between the leading `---` lines and the Markdown after it.
    ///
    /// Returns `nil` when the text does not start with `---`. `bodyLineOffset` is the number of lines before
    /// the Markdown body, so body line `n` is file line `n + bodyLineOffset`. `closed` is false when no closing
    /// `---` (or `...`) was found; the whole text is then the YAML.
    static func split(_ text: Substring) -> (yaml: Substring, body: Substring, bodyLineOffset: Int, closed: Bool)? {
        guard text.hasPrefix("---") else { return nil }
        var lines = 0
        var index = text.startIndex
        var yamlStart: Substring.Index?
        while index < text.endIndex {
            let lineEnd = text[index...].firstIndex(of: "\n") ?? text.endIndex
            var line = text[index..<lineEnd]
            if line.hasSuffix("\r") { line = line.dropLast() }
            let next = lineEnd < text.endIndex ? text.index(after: lineEnd) : text.endIndex
            lines += 1
            if yamlStart == nil {
                // The opening line must be exactly `---`.
                guard line.trimmingCharacters(in: .whitespaces) == "---" else { return nil }
                yamlStart = next
            } else if line == "---" || line == "..." {
                return (text[yamlStart!..<index], text[next...], lines, true)
            }
            index = next
        }
        return (text[(yamlStart ?? text.endIndex)...], text[text.endIndex...], lines, false)
    }

    /// The implicit tags front matter reads: `bool` (for `Node.bool`) and `value` (for `Node.string` of a mapping).
    /// Yams' default resolver also tries int, float, null, timestamp and merge, a regular expression each per plain
    /// scalar, and nothing here reads those tags (`Node.null` looks at the text); that was a tenth of linting.
    private static let tagResolver = Resolver.basic.appending(.bool).appending(.value)

    /// Reads the YAML of a front matter block whose first line is file line `firstLine`.
    static func parse(yaml: Substring, firstLine: Int, path: String) -> (FrontMatter, [Diagnostic]) {
        var frontMatter = FrontMatter()
        var diagnostics: [Diagnostic] = []
        func location(_ node: Node?) -> SourceLocation {
            SourceLocation(file: path, line: (node?.mark?.line ?? 1) + firstLine - 1, column: node?.mark?.column ?? 1)
        }
        if let problem = Self.preflight(yaml, firstLine: firstLine, path: path) {
            return (frontMatter, [problem])
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: String(yaml), Self.tagResolver)
        } catch let error as YamlError {
            diagnostics.append(Self.diagnostic(for: error, firstLine: firstLine, path: path))
            return (frontMatter, diagnostics)
        } catch {
            diagnostics.append(
                .error("front matter is not valid YAML: \(error)", at: SourceLocation(file: path, line: firstLine)))
            return (frontMatter, diagnostics)
        }
        guard let root else { return (frontMatter, diagnostics) }
        guard let mapping = root.mapping else {
            diagnostics.append(
                .error(
                    "front matter must be a mapping of keys to values", at: location(root),
                    hint: "write `title: Outage` and other keys, one per line"))
            return (frontMatter, diagnostics)
        }
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            switch key {
            case "title":
                if let string = value.scalar?.string {
                    frontMatter.title = string
                } else {
                    diagnostics.append(.error("`title` must be text", at: location(value)))
                }
            case "id":
                if let string = value.scalar?.string, !string.isEmpty, !string.contains(where: \.isWhitespace) {
                    frontMatter.id = string
                } else {
                    diagnostics.append(
                        .error("`id` must be one word", at: location(value), hint: "use the file name: id: outage"))
                }
            case "severity":
                if let string = value.scalar?.string, let severity = Severity(parsing: string) {
                    frontMatter.severity = severity
                } else {
                    diagnostics.append(
                        .error(
                            "severity `\(value.scalar?.string ?? "")` is not P0, P1, P2 or P3", at: location(value),
                            hint: "write severity: P1"))
                }
            case "environments":
                if let list = Self.stringList(value) {
                    frontMatter.environments = list
                } else {
                    diagnostics.append(
                        .error(
                            "`environments` must be a list of names", at: location(value),
                            hint: "write environments: [production, staging, development]"))
                }
            case "shell":
                if let string = value.scalar?.string, !string.isEmpty {
                    frontMatter.shell = string
                } else {
                    diagnostics.append(
                        .error("`shell` must name a shell", at: location(value), hint: "write shell: bash"))
                }
            case "cwd":
                if let string = value.scalar?.string, !string.isEmpty {
                    frontMatter.cwd = string
                } else {
                    diagnostics.append(
                        .error(
                            "`cwd` must name a directory", at: location(value),
                            hint: "write cwd: ../deploy (relative to this file) or an absolute path"))
                }
            case "skipPrompts":
                if let bool = value.bool {
                    frontMatter.skipPrompts = bool
                } else {
                    diagnostics.append(.error("`skipPrompts` must be true or false", at: location(value)))
                }
            case "requires":
                let (programs, problems) = Self.requiredPrograms(value, location: location)
                frontMatter.requires = programs
                diagnostics += problems
            case _ where FrontMatter.runmeKeys.contains(key) || FrontMatter.siteGeneratorKeys.contains(key):
                break
            case "variables":
                guard let variables = value.mapping else {
                    diagnostics.append(
                        .error(
                            "`variables` must map names to declarations", at: location(value),
                            hint: "write variables: then `  POD: {prompt: \"Pod name\"}` on the next line"))
                    continue
                }
                for (nameNode, declaration) in variables {
                    let (variable, problems) = Self.variable(nameNode, declaration, location: location)
                    diagnostics += problems
                    if let variable { frontMatter.variables.append(variable) }
                }
            default:
                diagnostics.append(
                    .warning(
                        "unknown front matter key `\(key)`", at: location(keyNode),
                        hint:
                            "supported: \(FrontMatter.keys.joined(separator: ", ")); keys of Runme, Hugo, Docusaurus, MkDocs and Jekyll are ignored without a word"
                    ))
            }
        }
        return (frontMatter, diagnostics)
    }

    private static func variable(
        _ nameNode: Node, _ declaration: Node, location: (Node?) -> SourceLocation
    ) -> (VariableSpec?, [Diagnostic]) {
        let name = nameNode.string ?? ""
        var diagnostics: [Diagnostic] = []
        guard VariableReferences.isValidName(name) else {
            return (
                nil,
                [
                    .error(
                        "variable name `\(name)` is not a shell variable name", at: location(nameNode),
                        hint: "use letters, digits and `_`, not starting with a digit: POD_NAME")
                ]
            )
        }
        guard !VariableReferences.isReserved(name) else {
            return (
                nil,
                [
                    .error(
                        VariableReferences.reservedReason(name), at: location(nameNode),
                        hint: "use a name of your own (APP_PATH, not PATH); the list is in docs/runbook-format.md")
                ]
            )
        }
        var spec = VariableSpec(name: name, location: location(nameNode))
        if name == "ENVIRONMENT" {
            diagnostics.append(
                .warning(
                    "`ENVIRONMENT` is always set by the incident; its declaration is ignored", at: location(nameNode),
                    hint: "remove it from `variables`"))
        }
        switch declaration {
        case .scalar(let scalar):
            // `NAMESPACE: candlefish-prod` is shorthand for a default.
            if !(scalar.string.isEmpty && declaration.null != nil) { spec.defaultValue = scalar.string }
            return (spec, diagnostics)
        case .mapping(let fields):
            for (keyNode, value) in fields {
                let key = keyNode.string ?? ""
                switch key {
                case "prompt":
                    spec.prompt = value.scalar?.string
                case "default":
                    if let mapping = value.mapping {
                        for (environment, perEnvironment) in mapping {
                            guard let environmentName = environment.string, let text = perEnvironment.scalar?.string
                            else {
                                diagnostics.append(
                                    .error(
                                        "per-environment default of `\(name)` must map environment names to text",
                                        at: location(perEnvironment),
                                        hint:
                                            "write default: {production: candlefish-prod, staging: candlefish-staging}")
                                )
                                continue
                            }
                            spec.defaultsByEnvironment[environmentName] = text
                        }
                    } else if let text = value.scalar?.string {
                        spec.defaultValue = text
                    } else {
                        diagnostics.append(
                            .error(
                                "default of `\(name)` must be text or a map of environment to text", at: location(value)
                            ))
                    }
                case "secret":
                    if let bool = value.bool {
                        spec.secret = bool
                    } else {
                        diagnostics.append(.error("`secret` must be true or false", at: location(value)))
                    }
                case "choices":
                    if let list = stringList(value), !list.isEmpty {
                        spec.choices = list
                    } else {
                        diagnostics.append(
                            .error(
                                "`choices` must be a list of values", at: location(value), hint: "write choices: [a, b]"
                            ))
                    }
                case "pattern":
                    guard let pattern = value.scalar?.string else {
                        diagnostics.append(.error("`pattern` must be a regular expression", at: location(value)))
                        continue
                    }
                    if !isValidPattern(pattern) {
                        diagnostics.append(
                            .error(
                                "pattern of `\(name)` is not a valid regular expression", at: location(value),
                                hint: "the value must match it whole, e.g. pattern: \"^[a-z0-9-]+$\""))
                    } else {
                        spec.pattern = pattern
                    }
                default:
                    diagnostics.append(
                        .warning(
                            "unknown key `\(key)` in variable `\(name)`", at: location(keyNode),
                            hint: "supported: \(variableKeys.joined(separator: ", "))"))
                }
            }
            if !spec.choices.isEmpty {
                for value in [spec.defaultValue].compactMap({ $0 }) + spec.defaultsByEnvironment.values.sorted()
                where !spec.choices.contains(value) && !value.contains("$") {
                    diagnostics.append(
                        .warning(
                            "default `\(value)` of `\(name)` is not one of its choices", at: location(declaration),
                            hint: "choices: \(spec.choices.joined(separator: ", "))"))
                }
            }
            return (spec, diagnostics)
        default:
            return (
                nil,
                [
                    .error(
                        "declaration of `\(name)` must be a default value or a mapping", at: location(declaration),
                        hint: "write \(name): {prompt: \"…\", default: \"…\"}")
                ]
            )
        }
    }

    private static let patternLock = NSLock()
    nonisolated(unsafe) private static var patternValidity: [String: Bool] = [:]

    /// Whether `pattern` compiles as a regular expression. Remembered per pattern: building an
    /// NSRegularExpression is slow on Linux, and the runbooks of a directory declare the same few patterns.
    static func isValidPattern(_ pattern: String) -> Bool {
        patternLock.lock()
        defer { patternLock.unlock() }
        if let known = patternValidity[pattern] { return known }
        let valid = (try? NSRegularExpression(pattern: pattern)) != nil
        patternValidity[pattern] = valid
        return valid
    }

    /// The programs of `requires:`: a list of program names. Anything else is an error at its line.
    private static func requiredPrograms(
        _ value: Node, location: (Node) -> SourceLocation
    ) -> ([String], [Diagnostic]) {
        let hint = "write requires: [kubectl, helm] (programs looked up on PATH)"
        guard let sequence = value.sequence else {
            return ([], [.error("`requires` must be a list of programs", at: location(value), hint: hint)])
        }
        var programs: [String] = []
        var diagnostics: [Diagnostic] = []
        for entry in sequence {
            guard let scalar = entry.scalar, entry.int == nil, entry.float == nil, entry.bool == nil else {
                diagnostics.append(
                    .error(
                        "a `requires` entry must be a program name, not a list, map, number or true/false",
                        at: location(entry), hint: hint))
                continue
            }
            let name = scalar.string.trimmingCharacters(in: .whitespaces)
            if name.isEmpty || entry.null != nil {
                diagnostics.append(.error("a `requires` entry is empty", at: location(entry), hint: hint))
            } else if name.contains(where: { $0.isWhitespace || $0 == "/" }) {
                diagnostics.append(
                    .error(
                        "`requires` entry `\(name)` is not a program name", at: location(entry),
                        hint: "name the program only, as it is found on PATH: requires: [aws]"))
            } else if !programs.contains(name) {
                programs.append(name)
            }
        }
        return (programs, diagnostics)
    }

    /// A YAML sequence of scalars, or one comma-separated scalar.
    private static func stringList(_ node: Node) -> [String]? {
        if let sequence = node.sequence {
            let strings = sequence.compactMap { $0.scalar?.string }
            return strings.count == sequence.count ? strings : nil
        }
        if let string = node.scalar?.string {
            return string.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        return nil
    }

    private static func diagnostic(for error: YamlError, firstLine: Int, path: String) -> Diagnostic {
        var line = firstLine
        var column = 1
        var problem = "\(error)"
        switch error {
        case .scanner(_, let message, let mark, _), .parser(_, let message, let mark, _),
            .composer(_, let message, let mark, _):
            line = mark.line + firstLine - 1
            column = mark.column
            problem = message
        default:
            break
        }
        return .error(
            "front matter is not valid YAML: \(problem)", at: SourceLocation(file: path, line: line, column: column),
            hint: "check indentation and quoting; values containing `:` or `{` need quotes")
    }
}

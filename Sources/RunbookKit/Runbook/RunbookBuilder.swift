import Foundation

/// Walks a cmark-gfm document in order and builds the `Runbook` model: sections, steps, manual steps,
/// choices, tables and lists, each with its file line.
struct RunbookBuilder {
    let path: String
    /// Lines of front matter before the Markdown body.
    let lineOffset: Int
    let body: Substring
    let frontMatter: FrontMatter

    var diagnostics: [Diagnostic] = []
    private var items: [PendingItem] = []
    private var sections: [Section] = []
    private var tables: [MarkdownTable] = []
    private var lists: [[ListItem]] = []
    private var currentHeading: String?
    private var firstLevelOneHeading: String?
    private var anchors = HeadingSlug.Uniquer()
    private var lineStarts: [Substring.Index]?
    /// Variables that `promptEnv` steps ask for (their `export NAME=literal` lines), when the front matter does not
    /// declare them; in the order first met.
    var promptedExports: [VariableSpec] = []

    /// An item before ids are assigned (explicit ids are reserved before generated ones).
    private struct PendingItem {
        var item: RunbookItem
        var explicitID: String?
        /// The text a generated id is derived from.
        var slugSource: String
    }

    init(path: String, lineOffset: Int, body: Substring, frontMatter: FrontMatter) {
        self.path = path
        self.lineOffset = lineOffset
        self.body = body
        self.frontMatter = frontMatter
    }

    private func location(_ node: MarkdownNode) -> SourceLocation {
        SourceLocation(file: path, line: node.startLine + lineOffset, column: max(node.startColumn, 1))
    }

    /// The error for Markdown nested deeper than `RunbookParser.maximumNesting`.
    static func tooDeep(at location: SourceLocation) -> Diagnostic {
        .error(
            "Markdown nests deeper than \(RunbookParser.maximumNesting) levels (block quotes, lists or emphasis inside each other)",
            at: location, hint: "flatten the nesting: a runbook needs a few levels of lists and quotes, not dozens")
    }

    /// Builds from `document`, or, when it nests deeper than `RunbookParser.maximumNesting`, records that error
    /// and reads nothing (the walk below recurses once per level).
    mutating func build(from document: MarkdownDocument) {
        if let deep = document.firstNode(deeperThan: RunbookParser.maximumNesting) {
            diagnostics.append(Self.tooDeep(at: location(deep)))
            return
        }
        visitChildren(of: document.root)
    }

    mutating func visitChildren(of node: MarkdownNode) {
        var child = node.firstChild
        while let current = child {
            visit(current)
            child = current.next
        }
    }

    private mutating func visit(_ node: MarkdownNode) {
        switch node.kind {
        case .heading:
            let title = node.plainText
            sections.append(
                Section(
                    title: title, level: node.headingLevel, anchor: anchors.anchor(for: title), location: location(node)
                ))
            currentHeading = title
            if node.headingLevel == 1, firstLevelOneHeading == nil { firstLevelOneHeading = title }
        case .codeBlock:
            visitCodeBlock(node)
        case .list:
            visitList(node)
        case .table:
            visitTable(node)
        case .blockQuote, .item, .document:
            visitChildren(of: node)
        default:
            break
        }
    }

    private var sectionTitle: String {
        currentHeading ?? frontMatter.title ?? firstLevelOneHeading ?? ""
    }

    /// The plain text of the paragraph immediately before `node`, if that is what precedes it.
    private func precedingParagraph(_ node: MarkdownNode) -> String? {
        guard let previous = node.previous, previous.kind == .paragraph else { return nil }
        let text = previous.plainText
        return text.isEmpty ? nil : text
    }

    // MARK: Code blocks

    private mutating func visitCodeBlock(_ node: MarkdownNode) {
        guard node.isFenced else { return }
        let info = FenceInfo(parsing: node.fenceInfo ?? "")
        if !info.problems.isEmpty {
            let column = infoStringColumn(node)
            for problem in info.problems {
                var at = location(node)
                at.column = column + problem.offset
                diagnostics.append(
                    Diagnostic(location: at, severity: problem.severity, message: problem.message, hint: problem.hint))
            }
        }
        guard FenceInfo.stepLanguages.contains(info.language) else {
            if info.hasAttributes {
                var at = location(node)
                at.column = infoStringColumn(node)
                diagnostics.append(
                    .warning(
                        "attributes on a `\(info.language.isEmpty ? "plain" : info.language)` block are ignored: only shell blocks are steps",
                        at: at, hint: "use one of: \(FenceInfo.stepLanguages.sorted().joined(separator: ", "))"))
            }
            return
        }
        guard !info.attributes.ignore else { return }
        var literal = node.literal ?? ""
        if literal.hasSuffix("\n") { literal.removeLast() }
        if let offset = ControlCharacters.firstOffset(in: literal) {
            diagnostics.append(controlCharacterError(in: literal, at: offset, node: node))
            return
        }
        var command = literal
        var expectedOutput: String?
        var hasPrompts = false
        let fenceLine = location(node).line
        if info.language == "console" {
            let split = Self.splitConsole(literal)
            (command, expectedOutput, hasPrompts) = (split.command, split.output, true)
            if command.isEmpty, let program = Self.promptlessCommands(literal) {
                // Written without prompts, but every line is a command: the block reads as one to a person.
                (command, expectedOutput, hasPrompts) = (literal, nil, false)
                diagnostics.append(
                    .note(
                        "console block has no `$ ` prompts, but every line starts with a program (`\(program)`): read as commands",
                        at: location(node), hint: "write ```sh (or `$ ` before each command) to say so"))
            } else if command.isEmpty {
                diagnostics.append(
                    .warning(
                        "console block has no `$ ` command lines, so it is not a step", at: location(node),
                        hint: "prefix commands with `$ `, or use ```text for output only"))
                return
            }
        } else if let first = Self.firstPromptedLine(literal) {
            var at = location(node)
            at.line = fenceLine + 1 + first.index
            at.column = first.column
            if first.isFirstLine {
                // Written as a console session: the `$ ` lines are the command, the rest is sample output.
                let split = Self.splitConsole(literal)
                (command, expectedOutput, hasPrompts) = (split.command, split.output, true)
                let output =
                    split.outputLines == 0
                    ? "no lines of sample output"
                    : "\(split.outputLines) line\(split.outputLines == 1 ? "" : "s") of sample output (from line \(fenceLine + 1 + split.firstOutputLine!)) \(split.outputLines == 1 ? "is" : "are") shown, not run"
                diagnostics.append(
                    .note(
                        "prompt `$ ` stripped from \(split.commandLines) command line\(split.commandLines == 1 ? "" : "s"); \(output)",
                        at: at, hint: "a block written as a terminal session reads best as ```console"))
            } else {
                // The first line has no prompt, so nothing here is sample output: as Runme does, the prompts are
                // stripped and every line runs.
                command = Self.strippingPrompts(literal)
                hasPrompts = true
                diagnostics.append(
                    .warning(
                        "line \(at.line) starts with a `$ ` prompt but the block's first line does not: the prompts are stripped and every line runs",
                        at: at,
                        hint:
                            "write every command with `$ ` (then other lines are sample output), or none; ```console says it is a session"
                    ))
            }
        }
        let title = sectionTitle
        var attributes = info.attributes
        attributes.cwd = workingDirectory(for: attributes.cwd)
        runmeNotes(attributes, at: location(node))
        var explicitID = attributes.id
        var slugSource = title
        if let name = attributes.name {
            let usableAsID = !name.contains(where: { $0.isWhitespace || $0 == "#" })
            if explicitID == nil || Self.isULID(explicitID!), usableAsID {
                // Runme fills `id` with a ULID, which names nothing for a person; its `name` is the handle.
                explicitID = name
            } else if explicitID == nil {
                slugSource = name
            }
        }
        if attributes.promptsForExports, !frontMatter.skipPrompts {
            command = promptingForExports(command, at: location(node))
        }
        var step = Step(
            id: explicitID ?? "", title: title, guidance: precedingParagraph(node), language: info.language,
            command: command, expectedOutput: expectedOutput, attributes: attributes, location: location(node))
        step.hasPrompts = hasPrompts
        items.append(PendingItem(item: .step(step), explicitID: explicitID, slugSource: slugSource))
    }

    /// A step's working directory: the front matter's `cwd` (relative to the runbook's directory, as Runme reads
    /// it), and a step's own relative `cwd` starts from there. Without front-matter `cwd`, a step's `cwd` is used
    /// as written (relative to where `runbook` runs).
    private func workingDirectory(for stepDirectory: String?) -> String? {
        guard let base = frontMatter.cwd.map({ Self.resolve($0, from: Self.directory(of: path)) }) else {
            return stepDirectory
        }
        guard let stepDirectory else { return base }
        return Self.resolve(stepDirectory, from: base)
    }

    static func directory(of path: String) -> String {
        (path as NSString).deletingLastPathComponent
    }

    /// `directory` from `base`, with `.` and `..` folded where they can be (`docs/ops` + `../deploy` is
    /// `docs/deploy`); absolute and `~` paths as written.
    private static func resolve(_ directory: String, from base: String) -> String {
        if directory.hasPrefix("/") || directory.hasPrefix("~") || base.isEmpty { return directory }
        var parts: [Substring] = []
        for part in (base + "/" + directory).split(separator: "/", omittingEmptySubsequences: false) {
            switch part {
            case "", ".": if parts.isEmpty && part.isEmpty { parts.append(part) }
            case "..":
                if let last = parts.last, last != "..", !last.isEmpty { parts.removeLast() } else { parts.append(part) }
            default: parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        return joined.isEmpty ? "." : joined
    }

    /// Warnings for Runme attributes whose combination cannot mean what it says here.
    private mutating func runmeNotes(_ attributes: StepAttributes, at location: SourceLocation) {
        guard attributes.background else { return }
        if let capture = attributes.capture {
            diagnostics.append(
                .warning(
                    "`background` with capture=\(capture): the session goes on before the output exists, so nothing is captured",
                    at: location, hint: "drop `background`, or capture in a later step"))
        }
        if attributes.interactive {
            diagnostics.append(
                .warning(
                    "`background` with interactive=true: a background step never gets the terminal, so it runs without input",
                    at: location, hint: "drop one of the two"))
        }
    }

    /// Whether `text` is a ULID as Runme writes cell ids: 26 characters of Crockford's base 32.
    static func isULID(_ text: String) -> Bool {
        text.utf8.count == 26 && text.utf8.allSatisfy { ulidAlphabet.contains($0) }
    }

    private static let ulidAlphabet = Set("0123456789ABCDEFGHJKMNPQRSTVWXYZabcdefghjkmnpqrstvwxyz".utf8)

    /// The error for a hidden control byte at UTF-8 `offset` of a code block's text, at its line and column in the
    /// file: a terminal would obey the byte instead of showing it, so the command shown is not the one run.
    private mutating func controlCharacterError(in literal: String, at offset: Int, node: MarkdownNode) -> Diagnostic {
        let bytes = Array(literal.utf8)
        let before = bytes[..<offset]
        let lineInBlock = before.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        let byte = bytes[offset]
        let bodyLineNumber = node.startLine + 1 + lineInBlock
        var at = location(node)
        at.line = bodyLineNumber + lineOffset
        // The column in the file line (its indentation and `> ` markers included), else within the block's line.
        if let line = bodyLine(bodyLineNumber), let column = ControlCharacters.firstOffset(in: line) {
            at.column = column + 1
        } else {
            at.column = offset - (before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0) + 1
        }
        return .error(
            "command holds the control character \(ControlCharacters.caret(byte)) (0x\(String(byte, radix: 16, uppercase: true))): a terminal acts on it instead of showing it, so what is shown would not be what runs",
            at: at, hint: "remove it; if the command needs the byte, write it as `printf '\\033'` or `$'\\e'`")
    }

    /// The 1-based column where the info string starts on the fence line.
    private mutating func infoStringColumn(_ node: MarkdownNode) -> Int {
        guard let line = bodyLine(node.startLine) else { return node.startColumn }
        let bytes = Array(line.utf8)
        var index = max(node.startColumn - 1, 0)
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: ">") {
            index += 1
        }
        while index < bytes.count, bytes[index] == UInt8(ascii: "`") || bytes[index] == UInt8(ascii: "~") {
            index += 1
        }
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") {
            index += 1
        }
        return index + 1
    }

    /// The text of body line `number` (1-based), without its newline.
    private mutating func bodyLine(_ number: Int) -> Substring? {
        if lineStarts == nil {
            var starts = [body.startIndex]
            var index = body.utf8.startIndex
            while let newline = body.utf8[index...].firstIndex(of: UInt8(ascii: "\n")) {
                index = body.utf8.index(after: newline)
                starts.append(index)
            }
            lineStarts = starts
        }
        guard let starts = lineStarts, number >= 1, number <= starts.count else { return nil }
        let start = starts[number - 1]
        let end = number < starts.count ? body.index(before: starts[number]) : body.endIndex
        return body[start..<end]
    }

    // MARK: Lists

    private mutating func visitList(_ node: MarkdownNode) {
        let listItems = node.children
        if !listItems.isEmpty, let options = choiceOptions(listItems) {
            let title = sectionTitle
            let choice = Choice(
                id: "", title: title, prompt: precedingParagraph(node), options: options, location: location(node))
            items.append(PendingItem(item: .choice(choice), explicitID: nil, slugSource: title))
            return
        }
        var plain: [ListItem] = []
        for item in listItems {
            let text = Self.leadText(of: item)
            if item.isTaskItem {
                let (lead, acknowledges) = manualAttributes(text, at: location(item))
                var manual = ManualStep(
                    id: "", title: sectionTitle, text: lead, checked: item.isChecked, location: location(item))
                manual.acknowledges = acknowledges
                items.append(PendingItem(item: .manual(manual), explicitID: nil, slugSource: lead))
            } else {
                plain.append(ListItem(text: text, location: location(item)))
            }
            // Nested blocks (code, sub-lists) after the item's first paragraph.
            var child = item.firstChild
            if child?.kind == .paragraph { child = child?.next }
            while let current = child {
                visit(current)
                child = current.next
            }
        }
        if !plain.isEmpty { lists.append(plain) }
    }

    /// A manual step's trailing attribute block (`- [ ] Acknowledge the alert {ack}`), read by the fence's own
    /// attribute reader: the text without it, and whether it says `ack`. Any other attribute is a warning (only
    /// `ack` means something on a manual step); a text without a trailing `{…}` is returned as it is.
    private mutating func manualAttributes(_ text: String, at location: SourceLocation) -> (String, Bool) {
        guard text.hasSuffix("}"), let open = text.range(of: " {", options: .backwards) else { return (text, false) }
        let info = FenceInfo(parsing: "manual" + text[open.lowerBound...])
        for problem in info.problems {
            diagnostics.append(
                Diagnostic(location: location, severity: problem.severity, message: problem.message, hint: problem.hint)
            )
        }
        var onlyAck = StepAttributes()
        onlyAck.acknowledges = info.attributes.acknowledges
        if info.attributes != onlyAck {
            diagnostics.append(
                .warning(
                    "only `ack` applies to a manual step; its other attributes are ignored", at: location,
                    hint: "write `- [ ] Acknowledge the alert {ack}`"))
        }
        return (text[..<open.lowerBound].trimmingCharacters(in: .whitespaces), info.attributes.acknowledges)
    }

    /// The plain text of an item's first paragraph (its "line").
    private static func leadText(of item: MarkdownNode) -> String {
        guard let first = item.firstChild else { return "" }
        return first.kind == .paragraph ? first.plainText : ""
    }

    /// The options when every item is a single paragraph that starts with a link to a runbook or heading.
    /// A link whose target does not parse (`other.md#`) is an error at its item, and the list is not a choice.
    private mutating func choiceOptions(_ listItems: [MarkdownNode]) -> [ChoiceOption]? {
        var options: [ChoiceOption] = []
        for item in listItems {
            guard !item.isTaskItem, let paragraph = item.firstChild, paragraph.kind == .paragraph,
                paragraph.next == nil, var link = paragraph.firstChild
            else { return nil }
            // `**[Outage](outage.md)**` counts: look inside emphasis that wraps only the link.
            while link.kind == .strong || link.kind == .emphasis, let inner = link.firstChild, inner.next == nil {
                link = inner
            }
            guard link.kind == .link, let url = link.url else { return nil }
            let target: LinkTarget
            switch LinkTarget.parse(url, as: .markdownLink) {
            case .success(.external): return nil
            case .success(let parsed): target = parsed
            case .failure(let error):
                diagnostics.append(.error("link " + error.message, at: location(item), hint: error.hint))
                return nil
            }
            var detail = ""
            var rest = paragraph.firstChild?.next
            while let current = rest {
                detail += current.rawPlainText
                rest = current.next
            }
            let trimmed = detail.trimmingCharacters(in: Self.detailPunctuation)
            options.append(
                ChoiceOption(
                    label: link.plainText, target: target, detail: trimmed.isEmpty ? nil : trimmed,
                    location: location(item)))
        }
        return options
    }

    /// What is trimmed from both ends of a choice's detail: blanks, dashes and colons.
    private static let detailPunctuation = CharacterSet(charactersIn: " \t\u{2014}\u{2013}-:")

    // MARK: Tables

    private mutating func visitTable(_ node: MarkdownNode) {
        var header: [String] = []
        var rows: [MarkdownTable.Row] = []
        var row = node.firstChild
        while let current = row {
            let cells = current.children.map(\.plainText)
            if current.kind == .tableHeader {
                header = cells
            } else {
                rows.append(MarkdownTable.Row(cells: cells, location: location(current)))
            }
            row = current.next
        }
        tables.append(MarkdownTable(header: header, rows: rows, location: location(node)))
    }

    // MARK: Finishing

    /// Assigns ids (explicit ones first, then stable ones from headings and task text) and builds the runbook.
    mutating func finish() -> Runbook {
        var used = Set(items.compactMap(\.explicitID))
        var finished: [RunbookItem] = []
        finished.reserveCapacity(items.count)
        for pending in items {
            var id = pending.explicitID ?? ""
            if pending.explicitID == nil {
                let base = HeadingSlug.stepID(for: pending.slugSource, maximumLength: 48)
                id = base
                var suffix = 2
                while used.contains(id) {
                    id = "\(base)-\(suffix)"
                    suffix += 1
                }
                used.insert(id)
            }
            switch pending.item {
            case .step(var step):
                step.id = id
                finished.append(.step(step))
            case .manual(var manual):
                manual.id = id
                finished.append(.manual(manual))
            case .choice(var choice):
                choice.id = id
                finished.append(.choice(choice))
            }
        }
        let fileName = (path as NSString).lastPathComponent
        let defaultID = fileName.lowercased().hasSuffix(".md") ? String(fileName.dropLast(3)) : fileName
        var runbook = Runbook(
            id: frontMatter.id ?? defaultID, title: frontMatter.title ?? firstLevelOneHeading, path: path,
            severity: frontMatter.severity, environments: frontMatter.environments, shell: frontMatter.shell ?? "bash",
            variables: frontMatter.variables + promptedExports, items: finished, sections: sections, tables: tables,
            lists: lists)
        runbook.workingDirectory = workingDirectory(for: nil)
        runbook.requires = frontMatter.requires
        return runbook
    }
}

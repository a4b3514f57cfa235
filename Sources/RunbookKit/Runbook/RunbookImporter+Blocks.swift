import Foundation

extension RunbookImporter {
    /// A fenced code block as cmark-gfm read it, by file lines.
    struct CodeBlock {
        var startLine: Int
        var endLine: Int
        var literal: String
    }

    /// What the conversions of one file share: where variables are declared, which names are taken.
    struct BlockContext {
        var frontMatter: FrontMatterPlan
        /// Names some step assigns (`NS=…`): a placeholder of that name is left for a person.
        var assigned: Set<String>
        /// Names the front matter declares already.
        var declared: Set<String>
        var newVariables: [NewVariable] = []
    }

    /// The fenced code blocks of `text` by the file line of their opening fence.
    static func codeBlocks(in text: String) -> [Int: CodeBlock] {
        let full = Substring(RunbookParser.withLineFeeds(text))
        var body = full
        var offset = 0
        if let split = FrontMatter.split(full), split.closed {
            body = split.body
            offset = split.bodyLineOffset
        }
        let document = MarkdownDocument(text: String(body))
        guard document.firstNode(deeperThan: RunbookParser.maximumNesting) == nil else { return [:] }
        var blocks: [Int: CodeBlock] = [:]
        func visit(_ node: MarkdownNode) {
            if node.kind == .codeBlock, node.isFenced {
                blocks[node.startLine + offset] = CodeBlock(
                    startLine: node.startLine + offset, endLine: node.endLine + offset, literal: node.literal ?? "")
            }
            var child = node.firstChild
            while let current = child {
                visit(current)
                child = current.next
            }
        }
        visit(document.root)
        return blocks
    }

    /// The opening fence line taken apart: what precedes the fence (indentation, `> `), the fence, the info string.
    struct Fence {
        var prefix: String
        var marker: String
        var info: String

        init?(_ line: String) {
            let characters = Array(line)
            var index = 0
            while index < characters.count, " \t>".contains(characters[index]) { index += 1 }
            guard index < characters.count, characters[index] == "`" || characters[index] == "~" else { return nil }
            let markerStart = index
            while index < characters.count, characters[index] == characters[markerStart] { index += 1 }
            guard index - markerStart >= 3 else { return nil }
            prefix = String(characters[..<markerStart])
            marker = String(characters[markerStart..<index])
            info = String(characters[index...])
        }

        /// Whether `line` closes this fence.
        func isClosed(by line: String) -> Bool {
            let text = line.drop { " \t>".contains($0) }
            let run = text.prefix { $0 == marker.first }
            return run.count >= marker.count && text.dropFirst(run.count).allSatisfy { $0 == " " || $0 == "\t" }
        }
    }

    /// One step converted: the command it runs afterwards (for the check), and the edit, if any.
    func convert(
        _ step: Step, block: CodeBlock, lines: [Line], context: inout BlockContext, summary: inout Summary
    ) -> (command: String, edit: Edit?) {
        let opening = block.startLine - 1
        let unchanged = (step.command, Edit?.none)
        guard opening < lines.count, let fence = Fence(lines[opening].text) else { return unchanged }
        let closing = block.endLine - 1
        let closed = closing > opening && closing < lines.count && fence.isClosed(by: lines[closing].text)
        var literal = block.literal
        if literal.hasSuffix("\n") { literal.removeLast() }
        // The block's text can be rewritten when it is at the top level or in a list (indentation only) and its lines
        // are the literal cmark read, with that indentation.
        let indentation = fence.prefix
        let contentLines = closed ? Array(lines[(opening + 1)..<closing]) : []
        let rewritable =
            closed && indentation.allSatisfy { $0 == " " } && !indentation.contains("\t")
            && contentLines.map { Self.dropIndentation($0.text, upTo: indentation.count) }.joined(separator: "\n")
                == literal
        let info = FenceInfo(parsing: fence.info)
        var notes: [Summary.Note] = []
        var content = literal
        var changedContent = false
        var language: String?
        var trailing: [String] = []
        var counts = Summary()

        // 1. Prompts and sample output.
        if step.hasPrompts {
            let isSession = info.language == "console" || RunbookBuilder.firstPromptedLine(literal)?.isFirstLine == true
            if !isSession {
                notes.append(
                    .init(
                        line: block.startLine,
                        message:
                            "some lines start with `$ ` but the first does not: every line runs; write `$ ` on all commands or none"
                    ))
            } else if !rewritable {
                notes.append(
                    .init(line: block.startLine, message: "terminal session in a block quote: convert it by hand"))
            } else {
                let split = RunbookBuilder.splitConsole(literal)
                content = split.command
                changedContent = true
                counts.promptsStripped = split.commandLines
                if info.language == "console" { language = "bash" }
                if let output = split.output {
                    counts.sampleOutputsMarked = 1
                    let outputLines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                    let fenceCharacter = fence.marker.first!
                    let longest =
                        outputLines.map { line in
                            line.drop { $0 == " " }.prefix { $0 == fenceCharacter }.count
                        }.max() ?? 0
                    let marker = String(repeating: fenceCharacter, count: max(fence.marker.count, longest + 1))
                    trailing = ["", "Sample output:", "", marker + "text"] + outputLines + [marker]
                }
            }
        }
        if !step.hasPrompts, info.language == "console" {
            // A console block of commands without prompts (`RunbookBuilder.promptlessCommands`) says what it is.
            language = "bash"
        }
        let canEditContent = rewritable && (!step.hasPrompts || changedContent)

        // 2. Placeholders.
        if canEditContent {
            var replacements: [(offset: Int, length: Int, text: String)] = []
            let hasHereDocument = content.split(separator: "\n").contains {
                RunbookBuilder.hereDocumentDelimiter(in: $0) != nil
            }
            let bytes = Array(content.utf8)
            Linter.forEachPlaceholder(in: content) { placeholder, offset, linterQuoting in
                // The linter's reading does not follow `$(…)` inside double quotes; where the two differ, the
                // more careful one decides (single quotes are left alone either way).
                let nested = Self.quoting(at: offset, in: bytes)
                let quoting: Linter.Quoting =
                    linterQuoting == .single || nested == .single ? .single : nested
                let line = block.startLine + 1 + bytes[..<offset].filter { $0 == UInt8(ascii: "\n") }.count
                let inner = placeholder.dropFirst().dropLast()
                let name = inner.uppercased().replacingOccurrences(of: "-", with: "_")
                func leave(_ why: String) {
                    notes.append(.init(line: line, message: "placeholder `\(placeholder)` \(why)"))
                }
                guard placeholder.hasPrefix("<") else { return leave("in braces: replace it by hand") }
                guard !hasHereDocument else { return leave("in a block with a here-document") }
                guard quoting != .single else { return leave("inside single quotes") }
                guard VariableReferences.isValidName(name), !VariableReferences.isReserved(name),
                    !Linter.ordinaryEnvironmentVariables.contains(name), !Linter.incidentVariables.contains(name)
                else { return leave("would become `$\(name)`, a variable the shell or the incident already has") }
                guard !context.assigned.contains(name) else {
                    return leave("would become `$\(name)`, which a step assigns")
                }
                guard context.declared.contains(name) || context.frontMatter.canDeclare else {
                    return leave("needs a variable, but the front matter cannot be extended")
                }
                let next = offset + placeholder.utf8.count
                let text: String
                if quoting == .unquoted {
                    text = "\"$\(name)\""
                } else if next < bytes.count, VariableReferences.isNameByte(bytes[next]) {
                    text = "${\(name)}"
                } else {
                    text = "$\(name)"
                }
                replacements.append((offset, placeholder.utf8.count, text))
                if !context.declared.contains(name), !context.newVariables.contains(where: { $0.name == name }) {
                    let prompt = inner.replacingOccurrences(of: "-", with: " ").replacingOccurrences(of: "_", with: " ")
                    context.newVariables.append(NewVariable(name: name, prompt: prompt))
                }
                if !counts.variables.contains(name) { counts.variables.append(name) }
            }
            if !replacements.isEmpty {
                var edited = bytes
                for replacement in replacements.reversed() {
                    edited.replaceSubrange(
                        replacement.offset..<(replacement.offset + replacement.length),
                        with: Array(replacement.text.utf8))
                }
                content = String(decoding: edited, as: UTF8.self)
                changedContent = true
                counts.placeholdersReplaced = replacements.count
            }
        }
        let command = changedContent ? content : step.command

        // 3. `export X=$(…)`: left as written, as `capture=` is not exact (see `Summary.exportsLeft`).
        if Self.exportedSubstitution(command) != nil { counts.exportsLeft = 1 }

        // 4 and 5. Ids and `risk=read`.
        var attributes: [(key: String, value: String)] = []
        let problems = info.problems.contains { $0.severity == .error }
        if !problems {
            if step.attributes.id == nil, step.attributes.name == nil, !Self.hasKey("id", in: fence.info) {
                attributes.append(("id", step.id))
            }
            if !Self.hasKey("risk", in: fence.info) {
                // A destructive rule wins: the step is marked so, which asks more of the responder, never less.
                if !detector.matches(command).isEmpty {
                    attributes.append(("risk", "destructive"))
                } else if ReadOnlyCommands.isReadOnly(command) {
                    attributes.append(("risk", "read"))
                }
            }
        }
        guard changedContent || !attributes.isEmpty || language != nil else {
            summary.merge(counts, notes: notes)
            return unchanged
        }
        guard let newInfo = Self.editedInfo(fence.info, language: language, adding: attributes) else {
            notes.append(.init(line: block.startLine, message: "info string not understood: add attributes by hand"))
            summary.merge(Summary(), notes: notes)
            return unchanged
        }
        counts.ids = attributes.contains { $0.key == "id" } ? 1 : 0
        counts.readOnly = attributes.contains { $0 == ("risk", "read") } ? 1 : 0
        counts.destructive = attributes.contains { $0 == ("risk", "destructive") } ? 1 : 0

        // The block alone must read as the command and attributes intended, or nothing of it changes.
        let marker = fence.marker
        let snippet = "\(marker)\(newInfo)\n\(content)\n\(marker)\n"
        let reread = RunbookParser.parseWithDiagnostics(text: snippet, path: "block").runbook.steps
        var intended = step.attributes
        if attributes.contains(where: { $0.key == "id" }) { intended.id = step.id }
        if let risk = attributes.first(where: { $0.key == "risk" }) { intended.risk = Risk(rawValue: risk.value)! }
        var reread0 = reread.first?.attributes
        reread0?.cwd = nil
        intended.cwd = nil
        guard reread.count == 1, reread[0].command == command, reread0 == intended else {
            notes.append(
                .init(line: block.startLine, message: "converting this block would change it: left as written"))
            summary.merge(Summary(), notes: notes)
            return unchanged
        }
        summary.merge(counts, notes: notes)

        let ending = lines[opening].ending.isEmpty ? Self.dominantEnding(lines) : lines[opening].ending
        var replaced = [Line(text: fence.prefix + fence.marker + newInfo, ending: lines[opening].ending)]
        var end = opening + 1
        if changedContent {
            replaced[0].ending = ending
            replaced += content.split(separator: "\n", omittingEmptySubsequences: false).map {
                Line(text: $0.isEmpty ? "" : indentation + $0, ending: ending)
            }
            var closingLine = lines[closing]
            if !trailing.isEmpty, closingLine.ending.isEmpty { closingLine.ending = ending }
            replaced.append(closingLine)
            var extra = trailing.map { Line(text: $0.isEmpty ? "" : indentation + $0, ending: ending) }
            if !extra.isEmpty, lines[closing].ending.isEmpty { extra[extra.count - 1].ending = "" }
            replaced += extra
            end = closing + 1
        }
        return (command, Edit(start: opening, end: end, lines: replaced))
    }

    /// How the shell quotes the byte at `offset` of `bytes`, following `$(…)` and backticks inside double quotes
    /// (`"$(kubectl get pod <x>)"`: the placeholder is unquoted there), and skipping comments.
    static func quoting(at offset: Int, in bytes: [UInt8]) -> Linter.Quoting {
        enum Context { case unquoted, double, single, substitution(depth: Int), backtick }
        var stack: [Context] = [.unquoted]
        var index = 0
        while index < offset, index < bytes.count {
            let byte = bytes[index]
            switch stack.last! {
            case .single:
                if byte == UInt8(ascii: "'") { stack.removeLast() }
            case .double:
                if byte == UInt8(ascii: "\\") {
                    index += 1
                } else if byte == UInt8(ascii: "\"") {
                    stack.removeLast()
                } else if byte == UInt8(ascii: "$"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "(") {
                    stack.append(.substitution(depth: 1))
                    index += 1
                } else if byte == UInt8(ascii: "`") {
                    stack.append(.backtick)
                }
            case .unquoted, .substitution, .backtick:
                let previous = index > 0 ? bytes[index - 1] : UInt8(ascii: "\n")
                if byte == UInt8(ascii: "#"), " \t\n;|&(".utf8.contains(previous) {
                    // A comment, to the end of its line: its quotes (`the node's CPU`) open nothing.
                    while index + 1 < bytes.count, index + 1 < offset, bytes[index + 1] != UInt8(ascii: "\n") {
                        index += 1
                    }
                } else if byte == UInt8(ascii: "\\") {
                    index += 1
                } else if byte == UInt8(ascii: "'") {
                    stack.append(.single)
                } else if byte == UInt8(ascii: "\"") {
                    stack.append(.double)
                } else if byte == UInt8(ascii: "$"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "(") {
                    stack.append(.substitution(depth: 1))
                    index += 1
                } else if case .substitution(let depth) = stack.last!, byte == UInt8(ascii: "(") {
                    stack[stack.count - 1] = .substitution(depth: depth + 1)
                } else if case .substitution(let depth) = stack.last!, byte == UInt8(ascii: ")") {
                    if depth == 1 {
                        stack.removeLast()
                    } else {
                        stack[stack.count - 1] = .substitution(depth: depth - 1)
                    }
                } else if byte == UInt8(ascii: "`") {
                    if case .backtick = stack.last! { stack.removeLast() } else { stack.append(.backtick) }
                }
            }
            index += 1
        }
        switch stack.last! {
        case .single: return .single
        case .double: return .double
        default: return .unquoted
        }
    }

    /// `line` without up to `count` leading spaces (what cmark-gfm removes from a fenced block's lines).
    static func dropIndentation(_ line: String, upTo count: Int) -> String {
        var dropped = 0
        return String(
            line.drop { character in
                guard dropped < count, character == " " else { return false }
                dropped += 1
                return true
            })
    }

    /// Whether the info string's attribute block names `key` (`key=…`, a bare `key`, or `"key":` in JSON).
    static func hasKey(_ key: String, in info: String) -> Bool {
        guard let open = info.firstIndex(of: "{") else { return false }
        let block = info[open...]
        if block.contains("\"\(key)\"") { return true }
        var index = block.startIndex
        while let range = block[index...].range(of: key) {
            let before = range.lowerBound == block.startIndex ? "{" : block[block.index(before: range.lowerBound)]
            let after = range.upperBound < block.endIndex ? block[range.upperBound] : "}"
            if " \t{,".contains(before), "= \t},".contains(after) { return true }
            index = range.upperBound
        }
        return false
    }

    /// The info string with its language replaced (when `language` is given) and `attributes` added to its
    /// attribute block, in the block's own form; nil when it has text this cannot place attributes after.
    static func editedInfo(_ info: String, language: String?, adding attributes: [(key: String, value: String)])
        -> String?
    {
        let leading = info.prefix { $0 == " " || $0 == "\t" }
        var rest = info.dropFirst(leading.count)
        let word = rest.prefix { $0 != " " && $0 != "\t" && $0 != "{" }
        rest = rest.dropFirst(word.count)
        let head = String(leading) + (language ?? String(word))
        guard !attributes.isEmpty else { return head + rest }
        var trimmed = String(rest)
        while trimmed.last == " " || trimmed.last == "\t" { trimmed.removeLast() }
        let between = trimmed.prefix { $0 == " " || $0 == "\t" }
        let block = trimmed.dropFirst(between.count)
        if block.isEmpty {
            return head + " {" + attributes.map { "\($0.key)=\($0.value)" }.joined(separator: " ") + "}"
        }
        guard block.hasPrefix("{"), block.hasSuffix("}") else { return nil }
        var inside = block.dropFirst().dropLast()
        while inside.last == " " || inside.last == "\t" { inside.removeLast() }
        let isJSON = inside.drop { $0 == " " || $0 == "\t" }.hasPrefix("\"")
        let added: String
        if isJSON {
            added =
                (inside.isEmpty ? "" : ",")
                + attributes.map { "\"\($0.key)\":\"\($0.value)\"" }.joined(separator: ",")
        } else {
            added =
                (inside.isEmpty || inside.hasSuffix(",") ? "" : " ")
                + attributes.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        return head + between + "{" + inside + added + "}"
    }

    /// The name and inner command of a block that is exactly `export NAME=$(command)`.
    static func exportedSubstitution(_ command: String) -> (name: String, command: String)? {
        let text = command.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.contains("\n"), text.hasPrefix("export "), text.hasSuffix(")") else { return nil }
        let assignment = text.dropFirst("export ".count).drop { $0 == " " }
        guard let equals = assignment.firstIndex(of: "="), VariableReferences.isValidName(assignment[..<equals])
        else { return nil }
        let value = assignment[assignment.index(after: equals)...]
        guard value.hasPrefix("$("),
            ReadOnlyCommands.closingParenthesis(of: Array(value.utf8), from: 2) == value.utf8.count - 1
        else { return nil }
        return (String(assignment[..<equals]), String(value.dropFirst(2).dropLast()))
    }
}

extension RunbookImporter.Summary {
    /// Adds one block's counts and notes.
    mutating func merge(_ block: Self, notes: [Note]) {
        add(block)
        needsHuman += notes
    }
}

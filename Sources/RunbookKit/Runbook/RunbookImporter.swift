import Foundation

/// Converts an existing runbook (GitHub Markdown, a Hugo or Docusaurus page, a Runme notebook) into an idiomatic one:
/// `$ ` prompts stripped and sample output moved into a ```text block, `<placeholder>`s made declared variables,
/// stable step ids, and `risk=read` on read-only steps.
///
/// Text in, text out: only the lines of the blocks it converts and of the front matter's `variables:` change; every
/// other byte (line endings included) stays as it was. A conversion that could change what a command does is left
/// undone and reported. The result is parsed again and compared with the original, command by command; if they
/// differ the file is left unchanged. Converting a converted file changes nothing.
public struct RunbookImporter: Sendable {
    /// The destructive rules of the runbook's directory: a step they match is never marked `risk=read`.
    public var detector: DestructiveCommandDetector

    public init(detector: DestructiveCommandDetector = .standard) {
        self.detector = detector
    }

    /// One line of the file as written: its text and its ending (`\n`, `\r\n`, or empty at the end of the file).
    struct Line {
        var text: String
        var ending: String
    }

    /// Lines `start..<end` (0-based) replaced by `lines`.
    struct Edit {
        var start: Int
        var end: Int
        var lines: [Line]
    }

    /// Converts `text`, the runbook at `path` (used in messages only).
    public func convert(_ text: String, path: String) -> (text: String, summary: Summary) {
        var summary = Summary()
        let hasBOM = text.hasPrefix("\u{FEFF}")
        let content = hasBOM ? String(text.dropFirst()) : text
        guard let lines = Self.lines(of: content) else {
            summary.needsHuman.append(.init(line: 1, message: "line endings are a lone CR: convert them to LF first"))
            return (text, summary)
        }
        let (original, diagnostics) = RunbookParser.parseWithDiagnostics(text: content, path: path)
        if diagnostics.contains(where: { $0.severity == .error }) {
            let line = diagnostics.first { $0.severity == .error }?.location.line ?? 1
            summary.needsHuman.append(
                .init(line: line, message: "the file has errors (`runbook lint` names them): fix them, then import"))
            return (text, summary)
        }
        let blocks = Self.codeBlocks(in: content)
        var frontMatter = FrontMatterPlan(lines: lines, declared: Set(original.variables.map(\.name)))
        let assigned = original.steps.reduce(into: Set<String>()) {
            $0.formUnion(VariableReferences.assignedNames(in: $1.command))
        }
        var context = BlockContext(
            frontMatter: frontMatter, assigned: assigned, declared: Set(original.variables.map(\.name)))
        var edits: [Edit] = []
        var expected: [(id: String, command: String)] = []
        for step in original.steps {
            guard let block = blocks[step.location.line] else {
                expected.append((step.id, step.command))
                continue
            }
            let converted = convert(step, block: block, lines: lines, context: &context, summary: &summary)
            expected.append((step.id, converted.command))
            if let edit = converted.edit { edits.append(edit) }
        }
        declareFreeVariables(
            in: expected.map(\.command), original: original, firstLine: original.steps.first?.location.line ?? 1,
            context: &context, summary: &summary)
        edits += outputOnlyConsoleBlocks(blocks, steps: original.steps, lines: lines, summary: &summary)
        frontMatter = context.frontMatter
        if let edit = frontMatter.edit(adding: context.newVariables) { edits.append(edit) }
        guard !edits.isEmpty else { return (text, summary) }
        let result = (hasBOM ? "\u{FEFF}" : "") + Self.apply(edits, to: lines)
        // The safety net: the converted file must read as the original did, step for step.
        let (reread, rereadDiagnostics) = RunbookParser.parseWithDiagnostics(text: result, path: path)
        let same =
            reread.steps.count == expected.count
            && zip(reread.steps, expected).allSatisfy { $0.id == $1.id && $0.command == $1.command }
            && !rereadDiagnostics.contains { $0.severity == .error }
            && context.newVariables.allSatisfy { name in reread.variables.contains { $0.name == name.name } }
        guard same else {
            var unchanged = Summary()
            unchanged.needsHuman.append(
                .init(line: 1, message: "converted, the file would not read as it does now: left unchanged"))
            return (text, unchanged)
        }
        return (result, summary)
    }

    /// Variables the steps read that nothing declares, sets or captures (`kubectl get pods -n "$NAMESPACE"` written
    /// for a responder who exports it first): declared with a prompt, so the session asks for them. Values reach
    /// commands as environment variables, so a step that sets the name itself still does.
    func declareFreeVariables(
        in commands: [String], original: Runbook, firstLine: Int, context: inout BlockContext,
        summary: inout Summary
    ) {
        let captured = Set(original.steps.compactMap(\.attributes.capture))
        var free: [String] = []
        for command in commands {
            for name in VariableReferences.names(in: command)
            where !context.declared.contains(name) && !context.assigned.contains(name) && !captured.contains(name)
                && !Linter.ordinaryEnvironmentVariables.contains(name) && !Linter.incidentVariables.contains(name)
                && !VariableReferences.isReserved(name) && !free.contains(name)
                && !context.newVariables.contains(where: { $0.name == name })
            {
                free.append(name)
            }
        }
        guard !free.isEmpty else { return }
        guard context.frontMatter.canDeclare else {
            summary.needsHuman.append(
                .init(
                    line: firstLine,
                    message:
                        "variables \(free.joined(separator: ", ")) are used but not declared, and the front matter cannot be extended"
                ))
            return
        }
        for name in free {
            context.newVariables.append(
                NewVariable(name: name, prompt: name.lowercased().replacingOccurrences(of: "_", with: " ")))
        }
        summary.undeclaredDeclared += free.count
        summary.declaredNames += free
    }

    /// `console` blocks without a single `$ ` line run nothing (they are not steps): made ```text, which says so.
    func outputOnlyConsoleBlocks(_ blocks: [Int: CodeBlock], steps: [Step], lines: [Line], summary: inout Summary)
        -> [Edit]
    {
        let stepLines = Set(steps.map(\.location.line))
        var edits: [Edit] = []
        for block in blocks.values.sorted(by: { $0.startLine < $1.startLine })
        where !stepLines.contains(block.startLine) {
            let opening = block.startLine - 1
            guard opening < lines.count, let fence = Fence(lines[opening].text) else { continue }
            let info = FenceInfo(parsing: fence.info)
            guard info.language == "console", !info.hasAttributes, info.problems.isEmpty else { continue }
            var literal = block.literal
            if literal.hasSuffix("\n") { literal.removeLast() }
            guard RunbookBuilder.splitConsole(literal).command.isEmpty,
                let newInfo = Self.editedInfo(fence.info, language: "text", adding: [])
            else { continue }
            edits.append(
                Edit(
                    start: opening, end: opening + 1,
                    lines: [Line(text: fence.prefix + fence.marker + newInfo, ending: lines[opening].ending)]))
            summary.sampleOutputsMarked += 1
        }
        return edits
    }

    /// The text's lines with their endings, or nil when it uses lone CRs (which no edit here could keep).
    static func lines(of text: String) -> [Line]? {
        var lines: [Line] = []
        var current: [UInt8] = []
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") {
                lines.append(Line(text: String(decoding: current, as: UTF8.self), ending: "\n"))
                current = []
            } else if byte == UInt8(ascii: "\r") {
                guard index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") else { return nil }
                lines.append(Line(text: String(decoding: current, as: UTF8.self), ending: "\r\n"))
                current = []
                index += 1
            } else {
                current.append(byte)
            }
            index += 1
        }
        if !current.isEmpty { lines.append(Line(text: String(decoding: current, as: UTF8.self), ending: "")) }
        return lines
    }

    /// `lines` with `edits` (which do not overlap) applied.
    static func apply(_ edits: [Edit], to lines: [Line]) -> String {
        var lines = lines
        for edit in edits.sorted(by: { $0.start > $1.start }) {
            lines.replaceSubrange(edit.start..<edit.end, with: edit.lines)
        }
        return lines.map { $0.text + $0.ending }.joined()
    }

    /// The dominant line ending of `lines` (`\r\n` when most lines end so), for lines added to a file.
    static func dominantEnding(_ lines: [Line]) -> String {
        let crlf = lines.filter { $0.ending == "\r\n" }.count
        return crlf * 2 > lines.count ? "\r\n" : "\n"
    }
}

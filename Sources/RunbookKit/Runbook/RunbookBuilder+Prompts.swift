import Foundation

/// Blocks written as terminal sessions: `$ ` prompts, their commands, and sample output.
extension RunbookBuilder {
    /// A block split into what runs and what is shown.
    struct ConsoleSplit: Equatable {
        /// The command lines without their prompts, joined by newlines.
        var command: String
        /// The lines that are not commands (blank lines at either end dropped), or nil when there are none.
        var output: String?
        /// How many lines carried a `$ ` prompt.
        var commandLines: Int
        /// How many non-blank lines are sample output.
        var outputLines: Int
        /// The 0-based line within the block of the first non-blank output line.
        var firstOutputLine: Int?
    }

    /// The prompt of `line`, if it has one: the UTF-8 length of its indentation, and of that and the `$ ` (or a
    /// lone `$`) together.
    static func prompt(_ line: Substring) -> (indentation: Int, length: Int)? {
        let indentation = line.utf8.prefix { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }.count
        let rest = line.utf8.dropFirst(indentation)
        guard rest.first == UInt8(ascii: "$") else { return nil }
        let after = rest.dropFirst()
        if after.isEmpty { return (indentation, indentation + 1) }
        return after.first == UInt8(ascii: " ") ? (indentation, indentation + 2) : nil
    }

    /// The first line (0-based) of `text` with a `$ ` prompt, its column, and whether it is the block's first
    /// line that is neither blank nor a `#` comment (a comment above a session runs nothing either way); nil when
    /// no line has a prompt.
    static func firstPromptedLine(_ text: String) -> (index: Int, column: Int, isFirstLine: Bool)? {
        var seenText = false
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if let prompt = prompt(line) { return (index, prompt.indentation + 1, !seenText) }
            let text = line.drop { $0 == " " || $0 == "\t" }
            if !text.isEmpty, !text.hasPrefix("#") { seenText = true }
        }
        return nil
    }

    /// Every line of `text`, with the `$ ` prompt of those that have one removed (Runme's rule for shell blocks).
    static func strippingPrompts(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            prompt(line).map { String(Substring(line.utf8.dropFirst($0.length))) } ?? String(line)
        }.joined(separator: "\n")
    }

    /// A `console` block without a single `$ ` prompt that still holds only commands: every line that is not blank
    /// or a `#` comment (and does not continue the line before it with `\`) starts with a program of
    /// `KnownPrograms`, after any `NAME=value` assignments. Returns that first program (for lint's note), or nil when
    /// any line reads as output: then the block is not a step.
    static func promptlessCommands(_ text: String) -> String? {
        var first: String?
        var continuing = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            defer { continuing = trimmed.hasSuffix("\\") }
            if continuing || trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            var words = trimmed.split(separator: " ", omittingEmptySubsequences: true)[...]
            while let word = words.first, let equals = word.firstIndex(of: "="),
                VariableReferences.isValidName(word[..<equals])
            {
                words = words.dropFirst()
            }
            guard let program = words.first.map(String.init), KnownPrograms.names.contains(program) else {
                return nil
            }
            if first == nil { first = program }
        }
        return first
    }

    /// `console` blocks (and shell blocks written as a session): lines with a `$ ` prompt, indented or not, are
    /// commands, one script joined by newlines; a command line ending in `\` continues onto the next line (a
    /// leading `> ` there is dropped), and a here-document's lines up to its delimiter belong to its command. The
    /// rest is sample output, shown but never run.
    static func splitConsole(_ text: String) -> ConsoleSplit {
        var commands: [Substring] = []
        var output: [(index: Int, line: Substring)] = []
        var continuing = false
        var hereDocument: (delimiter: Substring, stripsTabs: Bool)?
        var commandLines = 0
        // The indentation of the last prompt: an indented session's continuation, here-document and output lines
        // are indented as much, and that indentation is neither part of the command nor of the output.
        var indentation = 0
        func unindented(_ line: Substring) -> Substring {
            var count = 0
            return line.drop { character in
                count += 1
                return count <= indentation && (character == " " || character == "\t")
            }
        }
        for (index, fullLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = unindented(fullLine)
            if let document = hereDocument {
                commands.append(line)
                let content = document.stripsTabs ? line.drop { $0 == "\t" } : line
                if content == document.delimiter { hereDocument = nil }
            } else if continuing {
                var continued = line
                if continued.hasPrefix("> ") { continued = continued.dropFirst(2) }
                commands.append(continued)
                continuing = continued.hasSuffix("\\")
                hereDocument = hereDocumentDelimiter(in: continued)
            } else if let prompt = prompt(fullLine) {
                indentation = prompt.indentation
                let command = Substring(fullLine.utf8.dropFirst(prompt.length))
                commands.append(command)
                commandLines += 1
                continuing = command.hasSuffix("\\")
                hereDocument = hereDocumentDelimiter(in: command)
            } else {
                output.append((index, line))
            }
        }
        while output.last?.line.allSatisfy(\.isWhitespace) == true { output.removeLast() }
        while output.first?.line.allSatisfy(\.isWhitespace) == true { output.removeFirst() }
        let shown = output.filter { !$0.line.allSatisfy(\.isWhitespace) }
        return ConsoleSplit(
            command: commands.joined(separator: "\n"),
            output: output.isEmpty ? nil : output.map(\.line).joined(separator: "\n"), commandLines: commandLines,
            outputLines: shown.count, firstOutputLine: shown.first?.index)
    }

    /// The delimiter of a here-document a command line opens (`cat <<EOF`, `<<-'END'`), if any.
    static func hereDocumentDelimiter(in line: Substring) -> (delimiter: Substring, stripsTabs: Bool)? {
        guard let range = line.range(of: "<<"), !line[range.upperBound...].hasPrefix("<") else { return nil }
        var rest = line[range.upperBound...]
        let stripsTabs = rest.hasPrefix("-")
        if stripsTabs { rest = rest.dropFirst() }
        rest = rest.drop { $0 == " " }
        var word = rest.prefix { !$0.isWhitespace && $0 != ";" && $0 != "|" && $0 != "&" && $0 != ")" }
        if let quote = word.first, quote == "'" || quote == "\"", word.count >= 2, word.last == quote {
            word = word.dropFirst().dropLast()
        }
        guard !word.isEmpty, word.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
        return (word, stripsTabs)
    }
}

import Foundation

/// Runme's `promptEnv`: a step's `export NAME=literal` lines ask the responder for NAME, with the literal as the
/// default, before the step runs.
///
/// Runme comments such a line out and prepends `export NAME="answer"`, so the answer becomes command text. Here a
/// value never becomes command text: NAME becomes a variable of the runbook (asked like a declared one, recorded as
/// `variable.set`, passed to the step as environment), and the line becomes
/// `[ -n "${NAME+set}" ] || export NAME=literal`, which keeps the answer and is shown for approval as it runs.
/// Only lines that are exactly `export NAME=literal` are rewritten: a literal without `$`, backticks or a
/// backslash, bare or in one pair of quotes. Other exports run as written, and lint says so.
extension RunbookBuilder {
    mutating func promptingForExports(_ command: String, at location: SourceLocation) -> String {
        var rewritten: [String] = []
        var asked: [String] = []
        var left = 0
        for line in command.split(separator: "\n", omittingEmptySubsequences: false) {
            guard let export = Self.literalExport(line) else {
                if line.drop(while: { $0 == " " || $0 == "\t" }).hasPrefix("export ") { left += 1 }
                rewritten.append(String(line))
                continue
            }
            let indentation = line.prefix { $0 == " " || $0 == "\t" }
            rewritten.append(
                "\(indentation)\(VariableReferences.unsetGuard(export.name)) \(line.dropFirst(indentation.count))")
            asked.append(export.name)
            let declared =
                frontMatter.variables.contains { $0.name == export.name }
                || promptedExports.contains { $0.name == export.name }
            if !declared {
                let upper = export.name.uppercased()
                promptedExports.append(
                    VariableSpec(
                        name: export.name, prompt: "\(export.name) (promptEnv: the step exports it)",
                        defaultValue: export.value,
                        secret: VariableSpec.secretNameParts.contains(where: upper.contains), location: location))
            }
        }
        var message =
            asked.isEmpty
            ? "`promptEnv` finds no `export NAME=literal` line to ask for"
            : "`promptEnv` asks for \(asked.map { "`\($0)`" }.joined(separator: ", ")) before the step runs"
        if left > 0 { message += "; \(left) other export\(left == 1 ? "" : "s") run\(left == 1 ? "s" : "") as written" }
        diagnostics.append(
            .note(
                message, at: location,
                hint: "each `export NAME=value` line becomes `[ -n \"${NAME+set}\" ] || export NAME=value`, so the "
                    + "answer (passed as environment) is kept; only literal values are asked for"))
        return rewritten.joined(separator: "\n")
    }

    /// `export NAME=literal` (the whole line, spaces around it aside): the name and the literal without its quotes.
    static func literalExport(_ line: Substring) -> (name: String, value: String)? {
        let text = line.trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
        guard text.hasPrefix("export ") else { return nil }
        let assignment = text.dropFirst("export ".count).drop { $0 == " " || $0 == "\t" }
        guard let equals = assignment.firstIndex(of: "=") else { return nil }
        let name = assignment[..<equals]
        guard let first = name.first, first == "_" || first.isASCII && first.isLetter,
            name.allSatisfy({ $0 == "_" || $0.isASCII && ($0.isLetter || $0.isNumber) })
        else { return nil }
        var value = assignment[assignment.index(after: equals)...]
        if value.contains(where: { $0 == "$" || $0 == "`" || $0 == "\\" }) { return nil }
        if let quote = value.first, quote == "\"" || quote == "'" {
            guard value.count >= 2, value.last == quote else { return nil }
            value = value.dropFirst().dropLast()
            if value.contains(quote) { return nil }
        } else if value.contains(where: { " \t;&|<>()'\"#*?[]{}~!".contains($0) }) {
            return nil
        }
        return (String(name), String(value))
    }
}

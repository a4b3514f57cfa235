import Foundation

/// Checks that every command line of the seed runbook survives in the bundled runbooks.
///
/// Deliberately simple line scanning, not the real parser: this check must keep working (and keep failing when a
/// command goes missing) even while the parser changes, and the parser has tests of its own.
struct SeedCoverage {
    /// One `omit` entry of `seed-coverage.tsv`.
    struct Omission: Equatable {
        var seedLine: String
        var reason: String
    }

    /// `substitute` entries: runbook text → the seed texts it stands for, in file order.
    var substitutions: [(token: String, values: [String])] = []
    var omissions: [Omission] = []

    /// Reads the mapping file (`substitute⇥runbook text⇥seed text`, `omit⇥seed line⇥reason`).
    init(mapping: String) throws {
        for (index, rawLine) in mapping.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(rawLine)
            if line.trimmingCharacters(in: .whitespaces).isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3 else {
                throw MappingError(line: index + 1, message: "expected 3 tab-separated fields, found \(fields.count)")
            }
            switch fields[0] {
            case "substitute":
                if let existing = substitutions.firstIndex(where: { $0.token == fields[1] }) {
                    substitutions[existing].values.append(fields[2])
                } else {
                    substitutions.append((fields[1], [fields[2]]))
                }
            case "omit":
                omissions.append(Omission(seedLine: Self.normalized(fields[1]), reason: fields[2]))
            default:
                throw MappingError(line: index + 1, message: "unknown kind '\(fields[0])' (substitute or omit)")
            }
        }
    }

    /// A malformed line of the mapping file.
    struct MappingError: Error, CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "seed-coverage.tsv:\(line): \(message)" }
    }

    /// Command lines of the seed's `bash` blocks: continuations joined, comments and blank lines dropped.
    static func seedCommandLines(_ seed: String) -> [String] {
        fencedBlocks(in: seed, languages: ["bash"]).flatMap(commandLines)
    }

    /// Command lines of a runbook's shell blocks (front matter skipped).
    static func runbookCommandLines(_ runbook: String) -> [String] {
        fencedBlocks(in: runbook, languages: ["bash", "sh", "shell", "zsh"]).flatMap(commandLines)
    }

    /// Every seed form a runbook line can stand for: each substitution applied with each of its values.
    func seedForms(of runbookLine: String) -> [String] {
        var forms = [runbookLine]
        for (token, values) in substitutions {
            forms = forms.flatMap { form in
                form.contains(token) ? values.map { form.replacingOccurrences(of: token, with: $0) } : [form]
            }
        }
        return forms
    }

    /// The result of comparing the seed with the runbooks.
    struct Report {
        var covered: [String] = []
        var omitted: [String] = []
        var missing: [String] = []
    }

    /// Sorts each seed command line into covered, omitted or missing.
    func check(seed: String, runbooks: [String]) -> Report {
        let available = Set(runbooks.flatMap(Self.runbookCommandLines).flatMap(seedForms))
        let omittedLines = Set(omissions.map(\.seedLine))
        var report = Report()
        for line in Self.seedCommandLines(seed) {
            if omittedLines.contains(line) {
                report.omitted.append(line)
            } else if available.contains(line) {
                report.covered.append(line)
            } else {
                report.missing.append(line)
            }
        }
        return report
    }

    /// Collapses runs of white space, so indentation and alignment do not matter.
    static func normalized(_ line: String) -> String {
        line.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    /// The bodies of fenced blocks whose info string starts with one of `languages`.
    static func fencedBlocks(in text: String, languages: Set<String>) -> [[String]] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.first?.trimmingCharacters(in: .whitespaces) == "---",
            let end = lines.dropFirst().firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "---" })
        {
            lines.removeSubrange(0...end)
        }
        var blocks: [[String]] = []
        var current: [String]?
        var insideOtherFence = false
        for line in lines {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            let isFence = trimmed.hasPrefix("```")
            if current != nil {
                if isFence {
                    blocks.append(current!)
                    current = nil
                } else {
                    current!.append(line)
                }
            } else if insideOtherFence {
                if isFence { insideOtherFence = false }
            } else if isFence {
                let info = trimmed.dropFirst(3)
                let language = info.prefix { !$0.isWhitespace && $0 != "{" }
                if languages.contains(String(language)) { current = [] } else { insideOtherFence = true }
            }
        }
        return blocks
    }

    /// Joins backslash continuations, then drops blank lines and comments.
    static func commandLines(_ block: [String]) -> [String] {
        var result: [String] = []
        var pending = ""
        for line in block {
            let trimmedEnd = line.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
            if trimmedEnd.hasSuffix("\\") {
                pending += trimmedEnd.dropLast() + " "
                continue
            }
            let joined = normalized(pending + line)
            pending = ""
            if joined.isEmpty || joined.hasPrefix("#") { continue }
            result.append(joined)
        }
        return result
    }
}

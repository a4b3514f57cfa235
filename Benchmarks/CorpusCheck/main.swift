import Foundation
import RunbookKit

// corpus-check: what a team's existing runbooks become when this tool opens them (issue #18). Prints one
// Markdown table row per corpus and the lint findings by kind. scripts/corpus-check runs it, after checking every
// file for crashes and hangs with the runbook binary.
//
// Usage: corpus-check NAME DIR [CRASHES HANGS]
//        corpus-check --files DIR     the files it reads, NUL-separated (the catalog's walk), for the crash check

let arguments = CommandLine.arguments
if arguments.count == 3, arguments[1] == "--files" {
    for file in (try? RunbookCatalog.runbookFiles(in: arguments[2])) ?? [] {
        FileHandle.standardOutput.write(Data((file + "\u{0}").utf8))
    }
    exit(0)
}
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: corpus-check NAME DIR [CRASHES HANGS]\n".utf8))
    exit(2)
}
let name = arguments[1]
let directory = arguments[2]
let crashes = arguments.count > 3 ? arguments[3] : "not checked"
let hangs = arguments.count > 4 ? arguments[4] : "not checked"

/// The shell and console blocks a human sees on GitHub: fenced code whose info string starts with one of the step
/// languages, with or without attributes.
func humanBlocks(_ text: String) -> Int {
    let document = MarkdownDocument(text: text)
    var count = 0
    var stack = [document.root]
    while let node = stack.popLast() {
        if node.kind == .codeBlock, node.isFenced,
            let word = node.fenceInfo?.split(whereSeparator: { $0 == " " || $0 == "{" }).first,
            FenceInfo.stepLanguages.contains(word.lowercased())
        {
            count += 1
        }
        stack.append(contentsOf: node.children)
    }
    return count
}

/// A finding's kind: its message with quoted names and numbers replaced, so that findings of one rule group.
func kind(_ diagnostic: Diagnostic) -> String {
    var text = diagnostic.message
    text = text.replacingOccurrences(of: "`[^`]*`", with: "`…`", options: .regularExpression)
    text = text.replacingOccurrences(of: "\"[^\"]*\"", with: "\"…\"", options: .regularExpression)
    text = text.replacingOccurrences(of: "[0-9]+", with: "N", options: .regularExpression)
    return "\(diagnostic.severity.rawValue): \(text)"
}

/// Whether `step` runs as written, as the issue defines it: no literal `$ ` prompt left in its command (sample
/// output is never part of a command), and no finding about an undefined variable inside its block; with
/// `placeholders`, also no `<placeholder>` left for a person to fill in.
func runsAsWritten(_ step: Step, findings: [Diagnostic], placeholders: Bool) -> Bool {
    let prompt = step.command.split(separator: "\n", omittingEmptySubsequences: false).contains {
        $0.drop { $0 == " " || $0 == "\t" }.hasPrefix("$ ")
    }
    if prompt { return false }
    let first = step.location.line
    let last = first + step.command.split(separator: "\n", omittingEmptySubsequences: false).count + 1
    return !findings.contains { finding in
        (first...last).contains(finding.location.line)
            && (finding.message.contains("is not declared") || finding.message.contains("not set")
                || (placeholders && finding.message.contains("placeholder")))
    }
}

let files: [String]
do {
    files = try RunbookCatalog.runbookFiles(in: directory)
} catch {
    FileHandle.standardError.write(Data("corpus-check: \(error)\n".utf8))
    exit(2)
}
var loaded = 0
var blocks = 0
var steps = 0
var asWritten = 0
var withoutPlaceholders = 0
var findingsByKind: [String: Int] = [:]
for file in files {
    guard let data = FileManager.default.contents(atPath: file) else { continue }
    let text = String(decoding: data, as: UTF8.self)
    blocks += humanBlocks(text)
    guard let (runbook, parseFindings) = try? RunbookParser.parseWithDiagnostics(data: data, path: file) else {
        continue
    }
    let report = Linter().lint(paths: [file])
    for finding in report.diagnostics { findingsByKind[kind(finding), default: 0] += 1 }
    guard !parseFindings.contains(where: { $0.severity == .error }) else { continue }
    loaded += 1
    let fileFindings = report.diagnostics.filter { $0.location.file == file }
    for step in runbook.steps {
        steps += 1
        if runsAsWritten(step, findings: fileFindings, placeholders: false) { asWritten += 1 }
        if runsAsWritten(step, findings: fileFindings, placeholders: true) { withoutPlaceholders += 1 }
    }
}
let blockCount = blocks
func share(_ count: Int) -> String {
    String(format: "%.1f%%", blockCount == 0 ? 0 : Double(count) / Double(blockCount) * 100)
}
print(
    "| corpus | files | loaded | refused | shell/console blocks | steps | run as written | of the blocks "
        + "| and no `<placeholder>` | of the blocks | crashes | hangs |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
print(
    "| \(name) | \(files.count) | \(loaded) | \(files.count - loaded) | \(blocks) | \(steps) | \(asWritten) | "
        + "\(share(asWritten)) | \(withoutPlaceholders) | \(share(withoutPlaceholders)) | \(crashes) | \(hangs) |")
print()
print("Lint findings by kind (\(findingsByKind.values.reduce(0, +)) in all):")
print()
print("| findings | kind |")
print("|---|---|")
for (text, count) in findingsByKind.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
    print("| \(count) | \(text.replacingOccurrences(of: "|", with: "\\|")) |")
}

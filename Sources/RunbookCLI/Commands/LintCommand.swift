import ArgumentParser
import Foundation
import RunbookKit

/// `runbook lint [PATH…]`: checks runbooks and prints `file:line:col: error|warning: message` with a hint.
struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check runbooks for mistakes before a responder meets them.",
        discussion: """
            Checks attributes, duplicate step ids, links to runbooks and headings, undeclared variables,
            leftover placeholders such as <pod-name>, destructive commands without risk=destructive,
            missing titles, and escalation rows.

            Notes say where a runbook is read differently from how it is written (a `$ ` prompt
            stripped, sample output not run, a Runme attribute without its effect here); they never fail.

            Exit status: 0 no errors (warnings alone pass unless --strict), 1 findings,
            2 usage error or a file that cannot be read.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("Runbook files or directories (default: the runbooks directory).", valueName: "path"))
    var paths: [String] = []

    @Flag(help: "Treat warnings as errors.")
    var strict = false

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    func run() throws {
        let targets = paths.isEmpty ? [global.runbooksDirectory] : paths
        var report = Linter().lint(paths: targets)
        if strict { report = report.strict() }
        switch format {
        case .text: printText(report)
        case .json: printJSON(report)
        }
        let status = report.exitStatus
        if status != .success { throw ExitCode(status.rawValue) }
    }

    private func printText(_ report: LintReport) {
        let style = TerminalStyle.detect()
        var output = ""
        for diagnostic in report.diagnostics {
            let label =
                switch diagnostic.severity {
                case .error: style.paint("error", .red)
                case .warning: style.paint("warning", .yellow)
                case .note: style.paint("note", .cyan)
                }
            output += "\(style.paint(diagnostic.location.description, .bold)): \(label): \(diagnostic.message)\n"
            if let hint = diagnostic.hint { output += "  hint: \(hint)\n" }
        }
        let errors = report.errorCount
        let warnings = report.warningCount
        let notes = report.noteCount
        let files = "\(report.filesChecked) file\(report.filesChecked == 1 ? "" : "s")"
        let noteText = notes == 0 ? "" : " (\(notes) note\(notes == 1 ? "" : "s"))"
        if errors + warnings == 0 {
            output += "\(files) checked, no problems\(noteText)\n"
        } else {
            output +=
                "\(errors) error\(errors == 1 ? "" : "s") and \(warnings) warning\(warnings == 1 ? "" : "s") in \(files)\(noteText)\n"
        }
        FileHandle.standardOutput.write(Data(output.utf8))
        for error in report.unreadable {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
        }
    }

    private func printJSON(_ report: LintReport) {
        func entry(_ location: SourceLocation?, _ severity: String, _ message: String, _ hint: String?) -> JSONValue {
            var object: [String: JSONValue] = [
                "severity": .string(severity), "message": .string(message), "hint": hint.map(JSONValue.string) ?? .null,
            ]
            if let location {
                object["file"] = .string(location.file)
                object["line"] = .int(Int64(location.line))
                object["column"] = .int(Int64(location.column))
            }
            return .object(object)
        }
        let value: JSONValue = [
            "diagnostics": .array(
                report.diagnostics.map { entry($0.location, $0.severity.rawValue, $0.message, $0.hint) }),
            "unreadable": .array(report.unreadable.map { entry($0.location, "error", $0.summary, $0.hint) }),
            "errors": .int(Int64(report.errorCount)),
            "warnings": .int(Int64(report.warningCount)),
            "notes": .int(Int64(report.noteCount)),
            "files": .int(Int64(report.filesChecked)),
        ]
        FileHandle.standardOutput.write(value.canonicalData() + Data("\n".utf8))
    }
}

import ArgumentParser
import Foundation
import RunbookKit

/// `runbook lint [PATH…]`: checks runbooks and prints `file:line:col: error|warning: message` with a hint.
struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check runbooks for mistakes before a responder meets them.",
        discussion: """
            Checks attributes, duplicate step ids, links to runbooks and headings, undeclared variables, \
            leftover placeholders such as <pod-name>, destructive commands without risk=destructive, \
            missing titles, and escalation rows.

            PATH is a runbook file, a directory, or a runbook id from `runbook list`. A directory is read with \
            its subdirectories (8 levels deep; hidden directories and node_modules are skipped).

            Notes say where a runbook is read differently from how it is written (a `$ ` prompt \
            stripped, sample output not run, a Runme attribute without its effect here), or that a directory \
            has no escalation policy (docs/escalation.md); they never fail, even with --strict.

            Exit status: 0 no errors (warnings alone pass unless --strict), 1 findings, \
            2 usage error, a missing path, a directory with no runbooks in it, or a file that cannot be read.
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
        if paths.isEmpty, !Self.isDirectory(global.runbooksDirectory) {
            throw RunbookCatalogError(
                summary: "runbooks directory not found: \(global.runbooksDirectory)",
                hint: "pass the runbooks to check (runbook lint DIR), or --runbooks DIR, or set RUNBOOK_DIR")
        }
        let targets = try paths.isEmpty ? [global.runbooksDirectory] : paths.map(target)
        for directory in targets where Self.isDirectory(directory) {
            // A directory with nothing to check is a mistake, never a pass: a CI gate must not pass on nothing.
            if let files = try? RunbookCatalog.runbookFiles(in: directory), files.isEmpty {
                throw RunbookCatalogError(
                    summary: "no runbooks in \(directory): it holds no *.md files (README.md aside)",
                    hint: "pass the directory that holds the runbooks; hidden directories, node_modules and "
                        + "anything deeper than \(RunbookCatalog.maximumDepth) levels are not read")
            }
        }
        var report = Linter().lint(paths: targets)
        if strict { report = report.strict() }
        switch format {
        case .text: printText(report)
        case .json: printJSON(report)
        }
        let status = report.exitStatus
        if status != .success { throw ExitCode(status.rawValue) }
    }

    /// The file or directory `argument` names: a path as it is, else a runbook id of the runbooks directory. A
    /// path that does not exist and is no runbook id is a usage error that names it.
    private func target(_ argument: String) throws -> String {
        // A `*.md` path is a file: when it is missing, the linter says `no such file: PATH` (exit 2).
        if FileManager.default.fileExists(atPath: argument) || argument.lowercased().hasSuffix(".md") {
            return argument
        }
        let directory = global.runbooksDirectory
        let looksLikeID = !argument.hasPrefix("/") && !argument.hasPrefix(".")
        if looksLikeID, Self.isDirectory(directory), let catalog = try? RunbookCatalog(directory: directory) {
            do {
                return try catalog.file(id: argument)
            } catch let error as RunbookCatalogError where error.isAmbiguous {
                throw error
            } catch let error as RunbookCatalogError {
                throw RunbookCatalogError(
                    summary: "no such file or directory, and no runbook with that id in \(directory): \(argument)",
                    hint: error.hint)
            }
        }
        throw RunbookCatalogError(
            summary: "no such file or directory: \(argument)",
            hint: "pass a runbook file, a directory of runbooks, or an id from `runbook list`")
    }

    private static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
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
        // "no problems" only when everything given could be read.
        let unread = report.unreadable.isEmpty ? "" : ", \(report.unreadable.count) could not be read (see below)"
        if errors + warnings == 0 {
            output += "\(files) checked" + (unread.isEmpty ? ", no problems" : unread) + noteText + "\n"
        } else {
            output +=
                "\(errors) error\(errors == 1 ? "" : "s") and \(warnings) warning\(warnings == 1 ? "" : "s") in \(files)"
                + unread + noteText + "\n"
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

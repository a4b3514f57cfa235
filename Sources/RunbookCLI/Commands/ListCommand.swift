import ArgumentParser
import Foundation
import RunbookKit

/// `runbook list`: the runbooks of the runbooks directory tree with their title, default severity and step count.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract:
            "List the runbooks: id, title, default severity and number of steps (commands, manual items and choices).",
        discussion: """
            Reads the *.md files of the runbooks directory and its subdirectories (README.md aside; 8 levels \
            deep; hidden directories and node_modules skipped). An id is the path under the directory without \
            .md (alerts/etcd/EtcdDown).

            Exit status: 0, or 2 when the directory is missing or a runbook cannot be read \
            (the others are still listed).
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format: table or json.")
    var format: Format = .table

    func run() throws {
        let catalog = try RunbookCatalog(directory: global.runbooksDirectory)
        switch format {
        case .table: printTable(catalog)
        case .json: printJSON(catalog)
        }
        for skipped in catalog.skipped {
            FileHandle.standardError.write(Data("warning: \(skipped.message)\n".utf8))
        }
        if !catalog.failures.isEmpty {
            for path in catalog.failures.keys.sorted() {
                FileHandle.standardError.write(Data((catalog.failures[path]!.description + "\n").utf8))
            }
            throw ExitCode(ExitStatus.usage.rawValue)
        }
    }

    private func printTable(_ catalog: RunbookCatalog) {
        let style = TerminalStyle.detect()
        let rows = catalog.runbooks.map { runbook in
            [runbook.id, runbook.title ?? "", runbook.severity?.rawValue ?? "-", String(runbook.stepCount)]
        }
        let header = ["ID", "TITLE", "SEVERITY", "STEPS"]
        let widths = (0..<3).map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            (0..<3).map { cells[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                + "  " + cells[3]
        }
        var output = style.paint(line(header), .bold) + "\n"
        for row in rows { output += line(row) + "\n" }
        if catalog.runbooks.isEmpty { output = "no runbooks in \(catalog.directory)\n" }
        FileHandle.standardOutput.write(Data(output.utf8))
    }

    private func printJSON(_ catalog: RunbookCatalog) {
        let value = JSONValue.array(
            catalog.runbooks.map { runbook in
                [
                    "id": .string(runbook.id), "title": runbook.title.map(JSONValue.string) ?? .null,
                    "severity": runbook.severity.map { .string($0.rawValue) } ?? .null,
                    "steps": .int(Int64(runbook.stepCount)), "path": .string(runbook.path),
                ]
            })
        FileHandle.standardOutput.write(value.canonicalData() + Data("\n".utf8))
    }
}

import ArgumentParser
import Foundation
import RunbookKit

/// `runbook export ID [--format markdown|json|asciicast|html] [-o PATH] [--lines N]`, or `runbook export ID --update FILE`.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export an incident as a Markdown postmortem, JSON, an asciicast replay, or an HTML report.",
        discussion: """
            Without --format the export is the Markdown postmortem, as the REPL's `export` writes.

            Without -o the file goes to transcripts/YYYY-MM-DD-ID-slug.md|json|cast|html (the directory is \
            created with mode 0700, a new file with mode 0600; a replaced file keeps its mode). -o - writes to \
            standard output. The file is written atomically (a temporary file beside it, renamed into place), \
            never through a symbolic link, and an existing file is replaced only when an export wrote it (it \
            holds the export's marker near its start) or with --force. Exports hold only what the transcript \
            holds, so secret values never appear. The HTML report is one self-contained file: the postmortem, \
            each command's output in colour, and a replay of each step with xterm.js when the replay bundle is \
            found (next to the binary in runbook-replay/, in ../share/runbook/replay/, or $RUNBOOK_REPLAY_DIR; \
            without it the report says the replay is missing). See docs/exports.md.

            --update FILE rewrites the generated parts of a Markdown postmortem (between its runbook:begin and \
            runbook:end markers) from the incident as it is now and keeps everything the author wrote outside \
            them. When a generated part was edited, or markers are missing, duplicated or out of order, it names \
            the section and FILE:LINE and writes nothing.

            Exit codes: 0 written (the path is printed), 2 unknown incident, bad option, unwritable path, a \
            symbolic link, a file not written by an export without --force, or an --update FILE that is missing \
            or not this incident's Markdown export, 4 database missing or unusable, 5 --update conflict (nothing \
            was written).
            """)

    /// The export formats, named as on the command line.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case markdown, json, asciicast, html
    }

    @OptionGroup var global: GlobalOptions

    @Argument(
        help: ArgumentHelp("The incident id.", valueName: "ID"), completion: ShellCompletion.incidentIDs)
    var id: Int64

    @Option(name: .long, help: "markdown, json, asciicast or html.")
    var format: Format = .markdown

    @Option(
        name: [.customShort("o"), .long],
        help: ArgumentHelp("Output file, or - for standard output.", valueName: "path"))
    var output: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Rewrite the generated parts of this Markdown postmortem, keeping the author's text.", valueName: "file"))
    var update: String?

    @Flag(help: "Replace an existing file even when an export did not write it (never a symbolic link).")
    var force = false

    @Option(
        name: .long,
        help: "Lines of each command's output kept from the start and from the end (Markdown, HTML; 0 keeps all).")
    var lines: Int = 20

    func validate() throws {
        guard lines >= 0 else { throw ValidationError("--lines must be 0 or more.") }
        if update != nil {
            guard output == nil, !force else {
                throw ValidationError("--update FILE writes FILE: give no -o or --force.")
            }
            guard format == .markdown else { throw ValidationError("--update works on a Markdown postmortem only.") }
        }
    }

    func run() throws {
        let store = try StoreOpener.openEvidence(global)
        guard try store.incident(id) != nil else {
            throw TranscriptError.unknownIncident(id: id, path: store.storeName)
        }
        if let update {
            try MarkdownPostmortemExporter(outputLines: lines).update(incidentID: id, from: store, file: update)
            print(update)
            return
        }
        let exporter: any IncidentExporter
        switch format {
        case .markdown: exporter = MarkdownPostmortemExporter(outputLines: lines)
        case .json: exporter = JSONExporter()
        case .asciicast: exporter = AsciicastExporter()
        case .html: exporter = HTMLReportExporter(outputLines: lines, replay: ReplayBundle.forThisProcess())
        }
        // Written as it is produced, to standard output (`-o -`) or to the file, whose path is printed.
        let path = try exporter.export(incidentID: id, from: store, to: output, force: force)
        if path != "-" { print(path) }
    }
}

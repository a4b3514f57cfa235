import ArgumentParser
import Foundation
import RunbookKit

/// `runbook`: executable Markdown runbooks for incident response.
public struct RunbookCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "runbook",
        abstract: "Walk an incident through executable Markdown runbooks, and record everything.",
        discussion: """
            Runbooks are Markdown files whose annotated code blocks are steps. Every command runs only \
            after you approve it, and every event is written to a transcript in SQLite.

            Exit codes: 0 success, 1 findings (lint, verify), 2 usage or unreadable input, \
            3 scripted input ended mid-step, 4 database unusable, 5 refused or could not start.
            """,
        version: "0.1.0",
        subcommands: [
            ListCommand.self, ShowCommand.self, LintCommand.self, StartCommand.self, ResumeCommand.self,
            DeclareCommand.self, NoteCommand.self, FollowCommand.self, SevCommand.self, StatusCommand.self,
            IncidentsCommand.self, TranscriptCommand.self, SearchCommand.self,
            VerifyCommand.self, ExportCommand.self, RecordCommand.self, DrillCommand.self, AckCommand.self,
            EscalationsCommand.self, EscalatorCommand.self, ServeCommand.self, KeysCommand.self, ImportCommand.self,
            ImpactStartCommand.self,
            DetectedCommand.self, CauseCommand.self, ActionCommand.self,
        ]
    )

    public init() {}

    /// The error for a first argument that names no subcommand (`runbook strat`), with the close names ("did you
    /// mean `start`?", the one lookup `RunbookCatalog.closest` also uses for runbook ids); `nil` when the first
    /// argument is a subcommand, `help` or an option.
    static func unknownSubcommand(in arguments: [String]) -> CLIError? {
        guard let first = arguments.first, !first.hasPrefix("-") else { return nil }
        let names = configuration.subcommands.compactMap { $0.configuration.commandName }
        guard !names.contains(first), first != "help" else { return nil }
        let prefixed = names.filter { first.count >= 2 && $0.hasPrefix(first) }
        let close = prefixed + RunbookCatalog.closest(to: first, among: names).filter { !prefixed.contains($0) }
        return .unknownCommand(first, close: close, all: names)
    }
}

/// Options every command accepts.
public struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp("Directory of runbooks (default: $RUNBOOK_DIR, else ./runbooks).", valueName: "dir"))
    public var runbooks: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Transcript database (default: $RUNBOOK_DB, ./transcripts/runbook.sqlite3, or the state directory).",
            valueName: "path"))
    public var db: String?

    public init() {}

    /// The runbooks directory after applying the flag, `$RUNBOOK_DIR` and the default.
    public var runbooksDirectory: String {
        runbooks ?? ProcessInfo.processInfo.environment["RUNBOOK_DIR"] ?? "runbooks"
    }
}

/// Runs the command line and exits with the documented status; user-facing errors are printed here, at the edge.
public enum RunbookMain {
    public static func main(_ arguments: [String]? = nil) -> Never {
        do {
            if let unknown = RunbookCommand.unknownSubcommand(in: arguments ?? Array(CommandLine.arguments.dropFirst()))
            {
                throw unknown
            }
            var command = try RunbookCommand.parseAsRoot(arguments)
            try command.run()
            Foundation.exit(0)
        } catch {
            exit(reporting: error)
        }
    }

    /// Exits with the documented status for `error`, saying it on stderr (help and version on stdout): the one
    /// edge where errors become text, for `runbook` and for `runbook-serve`.
    public static func exit(reporting error: any Error) -> Never {
        switch error {
        case let code as ExitCode:
            // A command that already printed its findings only sets the status (lint: 1 findings, 2 unreadable).
            Foundation.exit(code.rawValue)
        case let error as any UserFacingError:
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            Foundation.exit(error.exitStatus.rawValue)
        default:
            let code = RunbookCommand.exitCode(for: error)
            // ArgumentParser's validation errors are usage errors: exit 2, as documented.
            let status = code == .validationFailure ? ExitStatus.usage.rawValue : code.rawValue
            if code == .success {
                print(RunbookCommand.fullMessage(for: error))
            } else {
                FileHandle.standardError.write(Data((RunbookCommand.fullMessage(for: error) + "\n").utf8))
            }
            Foundation.exit(status)
        }
    }
}

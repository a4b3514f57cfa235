import ArgumentParser
import Foundation
import RunbookKit

/// `runbook start`: declare an incident and walk it through a runbook.
public struct StartCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Declare an incident and walk through a runbook, one approved step at a time.",
        discussion: """
            Opens RUNBOOK (default: triage) on its first step. RUNBOOK is an id from `runbook list`, a file name \
            alone when no other runbook has it, or a path to a *.md file (outside the runbooks directory, the \
            file's own directory is its runbooks directory). Every command runs only after you answer y; \
            everything is recorded in the transcript before the next prompt.

            When stdin is not a terminal, or with --answers FILE, answers are read one per line (scripted \
            mode, for CI and tests).

            Exit status: 0 resolved or suspended cleanly, 2 usage error, \
            3 input ended in the middle of a step, 4 database unusable, 129/143 the terminal hung up (SIGHUP) or \
            runbook was asked to stop (SIGTERM) while a command ran (the incident is suspended).

            Each command's output is stored up to RUNBOOK_OUTPUT_LIMIT bytes (default 64 MiB: the head and the \
            tail, with the count of bytes left out); the screen always shows all of it.
            """)

    @OptionGroup public var global: GlobalOptions

    @Argument(help: "The runbook to open.", completion: ShellCompletion.runbookIDs)
    public var runbook: String = "triage"

    @Option(name: .long, help: ArgumentHelp("Environment (asked for when not given).", valueName: "env"))
    public var env: String?

    @Option(
        name: .long,
        help: ArgumentHelp("Severity P0-P3 (default: the runbook's front matter, else P2).", valueName: "P0-P3"),
        completion: ShellCompletion.severities)
    public var severity: String?

    @Option(name: .long, help: ArgumentHelp("Incident title (default: the runbook's title).", valueName: "text"))
    public var title: String?

    @Option(name: .long, help: ArgumentHelp("Read answers from FILE, one per line.", valueName: "file"))
    public var answers: String?

    @Flag(name: .long, help: "Show and record every step of the runbook; run nothing.")
    public var dryRun = false

    public init() {}

    public func validate() throws {
        if let severity, Severity(parsing: severity) == nil {
            throw ValidationError("--severity must be P0, P1, P2 or P3, not '\(severity)'")
        }
    }

    public func run() throws {
        var options = SessionLaunchOptions()
        let address = try RunbookAddress.resolve(runbook, runbooksDirectory: global.runbooksDirectory)
        options.runbookID = address.id
        options.environment = env
        options.severity = severity.flatMap(Severity.init(parsing:))
        options.title = title
        options.answersPath = answers
        options.dryRun = dryRun
        options.runbooksDirectory = address.root
        options.databasePath = global.db
        let status = try SessionLauncher(options: options).start()
        if status != .success { throw ExitCode(status.rawValue) }
    }
}

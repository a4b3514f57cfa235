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

            With --incident ID, no incident is declared: the session begins on incident ID, one declared without \
            a session (`runbook declare`, or `runbook serve` from an Alertmanager alert), on RUNBOOK or, without \
            it, the incident's own runbook. A RUNBOOK other than the incident's is recorded (runbook.opened, \
            declared_runbook). The incident keeps its title, environment and severity: --title is refused, --env \
            must be the incident's (it is asked for only when the incident has none), and --severity is recorded \
            as a severity change. The labels of the incident's most recent firing alert are offered as the \
            defaults of the runbook's variables of the same name (label namespace for NAMESPACE). An incident \
            whose session already began is continued with `runbook resume ID`.

            When stdin is not a terminal, or with --answers FILE, answers are read one per line (scripted \
            mode, for CI and tests).

            Exit status: 0 resolved or suspended cleanly, 2 usage error (--title or --dry-run with --incident, an --env \
            other than the incident's), 3 input ended in the middle of a step, 4 database unusable, 5 refused \
            (--incident: no such incident, one resolved or abandoned, driven by another live session, already \
            started, or without a runbook and none given), 129/143 the terminal hung up (SIGHUP) or runbook was \
            asked to stop (SIGTERM) while a command ran (the incident is suspended).

            Each command's output is stored up to RUNBOOK_OUTPUT_LIMIT bytes (default 64 MiB: the head and the \
            tail, with the count of bytes left out); the screen always shows all of it.
            """)

    @OptionGroup public var global: GlobalOptions

    @Argument(
        help: ArgumentHelp(
            "The runbook to open (default: triage; with --incident, the incident's runbook).", valueName: "runbook"),
        completion: ShellCompletion.runbookIDs)
    public var runbook: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Begin the session of this declared incident instead of declaring one.", valueName: "ID"),
        completion: ShellCompletion.incidentIDs)
    public var incident: Int64?

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
        if incident != nil, dryRun {
            throw ValidationError("--dry-run declares an incident of its own; leave it out with --incident")
        }
    }

    public func run() throws {
        var options = SessionLaunchOptions()
        // With --incident and no RUNBOOK, the incident's own runbook.
        let argument = runbook ?? (incident == nil ? "triage" : nil)
        let address = try argument.map { try RunbookAddress.resolve($0, runbooksDirectory: global.runbooksDirectory) }
        options.runbookID = address?.id ?? "triage"
        options.environment = env
        options.severity = severity.flatMap(Severity.init(parsing:))
        options.title = title
        options.answersPath = answers
        options.dryRun = dryRun
        options.runbooksDirectory = address?.root ?? global.runbooksDirectory
        options.databasePath = global.db
        let launcher = SessionLauncher(options: options)
        let status =
            try incident.map { try launcher.attach(incidentID: $0, attachment: .init(runbookID: address?.id)) }
            ?? launcher.start()
        if status != .success { throw ExitCode(status.rawValue) }
    }
}

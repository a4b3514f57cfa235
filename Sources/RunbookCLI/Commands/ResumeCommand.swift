import ArgumentParser
import Foundation
import RunbookKit

/// `runbook resume`: continue an open incident where it stopped.
public struct ResumeCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue an open incident where it stopped (after quit, a lost connection or a crash).",
        discussion: """
            Rebuilds the incident from its transcript: runbook, step, variables and severity. Secret values \
            are never stored, so you are asked for them again when a step needs them.

            An incident declared without a session (`runbook declare`, or `runbook serve` from an Alertmanager \
            alert) opens on the first step of its runbook, keeping its title, severity and environment (asked for \
            only when it has none); one declared without a runbook is refused with the command that gives it one: \
            runbook start RUNBOOK --incident ID. The labels of the incident's most recent firing alert are offered \
            as the defaults of the runbook's variables of the same name (label namespace for NAMESPACE).

            Exit status: 0 resolved or suspended cleanly, 1 the hash chain is broken (without --force), 2 usage \
            error, 3 input ended in the middle of a step, 4 database unusable, 5 refused (no such incident, one \
            resolved or abandoned, driven by another live session without --take-over, or without a runbook).
            """)

    @OptionGroup public var global: GlobalOptions

    @Argument(
        help: ArgumentHelp("The incident id (default: the most recent open incident).", valueName: "ID"),
        completion: ShellCompletion.incidentIDs)
    public var id: Int64?

    @Option(name: .long, help: ArgumentHelp("Read answers from FILE, one per line.", valueName: "file"))
    public var answers: String?

    @Flag(
        name: .customLong("take-over"),
        help: "Drive the incident even though another live session holds it (asks you to type `take over`).")
    public var takeOver = false

    @Flag(help: "Resume even though the incident's hash chain is broken (recorded in `session.resumed`).")
    public var force = false

    public init() {}

    public func run() throws {
        var options = SessionLaunchOptions()
        options.answersPath = answers
        options.runbooksDirectory = global.runbooksDirectory
        options.databasePath = global.db
        options.takeOver = takeOver
        options.force = force
        let status = try SessionLauncher(options: options).resume(incidentID: id)
        if status != .success { throw ExitCode(status.rawValue) }
    }
}

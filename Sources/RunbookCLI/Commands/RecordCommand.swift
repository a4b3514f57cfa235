import ArgumentParser
import Foundation
import RunbookKit

#if canImport(Glibc)
    import Glibc
#endif

/// `runbook record`: runs one ad-hoc command through the step executor and records it into an incident.
struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Run one command and record it (events and output) into an incident.",
        discussion: """
            Like `script`, but into the transcript: the command runs as `$SHELL -c COMMAND` in a \
            pseudo-terminal when stdin is a terminal (pipes otherwise), its output is shown as it arrives \
            and stored, redacted, as timed chunks, with command.started and command.finished events.

            One COMMAND word is shell text as is; several words are quoted one by one:

              runbook record -- 'kubectl get pods | grep api'
              runbook record -- ls -l "my dir"

            Without --incident a new incident is declared, titled after the command. The incident id is \
            printed on stderr at the end.

            Exit status: the command's (128+N when signal N ended it), \
            5 when it could not start, 4 when the transcript database cannot be used.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Record into this incident instead of declaring a new one.", valueName: "ID"))
    var incident: Int64?

    @Option(help: ArgumentHelp("Add a note to the incident before the command runs.", valueName: "text"))
    var note: String?

    @Option(
        help: ArgumentHelp(
            "Stop the command after this long (30s, 5m, 1h30m): SIGTERM to its process group, SIGKILL 5 s later.",
            valueName: "duration"))
    var timeout: String?

    @Option(
        name: .customLong("kill-after"),
        help: ArgumentHelp("After the timeout, wait this long before SIGKILL.", valueName: "duration"))
    var killAfter: String = "5s"

    @Option(
        name: .customLong("secret"),
        help: ArgumentHelp(
            "Treat the value of this environment variable as a secret: it never reaches the transcript.",
            valueName: "name"))
    var secrets: [String] = []

    @Option(help: ArgumentHelp("Shell that runs the command.", valueName: "shell"))
    var shell: String = "bash"

    @Flag(help: "Use a pseudo-terminal even when stdin is not a terminal.")
    var pty = false

    @Option(
        help: ArgumentHelp(
            "Most bytes of output stored (head and tail kept; default: 64 MiB).", valueName: "bytes"))
    var outputLimit: Int?

    @Argument(parsing: .postTerminator, help: "The command (after `--`).")
    var command: [String] = []

    func validate() throws {
        if command.isEmpty { throw ValidationError("Missing the command: runbook record [options] -- COMMAND…") }
        if let timeout, parseTimeout(timeout) == nil {
            throw ValidationError("--timeout '\(timeout)' is not a duration such as 30s, 5m or 1h30m.")
        }
        if parseTimeout(killAfter) == nil {
            throw ValidationError("--kill-after '\(killAfter)' is not a duration such as 5s or 1m.")
        }
        if let outputLimit, outputLimit < 0 { throw ValidationError("--output-limit must not be negative.") }
    }

    /// The shell text to run: one word as is, several words quoted.
    var commandText: String {
        command.count == 1 ? command[0] : command.map(Self.shellQuote).joined(separator: " ")
    }

    static func shellQuote(_ word: String) -> String {
        let plain = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }
        if plain && !word.isEmpty { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        // The directory's `redaction.yaml` rules apply to recorded output as they do in a session.
        let redactor = try Redactor(directory: global.runbooksDirectory)
        for name in secrets {
            if let value = environment[name] { redactor.addSecret(name: name, value: value) }
        }
        // The store redacts everything recorded with it: payloads, the title, and the output as bytes, in stream.
        let store = try StoreOpener.open(global, redactor: redactor)
        EscalatorLauncher.ensureRunning(
            store: store, database: StoreOpener.location(global), runbooksDirectory: global.runbooksDirectory)
        if let incident, try store.incident(incident) == nil {
            throw TranscriptError.unknownIncident(id: incident, path: store.storeName)
        }
        let usePTY = pty || isatty(STDIN_FILENO) == 1
        let recording = CommandRecording(
            request: CommandRequest(
                command: commandText, shell: shell, environment: environment,
                workingDirectory: FileManager.default.currentDirectoryPath, timeout: timeout.flatMap(parseTimeout),
                killGrace: parseTimeout(killAfter) ?? 5),
            runnerName: usePTY ? "pty" : "pipe", note: note,
            outputLimit: outputLimit ?? OutputLimiter.defaultLimit)
        let runner: any CommandRunner =
            usePTY ? PTYCommandRunner(forwardsSignals: true) : PipeCommandRunner(forwardsSignals: true)
        let outcome = try recording.record(
            into: incident, store: store, runner: runner, identity: ResponderIdentity.current())
        FileHandle.standardError.write(Data("runbook: recorded in incident \(outcome.incidentID)\n".utf8))
        let result = try outcome.result.get()
        let status = result.exitCode ?? result.signal.map { 128 + $0 } ?? 1
        // The command's status is ours; everything is committed, so leaving here loses nothing.
        if status != 0 { Glibc.exit(status) }
    }
}

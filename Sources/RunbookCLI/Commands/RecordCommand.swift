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
            Like `script`, but into the transcript: the command runs as `$SHELL -c COMMAND` in a
            pseudo-terminal when stdin is a terminal (pipes otherwise), its output is shown as it arrives
            and stored, redacted, as timed chunks, with command.started and command.finished events.

            One COMMAND word is shell text as is (`runbook record -- 'kubectl get pods | grep api'`);
            several words are quoted one by one (`runbook record -- ls -l "my dir"`).

            Without --incident a new incident is declared, titled after the command. The incident id is
            printed on stderr at the end. Exit status: the command's (128+N when signal N ended it),
            5 when it could not start, 4 when the transcript database cannot be used.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Record into this incident instead of declaring a new one.", valueName: "id"))
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
        help: ArgumentHelp("After the timeout, wait this long before SIGKILL (default: 5s).", valueName: "duration"))
    var killAfter: String = "5s"

    @Option(
        name: .customLong("secret"),
        help: ArgumentHelp(
            "Treat the value of this environment variable as a secret: it never reaches the transcript.",
            valueName: "name"))
    var secrets: [String] = []

    @Option(help: ArgumentHelp("Shell that runs the command (default: bash).", valueName: "shell"))
    var shell: String = "bash"

    @Flag(help: "Use a pseudo-terminal even when stdin is not a terminal.")
    var pty = false

    @Option(
        help: ArgumentHelp("Most bytes of output stored (head and tail kept; default 64 MiB).", valueName: "bytes"))
    var outputLimit: Int = OutputLimiter.defaultLimit

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
        if outputLimit < 0 { throw ValidationError("--output-limit must not be negative.") }
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
        let redactor = Redactor()
        for name in secrets {
            if let value = environment[name] { redactor.addSecret(name: name, value: value) }
        }
        // The executor redacts output as bytes, in stream; the store is left without a redactor so binary
        // output is stored byte for byte, and event payloads are redacted here before they are appended.
        let store = try StoreOpener.open(global)
        EscalatorLauncher.ensureRunning(
            store: store, databasePath: store.path, runbooksDirectory: global.runbooksDirectory)
        let actor = ResponderIdentity.current().actor
        let text = commandText
        let incidentID: Int64
        if let incident {
            guard try store.incident(incident) != nil else {
                throw TranscriptError.unknownIncident(id: incident, path: store.path)
            }
            incidentID = incident
        } else {
            let identity = ResponderIdentity.current()
            let title = redactor.redact("record: " + Self.titleLine(text))
            let declaration = IncidentDeclaration(
                title: title, runbook: "", environment: "", severity: .p3, host: identity.host, user: identity.user)
            incidentID = try store.declareIncident(declaration, actor: actor, at: Date()).0.id
        }
        func append(_ type: EventType, _ payload: JSONValue) throws -> RecordedEvent {
            try store.append(
                EventDraft(type, payload: payload.redacted(by: redactor)), to: incidentID, actor: actor, at: Date())
        }
        if let note { _ = try append(.noteAdded, ["text": .string(note)]) }

        let seconds = timeout.flatMap(parseTimeout)
        let workingDirectory = FileManager.default.currentDirectoryPath
        let request = CommandRequest(
            command: text, shell: shell, environment: environment, workingDirectory: workingDirectory,
            timeout: seconds, killGrace: parseTimeout(killAfter) ?? 5)
        let usePTY = pty || isatty(STDIN_FILENO) == 1
        let runner: any CommandRunner =
            usePTY ? PTYCommandRunner(forwardsSignals: true) : PipeCommandRunner(forwardsSignals: true)
        var startedPayload: [String: JSONValue] = [
            "command": .string(text), "shell": .string(shell), "cwd": .string(workingDirectory),
            "runner": .string(usePTY ? "pty" : "pipe"),
        ]
        if let seconds { startedPayload["timeout"] = .double(seconds) }
        let started = try append(.commandStarted, .object(startedPayload))
        let writer = TranscriptOutputWriter(store: store, incidentID: incidentID, commandSequence: started.sequence)
        let executor = CommandExecutor(runner: runner, redactor: redactor, outputLimit: outputLimit)
        let result: CommandResult
        do {
            result = try executor.run(request, storage: writer)
        } catch let error as ExecutionError {
            _ = try append(.commandFailedToStart, ["error": .string(error.summary)])
            Self.announce(incidentID)
            throw error
        }
        let stored = try writer.finish()
        var finished: [String: JSONValue] = [
            "duration": .double((result.duration * 1000).rounded() / 1000), "timed_out": .bool(result.timedOut),
            "bytes": .int(Int64(result.outputBytes)), "dropped": .int(Int64(result.droppedBytes)),
            "stored": .int(Int64(stored.bytes)),
        ]
        finished["exit_code"] = result.exitCode.map { .int(Int64($0)) } ?? .null
        finished["signal"] = result.signal.map { .int(Int64($0)) } ?? .null
        _ = try append(.commandFinished, .object(finished))
        Self.announce(incidentID)
        let status = result.exitCode ?? result.signal.map { 128 + $0 } ?? 1
        // The command's status is ours; everything is committed, so leaving here loses nothing.
        if status != 0 { Glibc.exit(status) }
    }

    static func titleLine(_ text: String) -> String {
        let line = text.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? text
        return line.count > 80 ? String(line.prefix(79)) + "…" : line
    }

    static func announce(_ incidentID: Int64) {
        FileHandle.standardError.write(Data("runbook: recorded in incident \(incidentID)\n".utf8))
    }
}

import Foundation

/// `runbook record`: one command run outside a runbook and recorded the way a step is, with `command.started`, its
/// output (through `TranscriptOutputWriter`, so redacted by the store's redactor and limited) and
/// `command.finished`, into a given incident or a new one titled after the command.
public struct CommandRecording {
    /// What runs.
    public var request: CommandRequest
    /// `pty` or `pipe`, as recorded in `command.started`.
    public var runnerName: String
    /// A note recorded before the command runs.
    public var note: String?
    /// Most bytes of output stored (head and tail kept).
    public var outputLimit: Int

    /// A recording of `request`.
    public init(request: CommandRequest, runnerName: String, note: String? = nil, outputLimit: Int) {
        self.request = request
        self.runnerName = runnerName
        self.note = note
        self.outputLimit = outputLimit
    }

    /// What was recorded: the incident, and the command's result or why it could not start.
    public struct Outcome {
        public var incidentID: Int64
        public var result: Result<CommandResult, ExecutionError>
    }

    /// Records into `incidentID` (which must exist), or declares a new P3 incident when it is `nil`; every event is committed before
    /// the next step, so a crash loses nothing that happened before it.
    public func record(
        into incidentID: Int64?, store: any TranscriptStore, runner: any CommandRunner, identity: ResponderIdentity,
        now: () -> Date = Date.init
    ) throws -> Outcome {
        let id: Int64
        if let incidentID {
            id = incidentID
        } else {
            let declaration = IncidentDeclaration(
                title: "record: " + Self.titleLine(request.command), runbook: "", environment: "", severity: .p3,
                host: identity.host, user: identity.user)
            id = try store.declareIncident(declaration, actor: identity.actor, at: now()).0.id
        }
        func append(_ type: EventType, _ payload: JSONValue) throws -> RecordedEvent {
            try store.append(EventDraft(type, payload: payload), to: id, actor: identity.actor, at: now())
        }
        if let note { _ = try append(.noteAdded, ["text": .string(note)]) }

        var startedPayload: [String: JSONValue] = [
            "command": .string(request.command), "shell": .string(request.shell),
            "cwd": request.workingDirectory.map { .string($0) } ?? .null, "runner": .string(runnerName),
        ]
        if let timeout = request.timeout { startedPayload["timeout"] = .double(timeout) }
        let started = try append(.commandStarted, .object(startedPayload))
        let writer = TranscriptOutputWriter(
            store: store, incidentID: id, commandSequence: started.sequence, outputLimit: outputLimit)
        var result: CommandResult
        do {
            result = try runner.run(request, sink: writer)
        } catch let error as ExecutionError {
            try writer.finish()
            _ = try append(.commandFailedToStart, ["error": .string(error.summary)])
            return Outcome(incidentID: id, result: .failure(error))
        }
        let stored = try writer.finish()
        result.droppedBytes = stored.droppedBytes
        var finished: [String: JSONValue] = [
            "duration": .double((result.duration * 1000).rounded() / 1000), "timed_out": .bool(result.timedOut),
            "bytes": .int(Int64(result.outputBytes)), "dropped": .int(Int64(stored.droppedBytes)),
            "stored": .int(Int64(stored.bytes)), "command_sequence": .int(started.sequence),
        ]
        finished.merge(stored.payloadFields) { _, digest in digest }
        finished["exit_code"] = result.exitCode.map { .int(Int64($0)) } ?? .null
        finished["signal"] = result.signal.map { .int(Int64($0)) } ?? .null
        _ = try append(.commandFinished, .object(finished))
        return Outcome(incidentID: id, result: .success(result))
    }

    /// The first line of `text`, at most 80 characters: the title of an incident declared by `record`.
    public static func titleLine(_ text: String) -> String {
        let line = text.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? text
        return line.count > 80 ? String(line.prefix(79)) + "…" : line
    }
}

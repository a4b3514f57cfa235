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

    /// Records into `incidentID` (which must exist), or declares a new P3 incident when it is `nil`; every event is
    /// committed before the next step, so a crash loses nothing that happened before it. A command that cannot
    /// start (its shell or working directory is missing) records nothing: the error is thrown before anything is.
    /// - Throws: `ExecutionError` when the command cannot start; store errors.
    public func record(
        into incidentID: Int64?, store: any TranscriptStore, runner: any CommandRunner, identity: ResponderIdentity,
        now: @escaping () -> Date = Date.init
    ) throws -> Outcome {
        try request.checkCanStart()
        let id: Int64
        if let incidentID {
            id = incidentID
        } else {
            let declaration = IncidentDeclaration(
                title: "record: " + Self.titleLine(request.command), runbook: "", environment: "", severity: .p3,
                host: identity.host, user: identity.user)
            id = try store.declareIncident(declaration, actor: identity.actor, at: now()).0.id
        }
        let append: (EventDraft) throws -> RecordedEvent = {
            try store.append($0, to: id, actor: identity.actor, at: now())
        }
        if let note { _ = try append(EventDraft(.noteAdded, payload: ["text": .string(note)])) }
        let recorder = CommandRecorder(record: append, store: store, incidentID: id, outputLimit: outputLimit)
        let outcome = try recorder.run(
            request, stepID: nil, runner: runner, screen: nil, started: ["runner": .string(runnerName)])
        switch outcome.result {
        case .success(let result): return Outcome(incidentID: id, result: .success(result))
        case .failure(let error as ExecutionError): return Outcome(incidentID: id, result: .failure(error))
        case .failure(let error): throw error
        }
    }

    /// The first line of `text`, at most 80 characters: the title of an incident declared by `record`.
    public static func titleLine(_ text: String) -> String {
        let line = text.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? text
        return line.count > 80 ? String(line.prefix(79)) + "…" : line
    }
}

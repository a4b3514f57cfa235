import Foundation

/// The transcript of every incident: append-only, written ahead, hash-chained.
///
/// SQLite (GRDB) is the embedded implementation; a PostgreSQL one may follow, so SQL dialect
/// details stay inside the implementation. Every method that records returns only after the
/// data is committed.
public protocol TranscriptStore: AnyObject, Sendable {
    /// What the store redacts everything with on its way in (event payloads, titles, and command output through
    /// `TranscriptOutputWriter`): the one place redaction is applied. `nil` stores text as given.
    var redactor: (any TextRedacting)? { get }
    /// Creates the incident and records its `incident.declared` event in one transaction.
    func declareIncident(_ declaration: IncidentDeclaration, actor: String, at time: Date) throws -> (
        Incident, RecordedEvent
    )
    /// Appends one event; returns after it is committed. Incident columns that follow from the event
    /// (severity, status, acknowledged/mitigated/resolved times) are updated in the same transaction.
    func append(_ draft: EventDraft, to incidentID: Int64, actor: String, at time: Date) throws -> RecordedEvent
    /// Stores output chunks of the command whose `command.started` event has `commandSequence` as given: output
    /// reaches the store through `TranscriptOutputWriter`, which redacts and limits it first.
    func appendOutput(_ chunks: [OutputChunk], incidentID: Int64, commandSequence: Int64) throws
    /// One incident, or `nil`.
    func incident(_ id: Int64) throws -> Incident?
    /// Incidents, newest first.
    func incidents(openOnly: Bool, drillsOnly: Bool) throws -> [Incident]
    /// Every event of an incident in sequence order.
    func events(incidentID: Int64) throws -> [RecordedEvent]
    /// Calls `body` with each event of an incident in sequence order, only those of `types` when given, without
    /// holding them all (exports of large incidents go through the events this way). With `hashes: false` a
    /// backend may leave `previousHash` and `hash` empty, for callers that never look at them.
    func forEachEvent(
        incidentID: Int64, types: Set<EventType>?, hashes: Bool, _ body: (RecordedEvent) throws -> Void) throws
    /// `forEachEvent` for the events after sequence `after` only (a session follows what other processes record).
    func forEachEvent(
        incidentID: Int64, after sequence: Int64, types: Set<EventType>?, hashes: Bool,
        _ body: (RecordedEvent) throws -> Void) throws
    /// The head of an incident's hash chain (its last event's sequence and hash), or `nil` when it has no events.
    func chainHead(incidentID: Int64) throws -> ChainHead?
    /// The stored output of one command, in order.
    func output(incidentID: Int64, commandSequence: Int64) throws -> [OutputChunk]
    /// The stored output of every command of an incident, keyed by the sequence of its `command.started` event.
    func outputs(incidentID: Int64) throws -> [Int64: [OutputChunk]]
    /// Calls `body` with each stored chunk of one command's output, in order, without holding them all (exports of
    /// large output read it this way). It may be called from inside `forEachEvent`'s body.
    func forEachOutputChunk(
        incidentID: Int64, commandSequence: Int64, _ body: (OutputChunk) throws -> Void) throws
}

extension TranscriptStore {
    /// `events(incidentID:)`, filtered.
    public func forEachEvent(
        incidentID: Int64, types: Set<EventType>?, hashes: Bool, _ body: (RecordedEvent) throws -> Void
    ) throws {
        for event in try events(incidentID: incidentID) where types?.contains(event.type) ?? true { try body(event) }
    }

    /// `events(incidentID:)` after `sequence`, filtered.
    public func forEachEvent(
        incidentID: Int64, after sequence: Int64, types: Set<EventType>?, hashes: Bool,
        _ body: (RecordedEvent) throws -> Void
    ) throws {
        try forEachEvent(incidentID: incidentID, types: types, hashes: hashes) { event in
            if event.sequence > sequence { try body(event) }
        }
    }

    /// The last event's sequence and hash.
    public func chainHead(incidentID: Int64) throws -> ChainHead? {
        try events(incidentID: incidentID).last.map { ChainHead(sequence: $0.sequence, hash: $0.hash) }
    }

    /// `output(incidentID:commandSequence:)`, one chunk at a time.
    public func forEachOutputChunk(
        incidentID: Int64, commandSequence: Int64, _ body: (OutputChunk) throws -> Void
    ) throws {
        for chunk in try output(incidentID: incidentID, commandSequence: commandSequence) { try body(chunk) }
    }

    /// The output of each command that has a `command.started` event.
    public func outputs(incidentID: Int64) throws -> [Int64: [OutputChunk]] {
        var started: [Int64] = []
        try forEachEvent(incidentID: incidentID, types: [.commandStarted], hashes: false) {
            started.append($0.sequence)
        }
        var outputs: [Int64: [OutputChunk]] = [:]
        for sequence in started { outputs[sequence] = try output(incidentID: incidentID, commandSequence: sequence) }
        return outputs
    }
}

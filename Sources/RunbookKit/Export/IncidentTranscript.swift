import Foundation

/// An incident as the transcript holds it, ready for an exporter: the incident row, the output of its commands, its
/// escalation timers and notification outbox, and its events, which are read in order (as often as needed) rather
/// than held: an incident can have hundreds of thousands of them.
///
/// Exporters read only through `TranscriptStore`, so every backend exports the same way, and only what the store
/// holds (secrets were redacted before storage).
public struct IncidentTranscript: Sendable {
    /// The incident row.
    public var incident: Incident
    /// Output of commands held in memory, keyed by the sequence of its `command.started` event: what a transcript of
    /// rows already read was given. A transcript opened on a store leaves it empty and reads each command's output
    /// from the store when an exporter asks for it (`forEachOutputChunk`), so no export holds output whole.
    public var outputs: [Int64: [OutputChunk]]
    /// Every escalation timer of the incident, oldest generation first; empty when read from a store without
    /// escalation tables.
    public var timers: [EscalationTimer]
    /// The notification outbox rows of the incident (one per notification and channel), oldest first; empty
    /// when read from a store without escalation tables.
    public var outbox: [OutboxEntry]
    /// The incident's chain head when the transcript was opened: every export carries it, and holds the events up
    /// to it and none after (an export of an incident still being recorded is a snapshot at its head). `nil` for
    /// an incident without events, or events given without hashes.
    public var chainHead: ChainHead?
    private let source: Source

    /// Where the events come from.
    private enum Source: Sendable {
        case store(any TranscriptStore)
        case events([RecordedEvent])
    }

    /// Opens incident `id` of `store`, with its escalation timers and notification outbox when the store keeps
    /// them (an `EscalationStore`); its events are read when an exporter goes through them. Every export (the
    /// `runbook export` command, the REPL's `export`, reports) opens its incident here, so all of them see the same
    /// rows whatever type the caller holds the store as.
    /// - Throws: `ExportError.unknownIncident` when the store has no such incident; store errors as they come.
    public static func load(incidentID id: Int64, from store: any TranscriptStore) throws -> IncidentTranscript {
        guard let incident = try store.incident(id) else { throw ExportError.unknownIncident(id) }
        // The head first: events recorded after it (by a session still running) are left out, so the export and
        // the head it carries describe the same chain.
        let head = try store.chainHead(incidentID: id)
        let escalation = store as? any EscalationStore
        return IncidentTranscript(
            incident: incident, outputs: [:],
            timers: try escalation?.timers(incidentID: id) ?? [], outbox: try escalation?.outbox(incidentID: id) ?? [],
            chainHead: head, source: .store(store))
    }

    /// A transcript of rows already read; `outputs` maps a `command.started` sequence to its chunks.
    public init(
        incident: Incident, events: [RecordedEvent], outputs: [Int64: [OutputChunk]], timers: [EscalationTimer] = [],
        outbox: [OutboxEntry] = []
    ) {
        let head = events.last.flatMap { $0.hash.isEmpty ? nil : ChainHead(sequence: $0.sequence, hash: $0.hash) }
        self.init(
            incident: incident, outputs: outputs, timers: timers, outbox: outbox, chainHead: head,
            source: .events(events))
    }

    private init(
        incident: Incident, outputs: [Int64: [OutputChunk]], timers: [EscalationTimer], outbox: [OutboxEntry],
        chainHead: ChainHead?, source: Source
    ) {
        self.incident = incident
        self.outputs = outputs
        self.timers = timers
        self.outbox = outbox
        self.chainHead = chainHead
        self.source = source
    }

    /// Calls `body` with each event in sequence order (only those of `types`, when given). With `hashes: false` the
    /// events may come without their hashes (`previousHash` and `hash` empty), which saves reading them.
    public func forEachEvent(
        types: Set<EventType>? = nil, hashes: Bool = true, _ body: (RecordedEvent) throws -> Void
    ) throws {
        switch source {
        case .store(let store):
            let last = chainHead?.sequence ?? 0
            try store.forEachEvent(incidentID: incident.id, types: types, hashes: hashes) { event in
                if event.sequence <= last { try body(event) }
            }
        case .events(let events):
            for index in events.indices where types?.contains(events[index].type) ?? true { try body(events[index]) }
        }
    }

    /// Calls `body` with each output chunk of the command whose `command.started` has `sequence`, in order: from
    /// `outputs` when it holds them, else read from the store one chunk at a time (also inside `forEachEvent`).
    public func forEachOutputChunk(ofCommand sequence: Int64, _ body: (OutputChunk) throws -> Void) throws {
        if let chunks = outputs[sequence] {
            for chunk in chunks { try body(chunk) }
        } else if case .store(let store) = source {
            try store.forEachOutputChunk(incidentID: incident.id, commandSequence: sequence, body)
        }
    }

    /// Every event, in sequence order (for callers that want them all at once: tests, small incidents).
    public func events() throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        try forEachEvent { events.append($0) }
        return events
    }

    /// The report derived from one pass over the events.
    public func report() throws -> IncidentReport {
        var builder = IncidentReport.Builder(incident: incident, outputs: outputs)
        try forEachEvent { builder.add($0) }
        return builder.report(timers: timers, outbox: outbox)
    }
}

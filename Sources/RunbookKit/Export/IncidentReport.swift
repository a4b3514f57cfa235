import Foundation

/// Everything the exporters need about one incident, read only through `TranscriptStore` so that every
/// backend exports the same way.
public struct IncidentReport: Sendable {
    /// The incident row.
    public var incident: Incident
    /// Every event in sequence order.
    public var events: [RecordedEvent]
    /// Commands in the order they started, with their output.
    public var commands: [CommandRecord]
    /// Metrics derived from the events.
    public var metrics: IncidentMetrics
    /// Every escalation timer of the incident, oldest generation first; empty when read from a store without
    /// escalation tables.
    public var timers: [EscalationTimer] = []
    /// The notification outbox rows of the incident (one per notification and channel), oldest first; empty
    /// when read from a store without escalation tables.
    public var outbox: [OutboxEntry] = []

    /// Reads incident `id` from `store`.
    /// - Throws: `ExportError.unknownIncident` when the store has no such incident; store errors as they come.
    public static func load(incidentID id: Int64, from store: any TranscriptStore) throws -> IncidentReport {
        guard let incident = try store.incident(id) else { throw ExportError.unknownIncident(id) }
        let events = try store.events(incidentID: id)
        // By index: iterating the events by value would copy each one.
        let started = events.indices.filter { events[$0].type == .commandStarted }.map { events[$0].sequence }
        let outputs = try store.outputs(incidentID: id, commandSequences: started)
        return IncidentReport(incident: incident, events: events, outputs: outputs)
    }

    /// Reads incident `id` from `store`, with its escalation timers and notification outbox.
    /// - Throws: `ExportError.unknownIncident` when the store has no such incident; store errors as they come.
    public static func load(incidentID id: Int64, from store: any EscalationStore) throws -> IncidentReport {
        var report = try load(incidentID: id, from: store as any TranscriptStore)
        report.timers = try store.timers(incidentID: id)
        report.outbox = try store.outbox(incidentID: id)
        return report
    }

    /// Builds a report from already-read rows; `outputs` maps a `command.started` sequence to its chunks.
    public init(incident: Incident, events: [RecordedEvent], outputs: [Int64: [OutputChunk]]) {
        self.incident = incident
        self.events = events
        self.commands = Self.commands(from: events, outputs: outputs)
        self.metrics = Self.metrics(incident: incident, events: events)
    }

    /// Whether the incident is still open (not resolved and not abandoned).
    public var isOpen: Bool { incident.status == .open || incident.status == .mitigated }

    /// Where the transcript ends: the resolution, else the last event, else the declaration.
    public var endTime: Date {
        let last = events.last?.timestamp ?? incident.declaredAt
        return incident.resolvedAt.map { max($0, last) } ?? last
    }

    /// Runbooks used, in the order they were first opened (the declared one first).
    public var runbooks: [String] {
        var names = [incident.runbook]
        for index in events.indices where events[index].type == .runbookOpened || events[index].type == .stepShown {
            if let name = events[index].payload["runbook"]?.stringValue { names.append(name) }
        }
        var seen = Set<String>()
        return names.filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    /// Everyone who caused an event, in order of first appearance.
    public var responders: [String] {
        var seen = Set<String>()
        var responders: [String] = []
        var previous: String?
        for index in events.indices where events[index].actor != previous {
            // Consecutive events mostly share their actor: only a change needs the set.
            let actor = events[index].actor
            previous = actor
            if !actor.isEmpty, seen.insert(actor).inserted { responders.append(actor) }
        }
        return responders
    }

    /// Notes in order.
    public var notes: [RecordedEvent] { events.filter { $0.type == .noteAdded } }

    /// Notes that start with `TODO:` or `action:` (any case), with the marker removed.
    public var actionItems: [(event: RecordedEvent, text: String)] {
        // By index, so that only the notes that may be action items are copied out of the events.
        events.indices.compactMap { index in
            guard events[index].type == .noteAdded, let text = events[index].payload["text"]?.stringValue,
                Self.mayStartWithMarker(text)
            else { return nil }
            let event = events[index]
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            for marker in ["todo:", "action:"] where trimmed.lowercased().hasPrefix(marker) {
                let rest = trimmed.dropFirst(marker.count).trimmingCharacters(in: .whitespaces)
                return (event, rest)
            }
            return nil
        }
    }

    /// Whether the first character after leading white space is a `t` or an `a` (any case): a cheap test that
    /// rules out almost every note before the exact (Foundation) check, which large incidents would pay per note.
    private static func mayStartWithMarker(_ text: String) -> Bool {
        for scalar in text.unicodeScalars {
            switch scalar {
            case "t", "T", "a", "A": return true
            case " ", "\t", "\n", "\r", "\u{0B}", "\u{0C}": continue
            default:
                if scalar.isASCII { return false }
                // Other (Unicode) white space is skipped as `trimmingCharacters` would; anything else is checked exactly.
                if CharacterSet.whitespacesAndNewlines.contains(scalar) { continue }
                return true
            }
        }
        return false
    }

    /// The debrief of a drill, from its last `drill.debrief` event.
    public var debrief: RecordedEvent? { events.last { $0.type == .drillDebrief } }

    // MARK: - Derivation

    private static func commands(from events: [RecordedEvent], outputs: [Int64: [OutputChunk]]) -> [CommandRecord] {
        var shownByStep: [String: RecordedEvent] = [:]
        var editedByStep: [String: RecordedEvent] = [:]
        var lastShown: RecordedEvent?
        var records: [CommandRecord] = []
        var open: [Int] = []  // indexes of started, unfinished commands
        var indexBySequence: [Int64: Int] = [:]  // first record of each sequence, for finishes that name theirs

        for index in events.indices {
            // Only the few command and step events are copied out of the array.
            switch events[index].type {
            case .stepShown, .stepEdited, .commandStarted, .commandFinished, .commandFailedToStart: break
            default: continue
            }
            let event = events[index]
            switch event.type {
            case .stepShown:
                if let step = event.stepID { shownByStep[step] = event }
                editedByStep[event.stepID ?? ""] = nil
                lastShown = event
            case .stepEdited:
                editedByStep[event.stepID ?? ""] = event
            case .commandStarted:
                let shown = event.stepID.flatMap { shownByStep[$0] } ?? lastShown
                let edited = editedByStep[event.stepID ?? ""]
                let written = shown?.payload["command"]?.stringValue ?? edited?.payload["before"]?.stringValue
                let editedText = edited.flatMap { ($0.payload["after"] ?? $0.payload["edited"])?.stringValue }
                let text = event.payload["command"]?.stringValue ?? editedText ?? written ?? ""
                let original = (edited != nil || (written != nil && written != text)) ? (written ?? text) : nil
                records.append(
                    CommandRecord(
                        sequence: event.sequence, stepID: event.stepID,
                        stepTitle: shown?.payload["title"]?.stringValue, text: text,
                        originalText: original == text ? nil : original,
                        workingDirectory: event.payload["cwd"]?.stringValue, actor: event.actor,
                        startedAt: event.timestamp, output: outputs[event.sequence] ?? []))
                open.append(records.count - 1)
                if indexBySequence[event.sequence] == nil { indexBySequence[event.sequence] = records.count - 1 }
            case .commandFinished, .commandFailedToStart:
                guard let index = finishedIndex(for: event, open: open, records: records, bySequence: indexBySequence)
                else {
                    // A command that never started has no `command.started`: it is its own record.
                    if event.type == .commandFailedToStart {
                        let shown = event.stepID.flatMap { shownByStep[$0] } ?? lastShown
                        records.append(
                            CommandRecord(
                                sequence: event.sequence, stepID: event.stepID,
                                stepTitle: shown?.payload["title"]?.stringValue,
                                text: event.payload["command"]?.stringValue ?? shown?.payload["command"]?.stringValue
                                    ?? "", actor: event.actor, startedAt: event.timestamp,
                                finishSequence: event.sequence,
                                finishedAt: event.timestamp,
                                failureReason: event.payload["error"]?.stringValue ?? event.payload["reason"]?
                                    .stringValue
                                    ?? "unknown reason"))
                        if indexBySequence[event.sequence] == nil {
                            indexBySequence[event.sequence] = records.count - 1
                        }
                    }
                    continue
                }
                open.removeAll { $0 == index }
                let payload = event.payload
                records[index].finishedAt = event.timestamp
                records[index].finishSequence = event.sequence
                records[index].exitCode = payload["exit_code"]?.intValue
                records[index].signal =
                    payload["signal"].flatMap { $0 == .null ? nil : ($0.stringValue ?? $0.intValue.map(String.init)) }
                // The runner's measured duration (real seconds, also in drills); older records had milliseconds.
                records[index].duration =
                    payload["duration"]?.doubleValue ?? payload["duration_ms"]?.doubleValue.map { $0 / 1000 }
                    ?? event.timestamp.timeIntervalSince(records[index].startedAt)
                records[index].timedOut = payload["timed_out"]?.boolValue ?? false
                records[index].droppedBytes = payload["dropped_bytes"]?.intValue ?? 0
                if event.type == .commandFailedToStart {
                    records[index].failureReason =
                        payload["error"]?.stringValue ?? payload["reason"]?.stringValue ?? "unknown reason"
                }
            default:
                break
            }
        }
        return records
    }

    /// The started command a finish belongs to: the one it names, else the latest open one of its step,
    /// else the latest open one.
    private static func finishedIndex(
        for event: RecordedEvent, open: [Int], records: [CommandRecord], bySequence: [Int64: Int]
    ) -> Int? {
        for key in ["command_sequence", "started_sequence", "started"] {
            if let sequence = event.payload[key]?.intValue { return bySequence[sequence] }
        }
        if let step = event.stepID, let index = open.last(where: { records[$0].stepID == step }) { return index }
        return event.type == .commandFailedToStart ? nil : open.last
    }
}

import Foundation

/// What the exporters derive from an incident's transcript: its commands with their output, its metrics, and the
/// facts a postmortem header needs. Built by `IncidentReport.Builder` in one pass over the events, holding only
/// the few events it needs (not the notes, nor anything else that grows with the incident).
public struct IncidentReport: Sendable {
    /// The incident row.
    public var incident: Incident
    /// Commands in the order they started, with their output.
    public var commands: [CommandRecord]
    /// Metrics derived from the events.
    public var metrics: IncidentMetrics
    /// Every escalation timer of the incident, oldest generation first.
    public var timers: [EscalationTimer]
    /// The notification outbox rows of the incident (one per notification and channel), oldest first.
    public var outbox: [OutboxEntry]
    /// Runbooks used, in the order they were first opened (the declared one first).
    public var runbooks: [String]
    /// Everyone who caused an event, in order of first appearance.
    public var responders: [String]
    /// Notes that start with `TODO:` or `action:` (any case), with the marker removed.
    public var actionItems: [(event: RecordedEvent, text: String)]
    /// The `notification.sent` and `notification.failed` events, in order.
    public var notifications: [RecordedEvent]
    /// The debrief of a drill, from its last `drill.debrief` event.
    public var debrief: RecordedEvent?
    /// What the postmortem's sections are written from: the recorded facts and the key moments.
    public var facts = PostmortemFacts()
    /// How many events the transcript holds.
    public var eventCount: Int
    /// How many of them are notes.
    public var noteCount: Int
    /// Timestamp of the last event, when there is one.
    public var lastEventTime: Date?
    /// How much faster than real time the incident's clock ran (`Builder.clockSpeed`).
    public var clockSpeed: Double = 1

    /// Reads incident `id` from `store` (one pass over its events), with its escalation timers and notification
    /// outbox when the store keeps them.
    /// - Throws: `ExportError.unknownIncident` when the store has no such incident; store errors as they come.
    public static func load(incidentID id: Int64, from store: any TranscriptStore) throws -> IncidentReport {
        // A report holds its commands' output (exporters read it from the transcript as they write instead).
        var transcript = try IncidentTranscript.load(incidentID: id, from: store)
        transcript.outputs = try store.outputs(incidentID: id)
        return try transcript.report()
    }

    /// Builds a report from already-read rows; `outputs` maps a `command.started` sequence to its chunks.
    public init(incident: Incident, events: [RecordedEvent], outputs: [Int64: [OutputChunk]]) {
        var builder = Builder(incident: incident, outputs: outputs)
        for index in events.indices { builder.add(events[index]) }
        self = builder.report(timers: [], outbox: [])
    }

    fileprivate init(
        incident: Incident, commands: [CommandRecord], metrics: IncidentMetrics, timers: [EscalationTimer],
        outbox: [OutboxEntry], runbooks: [String], responders: [String],
        actionItems: [(event: RecordedEvent, text: String)], notifications: [RecordedEvent],
        debrief: RecordedEvent?, eventCount: Int, noteCount: Int, lastEventTime: Date?
    ) {
        self.incident = incident
        self.commands = commands
        self.metrics = metrics
        self.timers = timers
        self.outbox = outbox
        self.runbooks = runbooks
        self.responders = responders
        self.actionItems = actionItems
        self.notifications = notifications
        self.debrief = debrief
        self.eventCount = eventCount
        self.noteCount = noteCount
        self.lastEventTime = lastEventTime
    }

    /// Whether the incident is still open (not resolved and not abandoned).
    public var isOpen: Bool { incident.status == .open || incident.status == .mitigated }

    /// Where the transcript ends: the resolution, else the last event, else the declaration.
    public var endTime: Date {
        let last = lastEventTime ?? incident.declaredAt
        return incident.resolvedAt.map { max($0, last) } ?? last
    }

    /// Whether the first character after leading white space is a `t` or an `a` (any case): a cheap test that
    /// rules out almost every note before the exact (Foundation) check, which large incidents would pay per note.
    static func mayStartWithMarker(_ text: String) -> Bool {
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

    /// The action item a note is, when it starts with `TODO:` or `action:` (any case): its text without the marker.
    static func actionItem(_ text: String) -> String? {
        guard mayStartWithMarker(text) else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        for marker in ["todo:", "action:"] where trimmed.lowercased().hasPrefix(marker) {
            // A bare `TODO:` names no action: it stays a note, not an empty task.
            let item = trimmed.dropFirst(marker.count).trimmingCharacters(in: .whitespacesAndNewlines)
            return item.isEmpty ? nil : item
        }
        return nil
    }
}

extension IncidentReport {
    /// Derives a report from the events given to `add` one at a time, in sequence order. Exporters that write as
    /// they read use `commands` along the way: a `command.*` event's record is complete up to that event.
    public struct Builder {
        /// The incident row.
        public let incident: Incident
        private let outputs: [Int64: [OutputChunk]]
        /// Commands so far, in the order they started.
        public private(set) var commands: [CommandRecord] = []

        private var shownByStep: [String: RecordedEvent] = [:]
        private var editedByStep: [String: RecordedEvent] = [:]
        /// The runbook's text of a step edited since it was last shown as written: the first edit's `before`.
        private var originalByStep: [String: String] = [:]
        private var lastShown: RecordedEvent?
        private var open: [Int] = []  // indexes of started, unfinished commands
        private var indexBySequence: [Int64: Int] = [:]  // first record of each sequence, for finishes that name theirs

        private var runbookNames: [String]
        private var seenRunbooks: Set<String>
        private var responders: [String] = []
        private var seenResponders = Set<String>()
        private var previousActor: String?
        private var actionItems: [(event: RecordedEvent, text: String)] = []
        private var notifications: [RecordedEvent] = []
        private var debrief: RecordedEvent?
        private var facts = PostmortemFacts()
        /// Events taken so far.
        public private(set) var eventCount = 0
        private var noteCount = 0
        private var lastEventTime: Date?
        private var metrics = MetricsInput()
        /// How much faster than real time the incident's clock ran: a drill's `speed`, 1 otherwise. Event times are
        /// on that clock; the runner measures durations and output offsets in real seconds, so they are scaled by
        /// it, and every time in an export is on the one clock.
        public private(set) var clockSpeed: Double = 1

        /// A builder for `incident`, whose commands' output is `outputs` (keyed by `command.started` sequence).
        public init(incident: Incident, outputs: [Int64: [OutputChunk]]) {
            self.incident = incident
            self.outputs = outputs
            runbookNames = incident.runbook.isEmpty ? [] : [incident.runbook]
            seenRunbooks = Set(runbookNames)
        }

        /// Takes the next event. Returns the index in `commands` of the command record the event started, finished
        /// or failed to start, if any.
        @discardableResult
        public mutating func add(_ event: RecordedEvent) -> Int? {
            eventCount += 1
            lastEventTime = event.timestamp
            facts.add(event)
            // Consecutive events mostly share their actor: only a change needs the set.
            if event.actor != previousActor {
                previousActor = event.actor
                if !event.actor.isEmpty, seenResponders.insert(event.actor).inserted { responders.append(event.actor) }
            }
            switch event.type {
            case .incidentDeclared:
                if let speed = event.payload["drill_setup"]?["speed"]?.doubleValue, speed > 0 { clockSpeed = speed }
            case .noteAdded:
                noteCount += 1
                if let text = event.payload["text"]?.stringValue, let item = IncidentReport.actionItem(text) {
                    actionItems.append((event, item))
                }
                return nil
            case .stepShown, .stepEdited, .commandStarted, .commandFinished, .commandFailedToStart:
                if event.type == .stepShown { noteRunbook(event) }
                return addCommandEvent(event)
            case .runbookOpened:
                noteRunbook(event)
            case .notificationSent, .notificationFailed:
                notifications.append(event)
            case .drillDebrief:
                debrief = event
            default:
                break
            }
            metrics.add(event)
            return nil
        }

        /// The report of the events so far.
        public func report(timers: [EscalationTimer], outbox: [OutboxEntry]) -> IncidentReport {
            var report = IncidentReport(
                incident: incident, commands: commands,
                metrics: metrics.metrics(incident: incident, lastEventTime: lastEventTime), timers: timers,
                outbox: outbox, runbooks: runbookNames, responders: responders, actionItems: actionItems,
                notifications: notifications, debrief: debrief, eventCount: eventCount, noteCount: noteCount,
                lastEventTime: lastEventTime)
            report.facts = facts
            report.clockSpeed = clockSpeed
            return report
        }

        private mutating func noteRunbook(_ event: RecordedEvent) {
            if let name = event.payload["runbook"]?.stringValue, !name.isEmpty, seenRunbooks.insert(name).inserted {
                runbookNames.append(name)
            }
        }

        private mutating func addCommandEvent(_ event: RecordedEvent) -> Int? {
            switch event.type {
            case .stepShown:
                // After `e` (and after `resume`) the step is shown again with the edited command and `edited: true`:
                // the edit still stands. A step shown as written ends it.
                if event.payload["edited"]?.boolValue != true {
                    editedByStep[event.stepID ?? ""] = nil
                    originalByStep[event.stepID ?? ""] = nil
                }
                if let step = event.stepID { shownByStep[step] = event }
                lastShown = event
                return nil
            case .stepEdited:
                let step = event.stepID ?? ""
                if originalByStep[step] == nil {
                    originalByStep[step] =
                        event.payload["before"]?.stringValue ?? shownByStep[step]?.payload["command"]?.stringValue
                }
                editedByStep[step] = event
                return nil
            case .commandStarted:
                let shown = shownStep(for: event)
                let edited = editedByStep[event.stepID ?? ""]
                let written =
                    (edited != nil ? originalByStep[event.stepID ?? ""] : nil)
                    ?? shown?.payload["command"]?.stringValue ?? edited?.payload["before"]?.stringValue
                let editedText = edited.flatMap { ($0.payload["after"] ?? $0.payload["edited"])?.stringValue }
                let text = event.payload["command"]?.stringValue ?? editedText ?? written ?? ""
                let original = (edited != nil || (written != nil && written != text)) ? (written ?? text) : nil
                commands.append(
                    CommandRecord(
                        sequence: event.sequence, stepID: event.stepID,
                        stepTitle: shown?.payload["title"]?.stringValue, text: text,
                        originalText: original == text ? nil : original,
                        workingDirectory: event.payload["cwd"]?.stringValue, actor: event.actor,
                        startedAt: event.timestamp, output: scaled(outputs[event.sequence] ?? [])))
                commands[commands.count - 1].wasShown = shown != nil
                open.append(commands.count - 1)
                if indexBySequence[event.sequence] == nil { indexBySequence[event.sequence] = commands.count - 1 }
                return commands.count - 1
            case .commandFinished, .commandFailedToStart:
                return finish(event)
            default:
                return nil
            }
        }

        /// `chunks` with their offsets on the incident's clock.
        private func scaled(_ chunks: [OutputChunk]) -> [OutputChunk] {
            guard clockSpeed != 1 else { return chunks }
            return chunks.map { OutputChunk(offset: $0.offset * clockSpeed, data: $0.data) }
        }

        /// The `step.shown` a command event belongs to: its step's, or for a command without a step the ad-hoc
        /// `sh` shown just before with the same text. A `runbook record` command has none, whatever was shown last.
        private func shownStep(for event: RecordedEvent) -> RecordedEvent? {
            if let step = event.stepID { return shownByStep[step] ?? lastShown }
            guard let shown = lastShown, shown.stepID == nil,
                shown.payload["command"] == event.payload["command"] || event.payload["command"] == nil
            else { return nil }
            return shown
        }

        private mutating func finish(_ event: RecordedEvent) -> Int? {
            guard let index = finishedIndex(for: event) else {
                // A command that never started has no `command.started`: it is its own record.
                guard event.type == .commandFailedToStart else { return nil }
                let shown = shownStep(for: event)
                commands.append(
                    CommandRecord(
                        sequence: event.sequence, stepID: event.stepID,
                        stepTitle: shown?.payload["title"]?.stringValue,
                        text: event.payload["command"]?.stringValue ?? shown?.payload["command"]?.stringValue ?? "",
                        actor: event.actor, startedAt: event.timestamp, finishSequence: event.sequence,
                        finishedAt: event.timestamp,
                        failureReason: event.payload["error"]?.stringValue ?? event.payload["reason"]?.stringValue
                            ?? "unknown reason"))
                commands[commands.count - 1].wasShown = shown != nil
                if indexBySequence[event.sequence] == nil { indexBySequence[event.sequence] = commands.count - 1 }
                return commands.count - 1
            }
            open.removeAll { $0 == index }
            let payload = event.payload
            commands[index].finishedAt = event.timestamp
            commands[index].finishSequence = event.sequence
            commands[index].exitCode = payload["exit_code"]?.intValue
            commands[index].signal =
                payload["signal"].flatMap { $0 == .null ? nil : ($0.stringValue ?? $0.intValue.map(String.init)) }
            // The runner's measured duration, on the incident's clock; older records had milliseconds.
            commands[index].duration =
                (payload["duration"]?.doubleValue ?? payload["duration_ms"]?.doubleValue.map { $0 / 1000 })
                .map { $0 * clockSpeed } ?? event.timestamp.timeIntervalSince(commands[index].startedAt)
            commands[index].timedOut = payload["timed_out"]?.boolValue ?? false
            // `dropped` is what `runbook record` wrote before it recorded through the sessions' path.
            commands[index].droppedBytes = (payload["dropped_bytes"] ?? payload["dropped"])?.intValue ?? 0
            commands[index].droppedAt = payload["dropped_at"]?.intValue
            commands[index].expected = payload["expected"]?.boolValue
            if event.type == .commandFailedToStart {
                commands[index].failureReason =
                    payload["error"]?.stringValue ?? payload["reason"]?.stringValue ?? "unknown reason"
            }
            return index
        }

        /// The started command a finish belongs to: the one it names, else the latest open one of its step,
        /// else the latest open one.
        private func finishedIndex(for event: RecordedEvent) -> Int? {
            for key in ["command_sequence", "started_sequence", "started"] {
                if let sequence = event.payload[key]?.intValue { return indexBySequence[sequence] }
            }
            if let step = event.stepID, let index = open.last(where: { commands[$0].stepID == step }) { return index }
            return event.type == .commandFailedToStart ? nil : open.last
        }
    }
}

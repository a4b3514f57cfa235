import Foundation

/// What a responder who picks an incident up needs before the first prompt, read from its events: who had it and
/// who handed it over (with the handoff note), who acknowledged, when it was mitigated, the last notes and the
/// last command with its result. `resume` opens with it.
public struct IncidentRecap: Sendable, Hashable {
    /// The latest `handoff`.
    public struct Handoff: Sendable, Hashable {
        public var from: String
        public var to: String
        public var note: String?
        public var at: Date
    }

    /// The latest `session.suspended`: who had the incident last, and why their session stopped.
    public struct Suspension: Sendable, Hashable {
        public var by: String
        public var reason: String?
        public var at: Date
    }

    /// A note of the timeline.
    public struct Note: Sendable, Hashable {
        public var text: String
        public var at: Date
    }

    /// A command that ran in the incident, with what it returned.
    public struct CommandOutcome: Sendable, Hashable {
        public var command: String
        /// The step it ran for (`nil` for `sh COMMAND`).
        public var stepID: String?
        public var runbookID: String?
        /// `nil` when it was killed by a signal.
        public var exitCode: Int32?
        /// Whether the exit code was one the step expects.
        public var expected: Bool
        public var timedOut: Bool
        /// When it finished.
        public var at: Date

        /// Every command that finished in `events`, oldest first: each `command.finished` with the text of the
        /// `command.started` it names.
        public static func all(in events: [RecordedEvent]) -> [CommandOutcome] {
            var started: [Int64: String] = [:]
            var outcomes: [CommandOutcome] = []
            for event in events {
                switch event.type {
                case .commandStarted:
                    if let command = event.payload["command"]?.stringValue { started[event.sequence] = command }
                case .commandFinished:
                    guard let sequence = event.payload["command_sequence"]?.intValue, let command = started[sequence]
                    else { continue }
                    outcomes.append(
                        CommandOutcome(
                            command: command, stepID: event.stepID, runbookID: event.payload["runbook"]?.stringValue,
                            exitCode: event.payload["exit_code"]?.intValue.map { Int32(truncatingIfNeeded: $0) },
                            expected: event.payload["expected"]?.boolValue == true,
                            timedOut: event.payload["timed_out"]?.boolValue == true, at: event.timestamp))
                default:
                    break
                }
            }
            return outcomes
        }

        /// The latest run of exactly `command` in `events`, if it ran.
        public static func latest(of command: String, in events: [RecordedEvent]) -> CommandOutcome? {
            all(in: events).last { $0.command == command }
        }
    }

    public var handoff: Handoff?
    /// Who had it last, when their session stopped, and why (`quit`, `handoff to alice`, a hang-up).
    public var lastSuspension: Suspension?
    /// Who acknowledged, in order.
    public var acknowledgedBy: [String]
    /// When the incident was marked mitigated, if it is.
    public var mitigatedAt: Date?
    /// The last three notes, oldest first.
    public var lastNotes: [Note]
    public var lastCommand: CommandOutcome?

    /// Reads the recap from an incident's events, in recorded order.
    public init(events: [RecordedEvent]) {
        acknowledgedBy = []
        var notes: [Note] = []
        for event in events {
            let payload = event.payload
            switch event.type {
            case .handoff:
                handoff = Handoff(
                    from: payload["from"]?.stringValue ?? event.actor, to: payload["to"]?.stringValue ?? "",
                    note: payload["note"]?.stringValue, at: event.timestamp)
            case .sessionSuspended:
                lastSuspension = Suspension(
                    by: event.actor, reason: payload["reason"]?.stringValue, at: event.timestamp)
            case .ackReceived:
                acknowledgedBy.append(payload["by"]?.stringValue ?? event.actor)
            case .statusChanged:
                switch payload["to"]?.stringValue {
                case "mitigated": mitigatedAt = event.timestamp
                case "open": mitigatedAt = nil
                default: break
                }
            case .noteAdded:
                if let text = payload["text"]?.stringValue { notes.append(Note(text: text, at: event.timestamp)) }
            default:
                break
            }
        }
        lastNotes = Array(notes.suffix(3))
        lastCommand = CommandOutcome.all(in: events).last
    }
}

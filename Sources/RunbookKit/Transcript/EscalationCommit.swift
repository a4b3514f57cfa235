import Foundation

/// What one escalation transaction committed: the engine's outcome and the events as recorded.
public struct EscalationCommit: Sendable, Hashable {
    public var incidentID: Int64
    public var outcome: EscalationOutcome
    /// The events, as stored (sequence, timestamp, hash).
    public var events: [RecordedEvent]
    /// Outbox rows created, one per notification and channel.
    public var outboxIDs: [Int64]

    public init(incidentID: Int64, outcome: EscalationOutcome, events: [RecordedEvent], outboxIDs: [Int64]) {
        self.incidentID = incidentID
        self.outcome = outcome
        self.events = events
        self.outboxIDs = outboxIDs
    }
}

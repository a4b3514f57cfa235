import Foundation

/// A chain head recorded outside the database, and where it came from: a line of the anchor log, an export, a
/// notification, or a `SEQ:HASH` typed on the command line.
public struct ChainAnchor: Sendable, Hashable {
    /// The incident whose head this is.
    public var incidentID: Int64
    /// The head as it was then.
    public var head: ChainHead
    /// When it was recorded, when known.
    public var time: Date?
    /// The event type that made it (`incident.declared`, `escalation.triggered`…), when known.
    public var eventType: String?
    /// Where it was read, for messages (`transcripts/runbook.db.anchors:3`, `--anchor`).
    public var source: String

    /// An anchor from its parts.
    public init(incidentID: Int64, head: ChainHead, time: Date? = nil, eventType: String? = nil, source: String) {
        self.incidentID = incidentID
        self.head = head
        self.time = time
        self.eventType = eventType
        self.source = source
    }
}

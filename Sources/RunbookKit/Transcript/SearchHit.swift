import Foundation

/// One match of a full-text search over commands, outputs and notes.
public struct SearchHit: Sendable, Hashable, Codable {
    /// What matched.
    public enum Kind: String, Sendable, Hashable, Codable {
        case command, output, note
    }

    /// The incident the match belongs to.
    public var incidentID: Int64
    /// Its title, for display.
    public var incidentTitle: String
    /// The event: the `command.started` event for commands and their output, the `note.added` event for notes.
    public var sequence: Int64
    /// The step of the event, if any.
    public var stepID: String?
    /// Whether a command, its output or a note matched.
    public var kind: Kind
    /// When the command ran, the output was written, or the note was added.
    public var timestamp: Date
    /// Matching text around the terms, which are wrapped in `[` and `]`.
    public var snippet: String

    /// A hit from its parts.
    public init(
        incidentID: Int64, incidentTitle: String, sequence: Int64, stepID: String?, kind: Kind, timestamp: Date,
        snippet: String
    ) {
        self.incidentID = incidentID
        self.incidentTitle = incidentTitle
        self.sequence = sequence
        self.stepID = stepID
        self.kind = kind
        self.timestamp = timestamp
        self.snippet = snippet
    }
}

/// The outcome of checking one incident's hash chain.
public struct VerificationResult: Sendable, Hashable, Codable {
    /// The incident checked.
    public var incidentID: Int64
    /// Events checked (up to and including the first broken one).
    public var eventCount: Int
    /// The sequence number of the first event whose link is broken; `nil` when the chain is intact.
    public var firstBrokenSequence: Int64?
    /// Why that link is broken, in words.
    public var reason: String?
    /// What an intact result does not cover, in words (for example output recorded before output digests).
    public var notes: [String] = []
    /// `command.started` sequences whose stored output no `command.finished` digest covers.
    public var unboundOutputs: [Int64] = []

    /// A result from its parts.
    public init(incidentID: Int64, eventCount: Int, firstBrokenSequence: Int64? = nil, reason: String? = nil) {
        self.incidentID = incidentID
        self.eventCount = eventCount
        self.firstBrokenSequence = firstBrokenSequence
        self.reason = reason
    }

    /// Whether every link holds.
    public var isIntact: Bool { firstBrokenSequence == nil }
}

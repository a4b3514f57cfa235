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
    /// The valid head signatures (`chain.signed`), in chain order. An invalid one breaks the chain instead.
    public var signatures: [HeadSignatureCheck] = []

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

/// A `chain.signed` event whose signature is valid for the head it names, which the chain holds.
public struct HeadSignatureCheck: Sendable, Hashable, Codable {
    /// The `chain.signed` event.
    public var sequence: Int64
    /// The head it signs.
    public var head: ChainHead
    /// Who recorded it (`user@host`).
    public var actor: String
    /// Why it was signed: `incident.resolved` or `handoff`.
    public var reason: String
    /// The signer's public key, base64.
    public var key: String
    /// `SHA256:…` of the key.
    public var fingerprint: String

    /// A check from its parts.
    public init(sequence: Int64, head: ChainHead, actor: String, reason: String, key: String, fingerprint: String) {
        self.sequence = sequence
        self.head = head
        self.actor = actor
        self.reason = reason
        self.key = key
        self.fingerprint = fingerprint
    }
}

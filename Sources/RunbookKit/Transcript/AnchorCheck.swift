/// What the database holds at an anchor's sequence number.
public enum AnchorCheck: Sendable, Hashable {
    /// The event at the anchored sequence has the anchored hash.
    case holds(ChainAnchor)
    /// The anchored event is not there: the chain now ends before it (its tail was cut off), or it was deleted.
    case truncated(ChainAnchor, head: ChainHead?)
    /// The event at the anchored sequence has another hash: the chain up to it was rewritten.
    case rewritten(ChainAnchor, storedHash: String)

    /// The anchor checked.
    public var anchor: ChainAnchor {
        switch self {
        case .holds(let anchor), .truncated(let anchor, _), .rewritten(let anchor, _): return anchor
        }
    }

    /// Whether the database agrees with the anchor.
    public var holds: Bool {
        if case .holds = self { return true }
        return false
    }

    /// One line for the terminal.
    public var description: String {
        let anchor = self.anchor
        let what = "anchor \(anchor.head) (\(anchor.source)\(anchor.eventType.map { ", \($0)" } ?? ""))"
        switch self {
        case .holds:
            return "\(what): holds"
        case .truncated(_, let head):
            let now = head.map { "the chain now ends at event #\($0.sequence)" } ?? "the incident has no events"
            let kind = (head?.sequence ?? 0) < anchor.head.sequence ? "TRUNCATED" : "MISSING"
            return "\(what): \(kind): event #\(anchor.head.sequence) is not in the database (\(now))"
        case .rewritten(_, let stored):
            return "\(what): REWRITTEN: event #\(anchor.head.sequence) now has hash \(stored)"
        }
    }
}

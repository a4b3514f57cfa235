import Foundation
import GRDB

extension SQLiteTranscriptStore {
    /// The anchor log beside this database (`<db>.anchors`); `nil` for a database in memory.
    public var anchorLog: AnchorLog? {
        path == ":memory:" ? nil : AnchorLog(databasePath: path)
    }

    /// The head of an incident's chain (its last event), or `nil` when it has no events.
    public func chainHead(incidentID: Int64) throws -> ChainHead? {
        try read { db in try Self.chainHead(db, incidentID: incidentID) }
    }

    /// The head inside the caller's transaction.
    static func chainHead(_ db: Database, incidentID: Int64) throws -> ChainHead? {
        try Row.fetchOne(
            db, sql: "SELECT seq, hash FROM events WHERE incident = ? ORDER BY seq DESC LIMIT 1",
            arguments: [incidentID]
        ).map { ChainHead(sequence: $0["seq"], hash: $0["hash"]) }
    }

    /// Checks the database against a head recorded elsewhere: the event at the anchored sequence must be there and
    /// have the anchored hash. This finds what the chain alone cannot: a cut-off tail (the anchored event is gone)
    /// and a chain rewritten with every hash recomputed (the anchored event has another hash). `verify(incidentID:)`
    /// checks the links themselves.
    /// - Throws: `TranscriptError.unknownIncident`; store errors.
    public func verify(incidentID: Int64, against anchor: ChainAnchor) throws -> AnchorCheck {
        try read { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM incidents WHERE id = ?", arguments: [incidentID]) != nil
            else {
                throw TranscriptError.unknownIncident(id: incidentID, path: self.path)
            }
            let stored = try String.fetchOne(
                db, sql: "SELECT hash FROM events WHERE incident = ? AND seq = ?",
                arguments: [incidentID, anchor.head.sequence])
            guard let stored else {
                return .truncated(anchor, head: try Self.chainHead(db, incidentID: incidentID))
            }
            return stored == anchor.head.hash ? .holds(anchor) : .rewritten(anchor, storedHash: stored)
        }
    }

    /// Whether recording `event` writes an anchor: declare, escalation, mitigation and resolve.
    static func isAnchoring(_ event: RecordedEvent) -> Bool {
        switch event.type {
        case .incidentDeclared, .escalationTriggered, .incidentResolved: return true
        case .statusChanged:
            return ["mitigated", "resolved", "abandoned"].contains(event.payload["to"]?.stringValue ?? "")
        default: return false
        }
    }

    /// Appends an anchor to the log for the last committed event of each incident in `events` when any of that
    /// incident's events is anchoring. Called after the commit: a failure is reported to `anchorLogFailure` and
    /// never undoes the event.
    func anchor(_ events: [RecordedEvent]) {
        guard let log = anchorLog else { return }
        var last: [Int64: RecordedEvent] = [:]
        var anchoring: [Int64: String] = [:]
        for event in events {
            if last[event.incidentID].map({ $0.sequence < event.sequence }) ?? true { last[event.incidentID] = event }
            if Self.isAnchoring(event) { anchoring[event.incidentID] = event.type.rawValue }
        }
        for (incidentID, type) in anchoring.sorted(by: { $0.key < $1.key }) {
            guard let head = last[incidentID] else { continue }
            let anchor = ChainAnchor(
                incidentID: incidentID, head: ChainHead(sequence: head.sequence, hash: head.hash),
                time: head.timestamp, eventType: type, source: log.path)
            do {
                try log.append(anchor)
            } catch {
                anchorLogFailure?(error as? AnchorLogError ?? .cannotWrite(path: log.path, reason: "\(error)"))
            }
        }
    }
}

import Foundation

/// What every `EscalationStore` backend does around its SQL: folding an incident's stored rows into the engine's
/// `EscalationState`, and turning an `EscalationOutcome` into the events and outbox rows to insert. The SQLite and
/// PostgreSQL stores both call these, so the two only differ in SQL.
public enum StoredEscalation {
    /// The incident row's columns the escalation state is built from.
    public struct IncidentColumns: Sendable {
        public var title: String
        public var runbook: String
        public var severity: String
        public var status: String
        public var isDrill: Bool
        public var declaredAtMilliseconds: Int64
        public var acknowledgedAtMilliseconds: Int64?
        public var policySnapshot: String?
        public var incidentKey: String?

        /// The columns as read.
        public init(
            title: String, runbook: String, severity: String, status: String, isDrill: Bool,
            declaredAtMilliseconds: Int64, acknowledgedAtMilliseconds: Int64?, policySnapshot: String?,
            incidentKey: String?
        ) {
            self.title = title
            self.runbook = runbook
            self.severity = severity
            self.status = status
            self.isDrill = isDrill
            self.declaredAtMilliseconds = declaredAtMilliseconds
            self.acknowledgedAtMilliseconds = acknowledgedAtMilliseconds
            self.policySnapshot = policySnapshot
            self.incidentKey = incidentKey
        }
    }

    /// The event types `state` folds (the only ones a backend needs to read for it).
    public static let foldedEventTypes: [EventType] = [
        .ackReceived, .escalationTriggered, .escalationFinished, .severityChanged,
    ]

    /// Rebuilds the engine's view of an incident from its row, its newest timer and its `foldedEventTypes` events
    /// in sequence order. `store` names the database for the snapshot cache (a path, a URL and schema).
    public static func state(
        incidentID: Int64, store: String, columns: IncidentColumns, newestTimer: EscalationTimer?,
        events: [(type: String, payload: String)]
    ) -> EscalationState {
        let snapshot = SnapshotCache.shared.snapshot(
            incidentID: incidentID, store: store, text: columns.policySnapshot)
        var state = EscalationState(
            incidentID: incidentID, title: columns.title, runbook: columns.runbook, isDrill: columns.isDrill,
            severity: Severity(parsing: columns.severity) ?? .p3, snapshot: snapshot,
            declaredAt: date(columns.declaredAtMilliseconds),
            isResolved: columns.status == "resolved" || columns.status == "abandoned",
            incidentKey: columns.incidentKey)
        state.timer = newestTimer
        for event in events {
            let payload = (try? JSONValue(parsing: event.payload)) ?? [:]
            switch EventType(rawValue: event.type) {
            case .ackReceived:
                if state.acknowledgedBy == nil { state.acknowledgedBy = payload["by"]?.stringValue ?? "someone" }
            case .escalationTriggered:
                if payload["reason"]?.stringValue == "response_timeout" { state.escalationCount += 1 }
                if case .array(let targets)? = payload["targets"] {
                    let known = Set(state.paged.map(\.identity))
                    for target in targets.compactMap(Self.target(from:)) where !known.contains(target.identity) {
                        state.paged.append(target)
                    }
                }
            case .escalationFinished: state.isFinished = true
            case .severityChanged: state.isFinished = false
            default: break
            }
        }
        if columns.acknowledgedAtMilliseconds != nil, state.acknowledgedBy == nil { state.acknowledgedBy = "someone" }
        return state
    }

    /// The outcome's events as they are inserted: `extraPayload` added where the event has no such member, then
    /// redacted by `redact` (the store's redactor).
    public static func eventDrafts(
        _ outcome: EscalationOutcome, extraPayload: [String: JSONValue], redact: (JSONValue) -> JSONValue
    ) -> [EventDraft] {
        outcome.events.map { draft in
            var draft = draft
            if case .object(var members) = draft.payload {
                for (key, value) in extraPayload where members[key] == nil { members[key] = value }
                draft.payload = .object(members)
            }
            draft.payload = redact(draft.payload)
            return draft
        }
    }

    /// One outbox row to insert.
    public struct OutboxRow: Sendable, Hashable {
        public var channel: String
        public var kind: String
        /// The channel-neutral notification as JSON.
        public var payload: String
        /// When it is first due, and its creation time (wall clock, milliseconds).
        public var queuedMilliseconds: Int64
    }

    /// The outbox rows of the outcome's notifications, one per notification and channel, each carrying the chain
    /// head as the transaction leaves it (a copy outside the database). Delivery runs on the real clock, whatever
    /// the incident's clock: a drill's rows are due when the notification was stamped (real time, by the
    /// scheduler), not at a drill-clock instant in the real future; `milliseconds` is the fallback.
    public static func outboxRows(
        _ outcome: EscalationOutcome, chainHead: ChainHead?, channels: EscalationChannels, milliseconds: Int64
    ) -> [OutboxRow] {
        // The payload is built from the incident row, the snapshot and names, all stored redacted already.
        let queued = outcome.notifications.first.map { Self.milliseconds($0.occurredAt) } ?? milliseconds
        var rows: [OutboxRow] = []
        for var notification in outcome.notifications {
            notification.chainHead = chainHead
            let payload = String(decoding: notification.jsonData(), as: UTF8.self)
            for channel in channels.channels(for: notification) {
                rows.append(
                    OutboxRow(
                        channel: channel, kind: notification.kind.rawValue, payload: payload,
                        queuedMilliseconds: queued))
            }
        }
        return rows
    }

    private static func target(from json: JSONValue) -> EscalationTarget? {
        guard let name = json["name"]?.stringValue else { return nil }
        return EscalationTarget(
            name: name, role: json["role"]?.stringValue, contact: json["contact"]?.stringValue,
            availability: json["availability"]?.stringValue)
    }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
}

/// What recording one delivery attempt writes: the outbox row's new columns and the `notification.sent` /
/// `notification.failed` event (its payload redacted by the caller's store).
public struct DeliveryRecord: Sendable {
    public var attempt: Int
    public var status: OutboxEntry.Status
    /// The row's next attempt: the retry's, or the attempt's own time when final.
    public var nextAttemptMilliseconds: Int64
    /// The error as stored, unredacted (the store redacts it).
    public var error: String?
    public var event: EventDraft

    /// A failure with a `nextAttempt` goes back to pending; without one it is final, and `giveUpReason` says why.
    public init(
        _ entry: OutboxEntry, result: DeliveryResult, nextAttempt: Date?, giveUpReason: String?, at time: Date
    ) {
        attempt = entry.attempts + 1
        var payload: [String: JSONValue] = [
            "channel": .string(entry.channel), "kind": .string(entry.notification.kind.rawValue),
            "attempt": .int(Int64(attempt)), "outbox_id": .int(entry.id),
        ]
        let type: EventType
        switch result {
        case .sent(let detail):
            type = .notificationSent
            status = .sent
            payload["detail"] = .string(detail)
        case .retryable(let message, _), .permanent(let message):
            type = .notificationFailed
            error = message
            payload["error"] = .string(message)
            if case .retryable(_, let retryAfter?) = result { payload["retry_after_s"] = .double(retryAfter) }
            if let nextAttempt {
                status = .pending
                payload["will_retry"] = true
                payload["next_attempt_ms"] = .int(StoredEscalation.milliseconds(nextAttempt))
            } else {
                status = .failed
                payload["will_retry"] = false
                payload["gave_up"] = true
                payload["gave_up_reason"] = .string(giveUpReason ?? "the failure is permanent")
            }
        }
        nextAttemptMilliseconds = StoredEscalation.milliseconds(nextAttempt ?? time)
        event = EventDraft(type, payload: .object(payload))
    }
}

/// Parsed policy snapshots by database and incident: a snapshot never changes once declared, and parsing it on
/// every firing is the largest part of loading an incident's state.
private final class SnapshotCache: @unchecked Sendable {
    static let shared = SnapshotCache()
    private let lock = NSLock()
    private var entries: [String: (text: String?, snapshot: EscalationSnapshot)] = [:]

    func snapshot(incidentID: Int64, store: String, text: String?) -> EscalationSnapshot {
        let key = "\(store)#\(incidentID)"
        if let entry = lock.withLock({ entries[key] }), entry.text == text { return entry.snapshot }
        let snapshot =
            text.flatMap { try? JSONValue(parsing: $0) }.flatMap(EscalationSnapshot.init(json:))
            ?? EscalationSnapshot(rules: [])
        lock.withLock { entries[key] = (text, snapshot) }
        return snapshot
    }
}

import Foundation
import GRDB

/// Thrown inside a transaction to abandon it when a timer to close is no longer pending.
private struct StaleTimer: Error {}

extension SQLiteTranscriptStore: EscalationStore {
    public func declareIncident(
        _ declaration: IncidentDeclaration, actor: String, at time: Date, channels: EscalationChannels,
        arm: (EscalationState) -> EscalationOutcome
    ) throws -> (Incident, RecordedEvent, EscalationCommit?) {
        let milliseconds = Self.milliseconds(time)
        let declared = try write { db -> (Incident, RecordedEvent, EscalationCommit?) in
            let (incident, event) = try self.insertIncident(db, declaration, actor: actor, milliseconds: milliseconds)
            guard let state = try self.loadEscalationState(db, incidentID: incident.id) else {
                return (incident, event, nil)
            }
            let outcome = arm(state)
            let commit = try self.apply(
                db, outcome, incidentID: incident.id, actor: actor, milliseconds: milliseconds, channels: channels,
                extraPayload: [:])
            return (incident, event, commit)
        }
        anchor([declared.1] + (declared.2?.events ?? []))
        return declared
    }

    public func updateEscalation(
        incidentID: Int64, actor: String, at time: Date, channels: EscalationChannels,
        extraPayload: [String: JSONValue], decide: (EscalationState) throws -> EscalationOutcome?
    ) throws -> EscalationCommit? {
        let milliseconds = Self.milliseconds(time)
        do {
            let commit = try write { db -> EscalationCommit? in
                guard let state = try self.loadEscalationState(db, incidentID: incidentID) else {
                    throw TranscriptError.unknownIncident(id: incidentID, path: self.path)
                }
                guard let outcome = try decide(state) else { return nil }
                return try self.apply(
                    db, outcome, incidentID: incidentID, actor: actor, milliseconds: milliseconds, channels: channels,
                    extraPayload: extraPayload)
            }
            anchor(commit?.events ?? [])
            return commit
        } catch is StaleTimer {
            return nil
        }
    }

    public func updateEscalations(
        incidentIDs: [Int64], actor: String, at time: Date, channels: EscalationChannels,
        extraPayload: [String: JSONValue], decide: (EscalationState) throws -> EscalationOutcome?
    ) throws -> [EscalationCommit] {
        guard !incidentIDs.isEmpty else { return [] }
        let milliseconds = Self.milliseconds(time)
        do {
            let commits = try write { db -> [EscalationCommit] in
                var commits: [EscalationCommit] = []
                for incidentID in incidentIDs {
                    guard let state = try self.loadEscalationState(db, incidentID: incidentID),
                        let outcome = try decide(state)
                    else { continue }
                    // Decided on state read under this transaction's write lock, so no close can be stale here;
                    // if one were, `StaleTimer` abandons the whole batch and nothing is committed.
                    commits.append(
                        try self.apply(
                            db, outcome, incidentID: incidentID, actor: actor, milliseconds: milliseconds,
                            channels: channels, extraPayload: extraPayload))
                }
                return commits
            }
            anchor(commits.flatMap(\.events))
            return commits
        } catch is StaleTimer {
            return []
        }
    }

    public func escalationState(incidentID: Int64) throws -> EscalationState? {
        try read { db in try self.loadEscalationState(db, incidentID: incidentID) }
    }

    public func timers(incidentID: Int64) throws -> [EscalationTimer] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM timers WHERE incident = ? ORDER BY generation", arguments: [incidentID]
            ).map(Self.timer(from:))
        }
    }

    public func pendingTimers(dueByRealTime dueBy: Date) throws -> [EscalationTimer] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM timers WHERE status = 'pending' AND due_real_ms <= ?
                    ORDER BY due_real_ms, incident
                    """,
                arguments: [Self.milliseconds(dueBy)]
            ).map(Self.timer(from:))
        }
    }

    public func nextTimerDue() throws -> Date? {
        try read { db in
            try Int64.fetchOne(db, sql: "SELECT min(due_real_ms) FROM timers WHERE status = 'pending'").map(Self.date)
        }
    }

    public func incidentClock(incidentID: Int64) throws -> IncidentClock? {
        try read { db in
            try Row.fetchOne(
                db, sql: "SELECT clock_speed, clock_origin_ms FROM incidents WHERE id = ?", arguments: [incidentID]
            ).map { row in
                let origin: Int64? = row["clock_origin_ms"]
                return IncidentClock(speed: row["clock_speed"], origin: origin.map(Self.date))
            }
        }
    }

    public func pendingTimers(dueBy: Date?, incidentID: Int64?) throws -> [EscalationTimer] {
        var sql = "SELECT * FROM timers WHERE status = 'pending'"
        var arguments: StatementArguments = []
        if let dueBy {
            sql += " AND deadline_ms <= ?"
            arguments += [Self.milliseconds(dueBy)]
        }
        if let incidentID {
            sql += " AND incident = ?"
            arguments += [incidentID]
        }
        sql += " ORDER BY deadline_ms, incident"
        return try read { db in try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.timer(from:)) }
    }

    /// Rows of `o` with no older row of the same incident and channel still to deliver (see `claimOutbox`).
    private static let eligibleOutboxRow = """
        o.status = 'pending' AND NOT EXISTS (
            SELECT 1 FROM notification_outbox AS e
            WHERE e.incident = o.incident AND e.channel = o.channel AND e.id < o.id
                AND e.status IN ('pending', 'sending'))
        """

    public func claimOutbox(now: Date, limit: (_ channel: String) -> Int) throws -> [OutboxEntry] {
        let nowMilliseconds = Self.milliseconds(now)
        return try write { db in
            let channels = try String.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT channel FROM notification_outbox
                    WHERE status IN ('pending', 'sending') AND next_attempt_ms <= ? AND status = 'pending'
                    """,
                arguments: [nowMilliseconds])
            var claimed: [OutboxEntry] = []
            for channel in channels.sorted() {
                let count = limit(channel)
                guard count > 0 else { continue }
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT o.* FROM notification_outbox AS o
                        WHERE o.channel = ? AND o.next_attempt_ms <= ? AND \(Self.eligibleOutboxRow)
                        ORDER BY o.next_attempt_ms, o.id LIMIT ?
                        """,
                    arguments: [channel, nowMilliseconds, count])
                for row in rows {
                    try db.execute(
                        sql: "UPDATE notification_outbox SET status = 'sending' WHERE id = ?",
                        arguments: [row["id"] as Int64])
                    var entry = try Self.outboxEntry(from: row)
                    entry.status = .sending
                    claimed.append(entry)
                }
            }
            return claimed.sorted { ($0.nextAttempt, $0.id) < ($1.nextAttempt, $1.id) }
        }
    }

    public func nextOutboxAttempt() throws -> Date? {
        try read { db in
            try Int64.fetchOne(
                db,
                sql: """
                    SELECT min(o.next_attempt_ms) FROM notification_outbox AS o
                    WHERE o.status IN ('pending', 'sending') AND \(Self.eligibleOutboxRow)
                    """
            ).map(Self.date)
        }
    }

    public func recordDelivery(
        _ entry: OutboxEntry, result: DeliveryResult, nextAttempt: Date?, giveUpReason: String?, actor: String,
        at time: Date
    ) throws -> RecordedEvent {
        let milliseconds = Self.milliseconds(time)
        let attempt = entry.attempts + 1
        var payload: [String: JSONValue] = [
            "channel": .string(entry.channel), "kind": .string(entry.notification.kind.rawValue),
            "attempt": .int(Int64(attempt)), "outbox_id": .int(entry.id),
        ]
        let type: EventType
        let status: OutboxEntry.Status
        var error: String?
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
                payload["next_attempt_ms"] = .int(Self.milliseconds(nextAttempt))
            } else {
                status = .failed
                payload["will_retry"] = false
                payload["gave_up"] = true
                payload["gave_up_reason"] = .string(giveUpReason ?? "the failure is permanent")
            }
        }
        let draft = EventDraft(type, payload: redact(JSONValue.object(payload)))
        return try write { db in
            try db.execute(
                sql: """
                    UPDATE notification_outbox SET status = ?, attempts = ?, next_attempt_ms = ?, last_error = ?
                    WHERE id = ?
                    """,
                arguments: [
                    status.rawValue, attempt, nextAttempt.map(Self.milliseconds) ?? milliseconds,
                    error.map { self.redactor?.redact($0) ?? $0 }, entry.id,
                ])
            // The event goes on the incident's time line: a drill's on its drill clock, like its other events.
            let eventMilliseconds =
                try Int64.fetchOne(
                    db,
                    sql: """
                        SELECT CASE WHEN clock_origin_ms IS NULL OR clock_speed = 1 THEN :now
                            ELSE clock_origin_ms + CAST((:now - clock_origin_ms) * clock_speed AS INTEGER) END
                        FROM incidents WHERE id = :incident
                        """, arguments: ["now": milliseconds, "incident": entry.incidentID]) ?? milliseconds
            return try self.insertEvent(
                db, draft, incidentID: entry.incidentID, actor: actor, milliseconds: eventMilliseconds)
        }
    }

    public func outbox(incidentID: Int64) throws -> [OutboxEntry] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM notification_outbox WHERE incident = ? ORDER BY id", arguments: [incidentID]
            ).map(Self.outboxEntry(from:))
        }
    }

    // MARK: - Inside transactions

    /// Applies timer writes, then events, then outbox rows; a stale `.close` throws `StaleTimer`.
    private func apply(
        _ db: Database, _ outcome: EscalationOutcome, incidentID: Int64, actor: String, milliseconds: Int64,
        channels: EscalationChannels, extraPayload: [String: JSONValue]
    ) throws -> EscalationCommit {
        for write in outcome.timerWrites {
            switch write {
            case .close(let generation, let status):
                try db.execute(
                    sql: """
                        UPDATE timers SET status = ?, closed_ms = ?
                        WHERE incident = ? AND generation = ? AND status = 'pending'
                        """,
                    arguments: [status.rawValue, milliseconds, incidentID, generation])
                if db.changesCount != 1 { throw StaleTimer() }
            case .arm(let timer):
                // The deadline is on the incident clock; `due_real_ms` maps it to the wall clock through the
                // incident's clock (a drill's runs faster), which is what the escalator waits for.
                try db.execute(
                    sql: """
                        INSERT INTO timers (incident, kind, deadline_ms, generation, repeat, status, created_ms,
                            due_real_ms)
                        SELECT :incident, :kind, :deadline, :generation, :repeat, 'pending', :created,
                            CASE WHEN clock_origin_ms IS NULL OR clock_speed = 1 THEN :deadline
                            ELSE clock_origin_ms + CAST((:deadline - clock_origin_ms) / clock_speed AS INTEGER) END
                        FROM incidents WHERE id = :incident
                        """,
                    arguments: [
                        "incident": incidentID, "kind": timer.kind.rawValue, "deadline": timer.deadlineMilliseconds,
                        "generation": timer.generation, "repeat": timer.repeat, "created": milliseconds,
                    ])
            }
        }
        var events: [RecordedEvent] = []
        for draft in outcome.events {
            var draft = draft
            if case .object(var members) = draft.payload {
                for (key, value) in extraPayload where members[key] == nil { members[key] = value }
                draft.payload = .object(members)
            }
            draft.payload = redact(draft.payload)
            events.append(try insertEvent(db, draft, incidentID: incidentID, actor: actor, milliseconds: milliseconds))
        }
        var outboxIDs: [Int64] = []
        let causeSequence = events.last?.sequence
        // The payload is built from the incident row, the snapshot and names, all stored redacted already.
        // Delivery runs on the real clock, whatever the incident's clock: a drill's rows are due when the
        // notification was stamped (real time, by the scheduler), not at a drill-clock instant in the real future.
        let queuedMilliseconds = outcome.notifications.first.map { Self.milliseconds($0.occurredAt) } ?? milliseconds
        // Each notification carries the chain head as this transaction leaves it: a copy outside the database.
        let head = try Self.chainHead(db, incidentID: incidentID)
        for var notification in outcome.notifications {
            notification.chainHead = head
            let payload = String(decoding: notification.jsonData(), as: UTF8.self)
            for channel in channels.channels(for: notification) {
                try db.execute(
                    sql: """
                        INSERT INTO notification_outbox (incident, channel, kind, payload, attempts, next_attempt_ms,
                            status, created_ms, event_seq)
                        VALUES (?, ?, ?, ?, 0, ?, 'pending', ?, ?)
                        """,
                    arguments: [
                        incidentID, channel, notification.kind.rawValue, payload,
                        queuedMilliseconds, queuedMilliseconds, causeSequence,
                    ])
                outboxIDs.append(db.lastInsertedRowID)
            }
        }
        return EscalationCommit(incidentID: incidentID, outcome: outcome, events: events, outboxIDs: outboxIDs)
    }

    /// Rebuilds the engine's view of an incident from its row, its events and its newest timer.
    func loadEscalationState(_ db: Database, incidentID: Int64) throws -> EscalationState? {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT title, runbook, severity, status, is_drill, declared_at_ms, acknowledged_at_ms,
                        policy_snapshot, incident_key
                    FROM incidents WHERE id = ?
                    """,
                arguments: [incidentID])
        else { return nil }
        let snapshot = SnapshotCache.shared.snapshot(incidentID: incidentID, path: path, text: row["policy_snapshot"])
        let status: String = row["status"]
        var state = EscalationState(
            incidentID: incidentID, title: row["title"], runbook: row["runbook"], isDrill: row["is_drill"],
            severity: Severity(parsing: row["severity"]) ?? .p3, snapshot: snapshot,
            declaredAt: Self.date(row["declared_at_ms"]), isResolved: status == "resolved" || status == "abandoned",
            incidentKey: row["incident_key"])
        state.timer = try Row.fetchOne(
            db, sql: "SELECT * FROM timers WHERE incident = ? ORDER BY generation DESC LIMIT 1", arguments: [incidentID]
        ).map(Self.timer(from:))
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT type, payload FROM events WHERE incident = ? AND type IN (?, ?, ?, ?) ORDER BY seq
                """,
            arguments: [
                incidentID, EventType.ackReceived.rawValue, EventType.escalationTriggered.rawValue,
                EventType.escalationFinished.rawValue, EventType.severityChanged.rawValue,
            ])
        for row in rows {
            let payload = (try? JSONValue(parsing: row["payload"] as String)) ?? [:]
            switch EventType(rawValue: row["type"]) {
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
        if (row["acknowledged_at_ms"] as Int64?) != nil, state.acknowledgedBy == nil {
            state.acknowledgedBy = "someone"
        }
        return state
    }

    private static func target(from json: JSONValue) -> EscalationTarget? {
        guard let name = json["name"]?.stringValue else { return nil }
        return EscalationTarget(
            name: name, role: json["role"]?.stringValue, contact: json["contact"]?.stringValue,
            availability: json["availability"]?.stringValue)
    }

    static func timer(from row: Row) -> EscalationTimer {
        EscalationTimer(
            incidentID: row["incident"], kind: EscalationTimer.Kind(rawValue: row["kind"]) ?? .response,
            deadline: date(row["deadline_ms"]), generation: row["generation"], repeat: row["repeat"],
            status: EscalationTimer.Status(rawValue: row["status"]) ?? .pending,
            dueReal: (row["due_real_ms"] as Int64?).map(date))
    }

    static func outboxEntry(from row: Row) throws -> OutboxEntry {
        OutboxEntry(
            id: row["id"], incidentID: row["incident"], channel: row["channel"],
            notification: try EscalationNotification(jsonData: Data((row["payload"] as String).utf8)),
            attempts: row["attempts"], nextAttempt: date(row["next_attempt_ms"]),
            status: OutboxEntry.Status(rawValue: row["status"]) ?? .pending, lastError: row["last_error"])
    }
}

/// Parsed policy snapshots by database and incident: a snapshot never changes once declared, and parsing it on
/// every firing is the largest part of loading an incident's state.
private final class SnapshotCache: @unchecked Sendable {
    static let shared = SnapshotCache()
    private let lock = NSLock()
    private var entries: [String: (text: String?, snapshot: EscalationSnapshot)] = [:]

    func snapshot(incidentID: Int64, path: String, text: String?) -> EscalationSnapshot {
        let key = "\(path)#\(incidentID)"
        if let entry = lock.withLock({ entries[key] }), entry.text == text { return entry.snapshot }
        let snapshot =
            text.flatMap { try? JSONValue(parsing: $0) }.flatMap(EscalationSnapshot.init(json:))
            ?? EscalationSnapshot(rules: [])
        lock.withLock { entries[key] = (text, snapshot) }
        return snapshot
    }
}

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
        let record = DeliveryRecord(
            entry, result: result, nextAttempt: nextAttempt, giveUpReason: giveUpReason, at: time)
        let draft = EventDraft(record.event.type, payload: redact(record.event.payload))
        return try write { db in
            try db.execute(
                sql: """
                    UPDATE notification_outbox SET status = ?, attempts = ?, next_attempt_ms = ?, last_error = ?
                    WHERE id = ?
                    """,
                arguments: [
                    record.status.rawValue, record.attempt, record.nextAttemptMilliseconds,
                    record.error.map { self.redactor?.redact($0) ?? $0 }, entry.id,
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
        for draft in StoredEscalation.eventDrafts(outcome, extraPayload: extraPayload, redact: redact) {
            events.append(try insertEvent(db, draft, incidentID: incidentID, actor: actor, milliseconds: milliseconds))
        }
        var outboxIDs: [Int64] = []
        let causeSequence = events.last?.sequence
        let rows = StoredEscalation.outboxRows(
            outcome, chainHead: try Self.chainHead(db, incidentID: incidentID), channels: channels,
            milliseconds: milliseconds)
        for row in rows {
            try db.execute(
                sql: """
                    INSERT INTO notification_outbox (incident, channel, kind, payload, attempts, next_attempt_ms,
                        status, created_ms, event_seq)
                    VALUES (?, ?, ?, ?, 0, ?, 'pending', ?, ?)
                    """,
                arguments: [
                    incidentID, row.channel, row.kind, row.payload, row.queuedMilliseconds, row.queuedMilliseconds,
                    causeSequence,
                ])
            outboxIDs.append(db.lastInsertedRowID)
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
        let newestTimer = try Row.fetchOne(
            db, sql: "SELECT * FROM timers WHERE incident = ? ORDER BY generation DESC LIMIT 1", arguments: [incidentID]
        ).map(Self.timer(from:))
        let types = StoredEscalation.foldedEventTypes.map(\.rawValue)
        let events = try Row.fetchAll(
            db,
            sql: """
                SELECT type, payload FROM events WHERE incident = ? AND type IN (?, ?, ?, ?) ORDER BY seq
                """,
            arguments: StatementArguments([incidentID] + types.map { $0 as any DatabaseValueConvertible })
        ).map { (type: $0["type"] as String, payload: $0["payload"] as String) }
        let columns = StoredEscalation.IncidentColumns(
            title: row["title"], runbook: row["runbook"], severity: row["severity"], status: row["status"],
            isDrill: row["is_drill"], declaredAtMilliseconds: row["declared_at_ms"],
            acknowledgedAtMilliseconds: row["acknowledged_at_ms"], policySnapshot: row["policy_snapshot"],
            incidentKey: row["incident_key"])
        return StoredEscalation.state(
            incidentID: incidentID, store: path, columns: columns, newestTimer: newestTimer, events: events)
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

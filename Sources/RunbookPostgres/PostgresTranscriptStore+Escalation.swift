import Foundation
import PostgresNIO
import RunbookKit

/// Thrown inside a transaction (or a savepoint of one) to abandon it when a timer to close is no longer pending.
private struct StaleTimer: Error {}

/// The escalation tables on PostgreSQL: the SQLite store's `EscalationStore` with the same rules, in SQL of this
/// dialect. Deciding and folding state are shared (`StoredEscalation`, `DeliveryRecord`); what SQLite got from its
/// single writer, each write here gets from row locks: the incident's row (`FOR UPDATE`) before its state is read,
/// so two escalators (or an escalator and a responder's `ack`) deciding on one incident queue, and the second
/// decides on what the first committed.
extension PostgresTranscriptStore: EscalationStore {
    public func declareIncident(
        _ declaration: IncidentDeclaration, actor: String, at time: Date, channels: EscalationChannels,
        arm: (EscalationState) -> EscalationOutcome
    ) throws -> (Incident, RecordedEvent, EscalationCommit?) {
        let milliseconds = Self.milliseconds(time)
        return try transaction(committed: { try self.declarationCommitted($0.0) }) {
            let (incident, event) = try insertIncident(declaration, actor: actor, milliseconds: milliseconds)
            guard let state = try loadEscalationState(incidentID: incident.id, locking: true) else {
                return (incident, event, nil)
            }
            let commit = try apply(
                arm(state), incidentID: incident.id, actor: actor, milliseconds: milliseconds, channels: channels,
                extraPayload: [:])
            return (incident, event, commit)
        }
    }

    public func updateEscalation(
        incidentID: Int64, actor: String, at time: Date, channels: EscalationChannels,
        extraPayload: [String: JSONValue], decide: (EscalationState) throws -> EscalationOutcome?
    ) throws -> EscalationCommit? {
        let milliseconds = Self.milliseconds(time)
        do {
            return try transaction {
                guard let state = try loadEscalationState(incidentID: incidentID, locking: true) else {
                    throw TranscriptError.unknownIncident(id: incidentID, path: location.description)
                }
                guard let outcome = try decide(state) else { return nil }
                return try apply(
                    outcome, incidentID: incidentID, actor: actor, milliseconds: milliseconds, channels: channels,
                    extraPayload: extraPayload)
            }
        } catch is StaleTimer {
            return nil
        }
    }

    /// Locks every incident's row first, in id order (two batches never wait for each other in a cycle), then
    /// decides each on its own state; a stale close rolls back to that incident's savepoint and skips it.
    public func updateEscalations(
        incidentIDs: [Int64], actor: String, at time: Date, channels: EscalationChannels,
        extraPayload: [String: JSONValue], decide: (EscalationState) throws -> EscalationOutcome?
    ) throws -> [EscalationCommit] {
        guard !incidentIDs.isEmpty else { return [] }
        let milliseconds = Self.milliseconds(time)
        return try transaction {
            try query("SELECT id FROM incidents WHERE id = ANY(\(incidentIDs)) ORDER BY id FOR UPDATE")
            var commits: [EscalationCommit] = []
            for incidentID in incidentIDs {
                guard let state = try loadEscalationState(incidentID: incidentID, locking: false),
                    let outcome = try decide(state)
                else { continue }
                try query("SAVEPOINT escalation")
                do {
                    commits.append(
                        try apply(
                            outcome, incidentID: incidentID, actor: actor, milliseconds: milliseconds,
                            channels: channels, extraPayload: extraPayload))
                    try query("RELEASE SAVEPOINT escalation")
                } catch is StaleTimer {
                    try query("ROLLBACK TO SAVEPOINT escalation")
                }
            }
            return commits
        }
    }

    public func escalationState(incidentID: Int64) throws -> EscalationState? {
        try snapshot { try loadEscalationState(incidentID: incidentID, locking: false) }
    }

    public func timers(incidentID: Int64) throws -> [EscalationTimer] {
        try reading {
            try query(
                "SELECT \(unescaped: Self.timerColumns) FROM timers WHERE incident = \(incidentID) ORDER BY generation"
            ).map(Self.timer(from:))
        }
    }

    public func pendingTimers(dueBy: Date?, incidentID: Int64?) throws -> [EscalationTimer] {
        let dueMilliseconds = dueBy.map(Self.milliseconds)
        return try reading {
            try query(
                """
                SELECT \(unescaped: Self.timerColumns) FROM timers
                WHERE status = 'pending' AND (\(dueMilliseconds)::bigint IS NULL OR deadline_ms <= \(dueMilliseconds))
                    AND (\(incidentID)::bigint IS NULL OR incident = \(incidentID))
                ORDER BY deadline_ms, incident
                """
            ).map(Self.timer(from:))
        }
    }

    public func pendingTimers(dueByRealTime dueBy: Date) throws -> [EscalationTimer] {
        try reading {
            try query(
                """
                SELECT \(unescaped: Self.timerColumns) FROM timers
                WHERE status = 'pending' AND due_real_ms <= \(Self.milliseconds(dueBy))
                ORDER BY due_real_ms, incident
                """
            ).map(Self.timer(from:))
        }
    }

    public func nextTimerDue() throws -> Date? {
        try reading {
            try query("SELECT min(due_real_ms) FROM timers WHERE status = 'pending'").first?.decode(Int64?.self)
                .map(Self.date)
        }
    }

    public func incidentClock(incidentID: Int64) throws -> IncidentClock? {
        try reading {
            try query("SELECT clock_speed, clock_origin_ms FROM incidents WHERE id = \(incidentID)").first.map {
                let (speed, origin) = try $0.decode((Double, Int64?).self)
                return IncidentClock(speed: speed, origin: origin.map(Self.date))
            }
        }
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
        return try transaction {
            let channels = try query(
                """
                SELECT DISTINCT channel FROM notification_outbox
                WHERE status = 'pending' AND next_attempt_ms <= \(nowMilliseconds)
                """
            ).map { try $0.decode(String.self) }
            var claimed: [OutboxEntry] = []
            for channel in channels.sorted() {
                let count = limit(channel)
                guard count > 0 else { continue }
                let rows = try query(
                    """
                    SELECT \(unescaped: Self.outboxColumns("o")) FROM notification_outbox AS o
                    WHERE o.channel = \(channel) AND o.next_attempt_ms <= \(nowMilliseconds)
                        AND \(unescaped: Self.eligibleOutboxRow)
                    ORDER BY o.next_attempt_ms, o.id LIMIT \(Int64(count))
                    FOR UPDATE OF o
                    """
                ).map(Self.outboxEntry(from:))
                guard !rows.isEmpty else { continue }
                try query("UPDATE notification_outbox SET status = 'sending' WHERE id = ANY(\(rows.map(\.id)))")
                for var entry in rows {
                    entry.status = .sending
                    claimed.append(entry)
                }
            }
            return claimed.sorted { ($0.nextAttempt, $0.id) < ($1.nextAttempt, $1.id) }
        }
    }

    public func nextOutboxAttempt() throws -> Date? {
        try reading {
            try query(
                """
                SELECT min(o.next_attempt_ms) FROM notification_outbox AS o
                WHERE o.status IN ('pending', 'sending') AND \(unescaped: Self.eligibleOutboxRow)
                """
            ).first?.decode(Int64?.self).map(Self.date)
        }
    }

    public func recordDelivery(
        _ entry: OutboxEntry, result: DeliveryResult, nextAttempt: Date?, giveUpReason: String?, actor: String,
        at time: Date
    ) throws -> RecordedEvent {
        let milliseconds = Self.milliseconds(time)
        let record = DeliveryRecord(
            entry, result: result, nextAttempt: nextAttempt, giveUpReason: giveUpReason, at: time)
        let draft = EventDraft(record.event.type, payload: redactedForStorage(record.event.payload))
        let error = record.error.map { redactor?.redact($0) ?? $0 }
        return try transaction {
            try query(
                """
                UPDATE notification_outbox SET status = \(record.status.rawValue), attempts = \(Int64(record.attempt)),
                    next_attempt_ms = \(record.nextAttemptMilliseconds), last_error = \(error)
                WHERE id = \(entry.id)
                """)
            // The event goes on the incident's time line: a drill's on its drill clock, like its other events.
            let eventMilliseconds =
                try query(
                    """
                    SELECT CASE WHEN clock_origin_ms IS NULL OR clock_speed = 1 THEN \(milliseconds)
                        ELSE clock_origin_ms + trunc((\(milliseconds) - clock_origin_ms) * clock_speed)::bigint END
                    FROM incidents WHERE id = \(entry.incidentID)
                    """
                ).first?.decode(Int64.self) ?? milliseconds
            return try insertEvent(draft, incidentID: entry.incidentID, actor: actor, milliseconds: eventMilliseconds)
        }
    }

    public func outbox(incidentID: Int64) throws -> [OutboxEntry] {
        try reading {
            try query(
                """
                SELECT \(unescaped: Self.outboxColumns("o")) FROM notification_outbox AS o
                WHERE o.incident = \(incidentID) ORDER BY o.id
                """
            ).map(Self.outboxEntry(from:))
        }
    }

    // MARK: - Inside transactions

    /// Applies timer writes, then events, then outbox rows; a stale `.close` throws `StaleTimer`.
    private func apply(
        _ outcome: EscalationOutcome, incidentID: Int64, actor: String, milliseconds: Int64,
        channels: EscalationChannels, extraPayload: [String: JSONValue]
    ) throws -> EscalationCommit {
        for write in outcome.timerWrites {
            switch write {
            case .close(let generation, let status):
                let closed = try query(
                    """
                    UPDATE timers SET status = \(status.rawValue), closed_ms = \(milliseconds)
                    WHERE incident = \(incidentID) AND generation = \(generation) AND status = 'pending'
                    RETURNING id
                    """)
                if closed.count != 1 { throw StaleTimer() }
            case .arm(let timer):
                // The deadline is on the incident clock; `due_real_ms` maps it to the wall clock through the
                // incident's clock (a drill's runs faster), which is what the escalator waits for.
                let deadline = timer.deadlineMilliseconds
                try query(
                    """
                    INSERT INTO timers (incident, kind, deadline_ms, generation, repeat, status, created_ms,
                        due_real_ms)
                    SELECT id, \(timer.kind.rawValue), \(deadline), \(timer.generation), \(Int64(timer.repeat)),
                        'pending', \(milliseconds),
                        CASE WHEN clock_origin_ms IS NULL OR clock_speed = 1 THEN \(deadline)
                        ELSE clock_origin_ms + trunc((\(deadline) - clock_origin_ms) / clock_speed)::bigint END
                    FROM incidents WHERE id = \(incidentID)
                    """)
            }
        }
        var events: [RecordedEvent] = []
        for draft in StoredEscalation.eventDrafts(outcome, extraPayload: extraPayload, redact: redactedForStorage) {
            events.append(try insertEvent(draft, incidentID: incidentID, actor: actor, milliseconds: milliseconds))
        }
        let head = try query(
            "SELECT seq, hash FROM events WHERE incident = \(incidentID) ORDER BY seq DESC LIMIT 1"
        ).first.map {
            let (sequence, hash) = try $0.decode((Int64, String).self)
            return ChainHead(sequence: sequence, hash: hash)
        }
        let causeSequence = events.last?.sequence
        var outboxIDs: [Int64] = []
        for row in StoredEscalation.outboxRows(outcome, chainHead: head, channels: channels, milliseconds: milliseconds)
        {
            let inserted = try query(
                """
                INSERT INTO notification_outbox (incident, channel, kind, payload, attempts, next_attempt_ms, status,
                    created_ms, event_seq)
                VALUES (\(incidentID), \(row.channel), \(row.kind), \(row.payload), 0, \(row.queuedMilliseconds),
                    'pending', \(row.queuedMilliseconds), \(causeSequence))
                RETURNING id
                """)
            outboxIDs.append(try inserted[0].decode(Int64.self))
        }
        return EscalationCommit(incidentID: incidentID, outcome: outcome, events: events, outboxIDs: outboxIDs)
    }

    /// Rebuilds the engine's view of an incident (`StoredEscalation.state`); with `locking`, the incident's row is
    /// locked for the rest of the transaction first.
    private func loadEscalationState(incidentID: Int64, locking: Bool) throws -> EscalationState? {
        guard
            let row = try query(
                """
                SELECT title, runbook, severity, status, is_drill, declared_at_ms, acknowledged_at_ms,
                    policy_snapshot, incident_key
                FROM incidents WHERE id = \(incidentID) \(unescaped: locking ? "FOR UPDATE" : "")
                """
            ).first
        else { return nil }
        let (title, runbook, severity, status, isDrill, declared, acknowledged, policy, key) = try row.decode(
            (String, String, String, String, Bool, Int64, Int64?, String?, String?).self)
        let newestTimer = try query(
            """
            SELECT \(unescaped: Self.timerColumns) FROM timers WHERE incident = \(incidentID)
            ORDER BY generation DESC LIMIT 1
            """
        ).first.map(Self.timer(from:))
        let types = StoredEscalation.foldedEventTypes.map(\.rawValue)
        let events = try query(
            "SELECT type, payload FROM events WHERE incident = \(incidentID) AND type = ANY(\(types)) ORDER BY seq"
        ).map { row in
            let (type, payload) = try row.decode((String, String).self)
            return (type: type, payload: payload)
        }
        return StoredEscalation.state(
            incidentID: incidentID, store: cacheName,
            columns: StoredEscalation.IncidentColumns(
                title: title, runbook: runbook, severity: severity, status: status, isDrill: isDrill,
                declaredAtMilliseconds: declared, acknowledgedAtMilliseconds: acknowledged, policySnapshot: policy,
                incidentKey: key),
            newestTimer: newestTimer, events: events)
    }

    /// The store as the snapshot cache names it: the server, database and schema.
    private var cacheName: String { location.description + " " + (location.options ?? "") }

    private static let timerColumns = "incident, kind, deadline_ms, generation, repeat, status, due_real_ms"

    private static func timer(from row: PostgresRow) throws -> EscalationTimer {
        let (incident, kind, deadline, generation, repeatCount, status, dueReal) = try row.decode(
            (Int64, String, Int64, Int64, Int64, String, Int64?).self)
        return EscalationTimer(
            incidentID: incident, kind: EscalationTimer.Kind(rawValue: kind) ?? .response, deadline: date(deadline),
            generation: generation, repeat: Int(repeatCount),
            status: EscalationTimer.Status(rawValue: status) ?? .pending, dueReal: dueReal.map(date))
    }

    private static func outboxColumns(_ table: String) -> String {
        ["id", "incident", "channel", "payload", "attempts", "next_attempt_ms", "status", "last_error"]
            .map { "\(table).\($0)" }.joined(separator: ", ")
    }

    private static func outboxEntry(from row: PostgresRow) throws -> OutboxEntry {
        let (id, incident, channel, payload, attempts, nextAttempt, status, lastError) = try row.decode(
            (Int64, Int64, String, String, Int64, Int64, String, String?).self)
        return OutboxEntry(
            id: id, incidentID: incident, channel: channel,
            notification: try EscalationNotification(jsonData: Data(payload.utf8)), attempts: Int(attempts),
            nextAttempt: date(nextAttempt), status: OutboxEntry.Status(rawValue: status) ?? .pending,
            lastError: lastError)
    }
}

import Foundation
import GRDB

extension SQLiteTranscriptStore {
    /// Creates the incident and its `incident.declared` event (sequence 1) in one transaction.
    public func declareIncident(_ declaration: IncidentDeclaration, actor: String, at time: Date) throws -> (
        Incident, RecordedEvent
    ) {
        let milliseconds = Self.milliseconds(time)
        let declared = try write { db in
            try self.insertIncident(db, declaration, actor: actor, milliseconds: milliseconds)
        }
        anchor([declared.1])
        return declared
    }

    /// Inserts the incident and its `incident.declared` event inside the caller's transaction (the escalation
    /// scheduler arms the response timer in the same one).
    func insertIncident(_ db: Database, _ declaration: IncidentDeclaration, actor: String, milliseconds: Int64)
        throws -> (Incident, RecordedEvent)
    {
        let record = RecordedDeclaration(declaration, redactingWith: self)
        do {
            try db.execute(
                sql: """
                    INSERT INTO incidents (title, runbook, environment, severity, status, is_drill, declared_at_ms,
                        host, user, policy_snapshot, incident_key, clock_speed, clock_origin_ms)
                    VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (incident_key) DO NOTHING
                    """,
                arguments: [
                    record.title, declaration.runbook, declaration.environment, declaration.severity.rawValue,
                    declaration.isDrill, milliseconds, declaration.host, declaration.user,
                    record.policy?.canonicalString, record.incidentKey, record.clockSpeed,
                    record.clockOriginMilliseconds,
                ])
            // The key is unique (`v6-incident-key-unique`): another process declared this key first.
            guard db.changesCount == 1 else { throw TranscriptError.duplicateIncidentKey(key: record.incidentKey) }
            let id = db.lastInsertedRowID
            let event = try self.insertEvent(
                db, EventDraft(.incidentDeclared, payload: record.payload), incidentID: id, actor: actor,
                milliseconds: milliseconds)
            guard let incident = try Self.fetchIncident(db, id: id) else {
                throw TranscriptError.unknownIncident(id: id, path: self.path)
            }
            return (incident, event)
        }
    }

    /// Appends one event and returns it once committed.
    public func append(_ draft: EventDraft, to incidentID: Int64, actor: String, at time: Date) throws
        -> RecordedEvent
    {
        var draft = draft
        draft.payload = redact(draft.payload)
        let milliseconds = Self.milliseconds(time)
        let event = try write { db in
            try self.insertEvent(db, draft, incidentID: incidentID, actor: actor, milliseconds: milliseconds)
        }
        anchor([event])
        return event
    }

    /// Appends several events in one transaction (imports, replays, benchmarks); all or none are committed.
    public func append(
        contentsOf drafts: [(draft: EventDraft, time: Date)], to incidentID: Int64, actor: String
    ) throws -> [RecordedEvent] {
        let prepared = drafts.map { item in
            (
                EventDraft(item.draft.type, stepID: item.draft.stepID, payload: redact(item.draft.payload)),
                Self.milliseconds(item.time)
            )
        }
        let events = try write { db in
            try prepared.map { draft, milliseconds in
                try self.insertEvent(db, draft, incidentID: incidentID, actor: actor, milliseconds: milliseconds)
            }
        }
        anchor(events)
        return events
    }

    /// Stores output chunks of the command whose `command.started` event has `commandSequence` as given (already
    /// redacted and limited by `TranscriptOutputWriter`), and indexes the ANSI-stripped text of its first `indexedOutputLimit` bytes for search, in one transaction.
    ///
    /// Chunks are stored deflated when that is smaller (`OutputCompression`); reads inflate them.
    public func appendOutput(_ chunks: [OutputChunk], incidentID: Int64, commandSequence: Int64) throws {
        guard !chunks.isEmpty else { return }
        let stored = chunks
        let encoded = stored.map { OutputCompression.encode($0.data) }
        try write { db in
            guard
                let command = try Row.fetchOne(
                    db, sql: "SELECT type, step_id, ts_ms FROM events WHERE incident = ? AND seq = ?",
                    arguments: [incidentID, commandSequence]),
                command["type"] as String == EventType.commandStarted.rawValue
            else {
                throw TranscriptError.notACommand(incidentID: incidentID, sequence: commandSequence)
            }
            // The primary key finds the last chunk without reading the others: a command that has written
            // a gigabyte does not make each new batch slower.
            let last = try Int64.fetchOne(
                db,
                sql: """
                    SELECT chunk_index FROM outputs WHERE incident = ? AND command_seq = ?
                    ORDER BY chunk_index DESC LIMIT 1
                    """,
                arguments: [incidentID, commandSequence])
            var index: Int64 = last.map { $0 + 1 } ?? 0
            let storedBefore = try last == nil ? 0 : Self.storedBytes(db, incidentID, commandSequence)
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO outputs (incident, command_seq, chunk_index, offset_ms, data, encoding, size)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """)
            for (chunk, form) in zip(stored, encoded) {
                try insert.execute(arguments: [
                    incidentID, commandSequence, index, Self.milliseconds(chunk.offset), form.bytes, form.encoding,
                    chunk.data.count,
                ])
                index += 1
            }
            if let text = SearchDocument.outputText(stored, storedBefore: storedBefore) {
                let startedAt: Int64 = command["ts_ms"]
                try Self.index(
                    db, incidentID: incidentID, sequence: commandSequence, kind: "output", stepID: command["step_id"],
                    milliseconds: startedAt + Self.milliseconds(stored.last!.offset), text: text)
            }
        }
    }

    /// The bytes of the command's output already stored, counted only as far as `indexedOutputLimit`: the
    /// rows are read in order and the count stops there, so a long command costs a bounded read per batch.
    private static func storedBytes(_ db: Database, _ incidentID: Int64, _ commandSequence: Int64) throws -> Int {
        let sizes = try Int.fetchCursor(
            db,
            sql: """
                SELECT CASE encoding WHEN 'raw' THEN length(data) ELSE size END FROM outputs
                WHERE incident = ? AND command_seq = ? ORDER BY chunk_index
                """,
            arguments: [incidentID, commandSequence])
        var total = 0
        while total < indexedOutputLimit, let size = try sizes.next() { total += size }
        return total
    }

    /// Bytes of each command's output that go into the search index (`SearchDocument.indexedOutputLimit`).
    public static let indexedOutputLimit = SearchDocument.indexedOutputLimit

    /// Inserts one event inside the caller's transaction: sequence, hash chain, incident columns, search.
    func insertEvent(_ db: Database, _ draft: EventDraft, incidentID: Int64, actor: String, milliseconds: Int64)
        throws -> RecordedEvent
    {
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM incidents WHERE id = ?", arguments: [incidentID]) != nil
        else {
            throw TranscriptError.unknownIncident(id: incidentID, path: path)
        }
        try applyToIncident(db, draft, incidentID: incidentID, milliseconds: milliseconds)
        let last = try Row.fetchOne(
            db, sql: "SELECT seq, hash FROM events WHERE incident = ? ORDER BY seq DESC LIMIT 1",
            arguments: [incidentID])
        let sequence: Int64 = (last?["seq"] ?? 0) + 1
        let previousHash: String = last?["hash"] ?? ""
        let payloadJSON = draft.payload.canonicalString
        let canonical = EventHash.canonicalEncoding(
            incidentID: incidentID, sequence: sequence, timestampMilliseconds: milliseconds, actor: actor,
            type: draft.type.rawValue, stepID: draft.stepID, payloadJSON: payloadJSON)
        let hash = EventHash.hash(previousHash: previousHash, canonical: canonical)
        try db.cachedStatement(
            sql: """
                INSERT INTO events (incident, seq, ts_ms, actor, type, step_id, payload, prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            incidentID, sequence, milliseconds, actor, draft.type.rawValue, draft.stepID, payloadJSON, previousHash,
            hash,
        ])
        if let document = SearchDocument.of(draft) {
            try Self.index(
                db, incidentID: incidentID, sequence: sequence, kind: document.kind.rawValue, stepID: draft.stepID,
                milliseconds: milliseconds, text: document.text)
        }
        return RecordedEvent(
            incidentID: incidentID, sequence: sequence, timestamp: Self.date(milliseconds), actor: actor,
            type: draft.type, stepID: draft.stepID, payload: draft.payload, previousHash: previousHash, hash: hash)
    }

    /// Keeps the incident row in step with the event that changes it.
    private func applyToIncident(_ db: Database, _ draft: EventDraft, incidentID: Int64, milliseconds: Int64) throws {
        switch try IncidentRowChange(draft) {
        case .severity(let severity):
            try db.execute(
                sql: "UPDATE incidents SET severity = ? WHERE id = ?", arguments: [severity.rawValue, incidentID])
        case .status(let status):
            try setStatus(db, status, incidentID: incidentID, milliseconds: milliseconds)
        case .acknowledged:
            try db.execute(
                sql: "UPDATE incidents SET acknowledged_at_ms = coalesce(acknowledged_at_ms, ?) WHERE id = ?",
                arguments: [milliseconds, incidentID])
        case nil: break
        }
    }

    private func setStatus(_ db: Database, _ status: IncidentStatus, incidentID: Int64, milliseconds: Int64) throws {
        try db.execute(
            sql: """
                UPDATE incidents SET status = :status,
                    mitigated_at_ms = CASE WHEN :status = 'mitigated' THEN coalesce(mitigated_at_ms, :ms)
                        ELSE mitigated_at_ms END,
                    resolved_at_ms = CASE WHEN :status IN ('resolved', 'abandoned') THEN coalesce(resolved_at_ms, :ms)
                        ELSE resolved_at_ms END
                WHERE id = :id
                """,
            arguments: ["status": status.rawValue, "ms": milliseconds, "id": incidentID])
    }

    static func index(
        _ db: Database, incidentID: Int64, sequence: Int64, kind: String, stepID: String?, milliseconds: Int64,
        text: String
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO search_documents (incident, seq, kind, step_id, ts_ms, text) VALUES (?, ?, ?, ?, ?, ?)
                """,
            arguments: [incidentID, sequence, kind, stepID, milliseconds, text])
        try db.execute(
            sql: "INSERT INTO search_index (rowid, text) VALUES (?, ?)", arguments: [db.lastInsertedRowID, text])
    }

    static func milliseconds(_ date: Date) -> Int64 { milliseconds(date.timeIntervalSince1970) }
    static func milliseconds(_ seconds: TimeInterval) -> Int64 { Int64((seconds * 1000).rounded()) }
    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
}

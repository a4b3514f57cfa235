import Foundation
import GRDB
import GRDBSQLite

extension SQLiteTranscriptStore {
    /// One incident, or `nil`.
    public func incident(_ id: Int64) throws -> Incident? {
        try read { db in try Self.fetchIncident(db, id: id) }
    }

    /// Incidents, newest first. `openOnly` keeps those still open or mitigated.
    public func incidents(openOnly: Bool, drillsOnly: Bool) throws -> [Incident] {
        var conditions: [String] = []
        if openOnly { conditions.append("status IN ('open', 'mitigated')") }
        if drillsOnly { conditions.append("is_drill = 1") }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM incidents \(filter) ORDER BY declared_at_ms DESC, id DESC")
                .map(Self.incident(from:))
        }
    }

    /// Every event of an incident in sequence order.
    public func events(incidentID: Int64) throws -> [RecordedEvent] {
        try events(incidentID: incidentID, after: 0)
    }

    /// The events of an incident after sequence `after`, in order (for resuming and tailing).
    ///
    /// Rows are read with a cursor and by column index, and each payload is parsed straight from SQLite's buffer:
    /// exports read every event of incidents with hundreds of thousands of them, and building intermediate rows
    /// and strings cost several times what SQLite needs to read them.
    public func events(incidentID: Int64, after sequence: Int64) throws -> [RecordedEvent] {
        try read { db in
            var events: [RecordedEvent] = []
            var types: [String: EventType] = [:]
            let statement = try db.makeStatement(
                sql: """
                    SELECT seq, ts_ms, actor, type, step_id, payload, prev_hash, hash FROM events
                    WHERE incident = ? AND seq > ? ORDER BY seq
                    """)
            let rows = try Row.fetchCursor(statement, arguments: [incidentID, sequence])
            while let row = try rows.next() {
                let sequence: Int64 = row[0]
                // The payload column is checked by json_valid(); a failure here means the file was edited.
                let payload: JSONValue
                do {
                    // Parsed in SQLite's own buffer for the current row (valid until the next step).
                    let text = sqlite3_column_text(statement.sqliteStatement, 5)
                    let count = Int(sqlite3_column_bytes(statement.sqliteStatement, 5))
                    payload = try JSONValue(
                        parsingUTF8: UnsafeBufferPointer(start: text, count: text == nil ? 0 : count))
                } catch {
                    throw TranscriptError.corrupt(
                        path: path, detail: "payload of event #\(sequence) of incident \(incidentID): \(error)")
                }
                let typeName: String = row[3]
                let type: EventType
                if let known = types[typeName] {
                    type = known
                } else {
                    guard let parsed = EventType(rawValue: typeName) else {
                        throw TranscriptError.unknownEventType(
                            path: path, type: typeName, incidentID: incidentID, sequence: sequence)
                    }
                    types[typeName] = parsed
                    type = parsed
                }
                events.append(
                    RecordedEvent(
                        incidentID: incidentID, sequence: sequence, timestamp: Self.date(row[1]), actor: row[2],
                        type: type, stepID: row[4], payload: payload, previousHash: row[6], hash: row[7]))
            }
            return events
        }
    }

    /// The stored output of one command, in order.
    public func output(incidentID: Int64, commandSequence: Int64) throws -> [OutputChunk] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT offset_ms, data, encoding, size FROM outputs WHERE incident = ? AND command_seq = ?
                    ORDER BY chunk_index
                    """,
                arguments: [incidentID, commandSequence]
            ).map { row in
                OutputChunk(
                    offset: Double(row["offset_ms"] as Int64) / 1000,
                    data: OutputCompression.decode(row["data"], encoding: row["encoding"], size: row["size"]))
            }
        }
    }

    /// The stored output of the commands started at `commandSequences`, in one read of the incident's output
    /// (one query instead of one per command).
    public func outputs(incidentID: Int64, commandSequences: [Int64]) throws -> [Int64: [OutputChunk]] {
        let wanted = Set(commandSequences)
        var outputs: [Int64: [OutputChunk]] = [:]
        for sequence in wanted { outputs[sequence] = [] }
        try read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT command_seq, offset_ms, data, encoding, size FROM outputs WHERE incident = ?
                    ORDER BY command_seq, chunk_index
                    """,
                arguments: [incidentID])
            while let row = try rows.next() {
                let sequence: Int64 = row[0]
                guard wanted.contains(sequence) else { continue }
                let offset: Int64 = row[1]
                outputs[sequence, default: []].append(
                    OutputChunk(
                        offset: Double(offset) / 1000,
                        data: OutputCompression.decode(row[2], encoding: row[3], size: row[4])))
            }
        }
        return outputs
    }

    /// Bytes of stored output per command sequence of an incident (for abbreviated transcripts).
    public func outputSizes(incidentID: Int64) throws -> [Int64: Int] {
        try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT command_seq, sum(CASE encoding WHEN 'raw' THEN length(data) ELSE size END) AS bytes
                    FROM outputs WHERE incident = ?
                    GROUP BY command_seq
                    """,
                arguments: [incidentID])
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["command_seq"], $0["bytes"]) })
        }
    }

    static func fetchIncident(_ db: Database, id: Int64) throws -> Incident? {
        try Row.fetchOne(db, sql: "SELECT * FROM incidents WHERE id = ?", arguments: [id]).map(incident(from:))
    }

    static func incident(from row: Row) -> Incident {
        let policyText: String? = row["policy_snapshot"]
        let severityText: String = row["severity"]
        let statusText: String = row["status"]
        return Incident(
            id: row["id"], title: row["title"], runbook: row["runbook"], environment: row["environment"],
            severity: Severity(rawValue: severityText) ?? .p3, status: IncidentStatus(rawValue: statusText) ?? .open,
            isDrill: row["is_drill"], declaredAt: date(row["declared_at_ms"]),
            acknowledgedAt: (row["acknowledged_at_ms"] as Int64?).map(date),
            mitigatedAt: (row["mitigated_at_ms"] as Int64?).map(date),
            resolvedAt: (row["resolved_at_ms"] as Int64?).map(date), host: row["host"], user: row["user"],
            policySnapshot: policyText.flatMap { try? JSONValue(parsing: $0) })
    }
}

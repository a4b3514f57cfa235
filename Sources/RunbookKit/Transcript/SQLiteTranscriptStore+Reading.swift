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
                .map { try Self.incident(from: $0) }
        }
    }

    /// Every event of an incident in sequence order.
    public func events(incidentID: Int64) throws -> [RecordedEvent] {
        try events(incidentID: incidentID, after: 0)
    }

    /// The events of an incident after sequence `after`, in order (for resuming and tailing).
    public func events(incidentID: Int64, after sequence: Int64) throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        try forEachEvent(incidentID: incidentID, after: sequence, types: nil, hashes: true) { events.append($0) }
        return events
    }

    /// Calls `body` with each event of an incident in sequence order (only those of `types`, when given), one row
    /// at a time: an export goes through an incident of any size without holding its events. With `hashes: false`
    /// the hash columns are not read and `previousHash` and `hash` are empty.
    public func forEachEvent(
        incidentID: Int64, types: Set<EventType>?, hashes: Bool, _ body: (RecordedEvent) throws -> Void
    ) throws {
        try forEachEvent(incidentID: incidentID, after: 0, types: types, hashes: hashes, body)
    }

    /// `forEachEvent(incidentID:types:_:)` from the event after sequence `after`.
    ///
    /// Rows are read with a cursor and by column index, and each payload is parsed straight from SQLite's buffer:
    /// exports read every event of incidents with hundreds of thousands of them, and building intermediate rows
    /// and strings cost several times what SQLite needs to read them.
    public func forEachEvent(
        incidentID: Int64, after sequence: Int64, types: Set<EventType>?, hashes: Bool,
        _ body: (RecordedEvent) throws -> Void
    ) throws {
        // Sorted so that the same request is the same statement text.
        let typeNames = types.map { $0.map(\.rawValue).sorted() }
        var sql = "SELECT seq, ts_ms, actor, type, step_id, payload"
        sql += hashes ? ", prev_hash, hash FROM events " : " FROM events "
        sql += "WHERE incident = ? AND seq > ?"
        if let typeNames {
            if typeNames.isEmpty { return }
            sql += " AND type IN (" + Array(repeating: "?", count: typeNames.count).joined(separator: ", ") + ")"
        }
        sql += " ORDER BY seq"
        let values: [any DatabaseValueConvertible] = [incidentID, sequence] + (typeNames ?? [])
        let arguments = StatementArguments(values)
        try read { db in
            // Event types seen so far, matched on the column's bytes: no string is made for the type of each row.
            var known: [(name: [UInt8], type: EventType)] = []
            let statement = try db.makeStatement(sql: sql)
            let rows = try Row.fetchCursor(statement, arguments: arguments)
            // Columns are read from the statement itself (the cursor has stepped to the row), by index.
            let handle = statement.sqliteStatement
            func bytes(_ column: Int32) -> UnsafeBufferPointer<UInt8> {
                let text = sqlite3_column_text(handle, column)
                return UnsafeBufferPointer(
                    start: text, count: text == nil ? 0 : Int(sqlite3_column_bytes(handle, column)))
            }
            func text(_ column: Int32) -> String { String(decoding: bytes(column), as: UTF8.self) }
            while try rows.next() != nil {
                let sequence = sqlite3_column_int64(handle, 0)
                // The payload column is checked by json_valid(); a failure here means the file was edited.
                let payload: JSONValue
                do {
                    // Parsed in SQLite's own buffer for the current row (valid until the next step).
                    payload = try JSONValue(parsingUTF8: bytes(5))
                } catch {
                    throw TranscriptError.corrupt(
                        path: path, detail: "payload of event #\(sequence) of incident \(incidentID): \(error)")
                }
                let typeBytes = bytes(3)
                let type: EventType
                if let match = known.first(where: { $0.name.elementsEqual(typeBytes) }) {
                    type = match.type
                } else {
                    let typeName = String(decoding: typeBytes, as: UTF8.self)
                    guard let parsed = EventType(rawValue: typeName) else {
                        throw TranscriptError.unknownEventType(
                            path: path, type: typeName, incidentID: incidentID, sequence: sequence)
                    }
                    known.append((Array(typeBytes), parsed))
                    type = parsed
                }
                let stepID = sqlite3_column_type(handle, 4) == SQLITE_NULL ? nil : text(4)
                try body(
                    RecordedEvent(
                        incidentID: incidentID, sequence: sequence,
                        timestamp: Self.date(sqlite3_column_int64(handle, 1)), actor: text(2), type: type,
                        stepID: stepID, payload: payload, previousHash: hashes ? text(6) : "",
                        hash: hashes ? text(7) : ""))
            }
        }
    }

    /// The stored output of one command, in order.
    public func output(incidentID: Int64, commandSequence: Int64) throws -> [OutputChunk] {
        try read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT command_seq, chunk_index, offset_ms, data, encoding, size FROM outputs
                    WHERE incident = ? AND command_seq = ? ORDER BY chunk_index
                    """,
                arguments: [incidentID, commandSequence])
            var chunks: [OutputChunk] = []
            while let row = try rows.next() { chunks.append(try self.storedChunk(row, incidentID: incidentID).chunk) }
            return chunks
        }
    }

    /// Each stored chunk of one command's output, in order, read with a cursor (one row at a time). The read may
    /// happen inside another (an export reads a command's output while it goes through the events): it then runs
    /// on the same connection, in the same snapshot.
    public func forEachOutputChunk(
        incidentID: Int64, commandSequence: Int64, _ body: (OutputChunk) throws -> Void
    ) throws {
        try reentrantRead { db in
            // Cached: an export asks once or twice per command, thousands of times for a large incident.
            let statement = try db.cachedStatement(
                sql: """
                    SELECT command_seq, chunk_index, offset_ms, data, encoding, size FROM outputs
                    WHERE incident = ? AND command_seq = ? ORDER BY chunk_index
                    """)
            let rows = try Row.fetchCursor(statement, arguments: [incidentID, commandSequence])
            while let row = try rows.next() { try body(try self.storedChunk(row, incidentID: incidentID).chunk) }
        }
    }

    /// The stored output of every command of an incident, keyed by the sequence of its `command.started` event, in
    /// one query.
    public func outputs(incidentID: Int64) throws -> [Int64: [OutputChunk]] {
        var outputs: [Int64: [OutputChunk]] = [:]
        try read { db in
            try forEachStoredChunk(db, incidentID: incidentID) { stored in
                outputs[stored.commandSequence, default: []].append(stored.chunk)
            }
        }
        return outputs
    }

    /// Every `outputs` row of an incident, checked (`storedChunk`), in command and chunk order, in one query.
    func forEachStoredChunk(
        _ db: Database, incidentID: Int64,
        _ body: ((commandSequence: Int64, index: Int64, offsetMilliseconds: Int64, chunk: OutputChunk)) throws -> Void
    ) throws {
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT command_seq, chunk_index, offset_ms, data, encoding, size FROM outputs WHERE incident = ?
                ORDER BY command_seq, chunk_index
                """,
            arguments: [incidentID])
        while let row = try rows.next() { try body(try storedChunk(row, incidentID: incidentID)) }
    }

    /// One `outputs` row (`command_seq, chunk_index, offset_ms, data, encoding, size`), every value checked: a row
    /// changed after it was written (a forged size, an offset out of range, data that does not inflate, a value
    /// of the wrong type) throws `TranscriptError.corruptOutput` naming it, instead of trapping.
    func storedChunk(_ row: Row, incidentID: Int64) throws -> (
        commandSequence: Int64, index: Int64, offsetMilliseconds: Int64, chunk: OutputChunk
    ) {
        let values: [DatabaseValue] = (0..<6).map { row[$0] }
        let commandSequence = Int64.fromDatabaseValue(values[0]) ?? 0
        let index = Int64.fromDatabaseValue(values[1]) ?? -1
        func damaged(_ detail: String) -> TranscriptError {
            .corruptOutput(
                path: path, incidentID: incidentID, commandSequence: commandSequence, chunkIndex: index,
                detail: detail)
        }
        guard case .int64 = values[1].storage else { throw damaged("chunk_index is not an integer") }
        guard case .int64(let offset) = values[2].storage else { throw damaged("offset_ms is not an integer") }
        guard (0...Self.maximumOffsetMilliseconds).contains(offset) else {
            throw damaged("offset_ms \(offset) is out of range")
        }
        let data: Data
        switch values[3].storage {
        case .blob(let bytes): data = bytes
        case .string(let text): data = Data(text.utf8)
        default: throw damaged("data is not a blob")
        }
        guard case .string(let encoding) = values[4].storage else { throw damaged("encoding is not text") }
        guard case .int64(let size) = values[5].storage else { throw damaged("size is not an integer") }
        do {
            let bytes = try OutputCompression.decode(data, encoding: encoding, size: size)
            return (
                commandSequence, index, offset, OutputChunk(offset: Double(offset) / 1000, data: bytes)
            )
        } catch let damage as OutputCompression.Damage {
            throw damaged(damage.detail)
        }
    }

    /// The largest offset of a chunk from its command's start that a row may hold: about 34 years. Larger values
    /// were written by someone else, and would overflow the arithmetic of whoever shows them.
    static let maximumOffsetMilliseconds: Int64 = 1 << 40

    static func fetchIncident(_ db: Database, id: Int64) throws -> Incident? {
        try Row.fetchOne(db, sql: "SELECT * FROM incidents WHERE id = ?", arguments: [id]).map {
            try incident(from: $0)
        }
    }

    /// The incident of an `incidents` row. A value of the wrong type (a row changed after it was written) is a
    /// `TranscriptError.corruptIncident` naming the column, never a crash.
    static func incident(from row: Row) throws -> Incident {
        let id = (try? row.decode(Int64.self, forColumn: "id")) ?? 0
        func column<Value: DatabaseValueConvertible>(_ name: String) throws -> Value {
            do {
                return try row.decode(Value.self, forColumn: name)
            } catch {
                let value: DatabaseValue = row[name]
                throw TranscriptError.corruptIncident(
                    incidentID: id, detail: "column \(name) holds \(value.description), which is not a \(Value.self)")
            }
        }
        let policyText: String? = try column("policy_snapshot")
        let severityText: String = try column("severity")
        let statusText: String = try column("status")
        let acknowledged: Int64? = try column("acknowledged_at_ms")
        let mitigated: Int64? = try column("mitigated_at_ms")
        let resolved: Int64? = try column("resolved_at_ms")
        return Incident(
            id: id, title: try column("title"), runbook: try column("runbook"), environment: try column("environment"),
            severity: Severity(rawValue: severityText) ?? .p3, status: IncidentStatus(rawValue: statusText) ?? .open,
            isDrill: try column("is_drill"), declaredAt: date(try column("declared_at_ms")),
            acknowledgedAt: acknowledged.map(date), mitigatedAt: mitigated.map(date), resolvedAt: resolved.map(date),
            host: try column("host"), user: try column("user"),
            policySnapshot: policyText.flatMap { try? JSONValue(parsing: $0) }, incidentKey: try column("incident_key"))
    }
}

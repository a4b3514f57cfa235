import Foundation
import GRDB

extension SQLiteTranscriptStore: TranscriptCopying {
    public func incidentIdentities() throws -> [(id: Int64, key: String?)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT id, incident_key FROM incidents ORDER BY id").map {
                row -> (id: Int64, key: String?) in (row["id"], row["incident_key"])
            }
        }
    }

    public func storedIncident(_ id: Int64) throws -> StoredIncident? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM incidents WHERE id = ?", arguments: [id]) else {
                return nil
            }
            var incident = try Self.storedIncident(from: row)
            let events = try Row.fetchCursor(
                db,
                sql: """
                    SELECT seq, ts_ms, actor, type, step_id, payload, prev_hash, hash FROM events
                    WHERE incident = ? ORDER BY seq
                    """,
                arguments: [id])
            while let event = try events.next() {
                incident.events.append(
                    StoredEvent(
                        sequence: event["seq"], timestampMilliseconds: event["ts_ms"], actor: event["actor"],
                        type: event["type"], stepID: event["step_id"], payloadJSON: event["payload"],
                        previousHash: event["prev_hash"], hash: event["hash"]))
            }
            try forEachStoredChunk(db, incidentID: id) { stored in
                incident.chunks.append(
                    StoredChunk(
                        commandSequence: stored.commandSequence, index: stored.index,
                        offsetMilliseconds: stored.offsetMilliseconds, data: stored.chunk.data))
            }
            return incident
        }
    }

    /// The incident row's columns, each checked (a row edited to hold a value of another type is named).
    private static func storedIncident(from row: Row) throws -> StoredIncident {
        let id = (try? row.decode(Int64.self, forColumn: "id")) ?? 0
        func column<Value: DatabaseValueConvertible>(_ name: String, _ type: Value.Type = Value.self) throws -> Value {
            do {
                return try row.decode(Value.self, forColumn: name)
            } catch {
                let value: DatabaseValue = row[name]
                throw TranscriptError.corruptIncident(
                    incidentID: id, detail: "column \(name) holds \(value.description), which is not a \(Value.self)")
            }
        }
        return StoredIncident(
            id: id, title: try column("title"), runbook: try column("runbook"),
            environment: try column("environment"), severity: try column("severity"),
            status: try column("status"), isDrill: try column("is_drill", Int64.self) != 0,
            declaredAtMilliseconds: try column("declared_at_ms"),
            acknowledgedAtMilliseconds: try column("acknowledged_at_ms"),
            mitigatedAtMilliseconds: try column("mitigated_at_ms"),
            resolvedAtMilliseconds: try column("resolved_at_ms"),
            host: try column("host"), user: try column("user"), policySnapshot: try column("policy_snapshot"),
            incidentKey: try column("incident_key"), clockSpeed: try column("clock_speed"),
            clockOriginMilliseconds: try column("clock_origin_ms"))
    }

    /// Inserts the incident with its id, its events as given, its output (deflated when smaller, as
    /// `appendOutput` stores it), and their search documents, in one transaction. The append-only triggers
    /// allow inserts; AUTOINCREMENT moves past the id, so incidents declared later get higher ones.
    public func insertStoredIncident(_ incident: StoredIncident) throws {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO incidents (id, title, runbook, environment, severity, status, is_drill, declared_at_ms,
                        acknowledged_at_ms, mitigated_at_ms, resolved_at_ms, host, user, policy_snapshot, incident_key,
                        clock_speed, clock_origin_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    incident.id, incident.title, incident.runbook, incident.environment, incident.severity,
                    incident.status, incident.isDrill ? 1 : 0, incident.declaredAtMilliseconds,
                    incident.acknowledgedAtMilliseconds, incident.mitigatedAtMilliseconds,
                    incident.resolvedAtMilliseconds, incident.host, incident.user, incident.policySnapshot,
                    incident.incidentKey, incident.clockSpeed, incident.clockOriginMilliseconds,
                ])
            let insertEvent = try db.makeStatement(
                sql: """
                    INSERT INTO events (incident, seq, ts_ms, actor, type, step_id, payload, prev_hash, hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            var commands: [Int64: (stepID: String?, milliseconds: Int64)] = [:]
            for event in incident.events {
                try insertEvent.execute(arguments: [
                    incident.id, event.sequence, event.timestampMilliseconds, event.actor, event.type, event.stepID,
                    event.payloadJSON, event.previousHash, event.hash,
                ])
                try indexCopied(db, event, incidentID: incident.id)
                if event.type == EventType.commandStarted.rawValue {
                    commands[event.sequence] = (event.stepID, event.timestampMilliseconds)
                }
            }
            let insertChunk = try db.makeStatement(
                sql: """
                    INSERT INTO outputs (incident, command_seq, chunk_index, offset_ms, data, encoding, size)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """)
            var heads: [Int64: (text: Data, lastOffset: Int64)] = [:]
            for chunk in incident.chunks {
                let form = OutputCompression.encode(chunk.data)
                try insertChunk.execute(arguments: [
                    incident.id, chunk.commandSequence, chunk.index, chunk.offsetMilliseconds, form.bytes,
                    form.encoding, chunk.data.count,
                ])
                var head = heads[chunk.commandSequence] ?? (Data(), 0)
                let room = Self.indexedOutputLimit - head.text.count
                if room > 0 {
                    head.text.append(chunk.data.prefix(room))
                    head.lastOffset = chunk.offsetMilliseconds
                }
                heads[chunk.commandSequence] = head
            }
            // Search covers the first `indexedOutputLimit` bytes of each command's output, as when it was recorded.
            for (command, head) in heads.sorted(by: { $0.key < $1.key }) {
                let text = ANSIText.strip(head.text)
                guard !text.allSatisfy(\.isWhitespace), let started = commands[command] else { continue }
                try Self.index(
                    db, incidentID: incident.id, sequence: command, kind: "output", stepID: started.stepID,
                    milliseconds: started.milliseconds + head.lastOffset, text: text)
            }
        }
    }

    /// The search document of a copied command or note, as `insertEvent` indexes a recorded one.
    private func indexCopied(_ db: Database, _ event: StoredEvent, incidentID: Int64) throws {
        let kind: String
        let key: String
        switch event.type {
        case EventType.commandStarted.rawValue: (kind, key) = ("command", "command")
        case EventType.noteAdded.rawValue: (kind, key) = ("note", "text")
        default: return
        }
        guard let text = (try? JSONValue(parsing: event.payloadJSON))?[key]?.stringValue else { return }
        try Self.index(
            db, incidentID: incidentID, sequence: event.sequence, kind: kind, stepID: event.stepID,
            milliseconds: event.timestampMilliseconds, text: text)
    }
}

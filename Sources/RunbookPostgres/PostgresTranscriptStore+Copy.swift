import Foundation
import PostgresNIO
import RunbookKit

extension PostgresTranscriptStore: TranscriptCopying {
    public func incidentIdentities() throws -> [(id: Int64, key: String?)] {
        try reading {
            try query("SELECT id, incident_key FROM incidents ORDER BY id").map {
                let (id, key) = try $0.decode((Int64, String?).self)
                return (id: id, key: key)
            }
        }
    }

    public func storedIncident(_ id: Int64) throws -> StoredIncident? {
        try snapshot {
            guard
                let row = try query(
                    """
                    SELECT id, title, runbook, environment, severity, status, is_drill, declared_at_ms,
                        acknowledged_at_ms, mitigated_at_ms, resolved_at_ms, host, "user", policy_snapshot,
                        incident_key, clock_speed, clock_origin_ms
                    FROM incidents WHERE id = \(id)
                    """
                ).first
            else { return nil }
            let columns = row.makeRandomAccess()
            func column<Value: PostgresDecodable>(_ name: String, _ type: Value.Type = Value.self) throws -> Value {
                do {
                    return try columns[name].decode(Value.self)
                } catch {
                    throw TranscriptError.corruptIncident(
                        incidentID: id, detail: "column \(name) is not a \(Value.self)")
                }
            }
            var incident = StoredIncident(
                id: id, title: try column("title"), runbook: try column("runbook"),
                environment: try column("environment"), severity: try column("severity"),
                status: try column("status"), isDrill: try column("is_drill"),
                declaredAtMilliseconds: try column("declared_at_ms"),
                acknowledgedAtMilliseconds: try column("acknowledged_at_ms"),
                mitigatedAtMilliseconds: try column("mitigated_at_ms"),
                resolvedAtMilliseconds: try column("resolved_at_ms"), host: try column("host"),
                user: try column("user"), policySnapshot: try column("policy_snapshot"),
                incidentKey: try column("incident_key"), clockSpeed: try column("clock_speed"),
                clockOriginMilliseconds: try column("clock_origin_ms"))
            for row in try query(
                """
                SELECT seq, ts_ms, actor, type, step_id, payload, prev_hash, hash FROM events
                WHERE incident = \(id) ORDER BY seq
                """)
            {
                let (sequence, milliseconds, actor, type, stepID, payload, previousHash, hash) = try row.decode(
                    (Int64, Int64, String, String, String?, String, String, String).self)
                incident.events.append(
                    StoredEvent(
                        sequence: sequence, timestampMilliseconds: milliseconds, actor: actor, type: type,
                        stepID: stepID, payloadJSON: payload, previousHash: previousHash, hash: hash))
            }
            for row in try query(
                """
                SELECT command_seq, chunk_index, offset_ms, data FROM outputs WHERE incident = \(id)
                ORDER BY command_seq, chunk_index
                """)
            {
                let (command, index, offset, data) = try row.decode((Int64, Int64, Int64, Data).self)
                incident.chunks.append(
                    StoredChunk(commandSequence: command, index: index, offsetMilliseconds: offset, data: data))
            }
            return incident
        }
    }

    /// Inserts the incident with its id, events and output as given, in one transaction. The id sequence is first
    /// moved past the id (`setval`, which needs the owner role or UPDATE on `incidents_id_seq`), so incidents
    /// declared afterwards get higher ids.
    public func insertStoredIncident(_ incident: StoredIncident) throws {
        // Inserted with explicit ids, so a lost COMMIT is told by the incident's row being there.
        try transaction(committed: { _ in
            !(try self.query("SELECT 1 FROM incidents WHERE id = \(incident.id)").isEmpty)
        }) {
            try query(
                """
                SELECT setval(pg_get_serial_sequence('incidents', 'id'),
                    greatest(\(incident.id), (SELECT coalesce(max(id), 1) FROM incidents)))
                """)
            try query(
                """
                INSERT INTO incidents (id, title, runbook, environment, severity, status, is_drill, declared_at_ms,
                    acknowledged_at_ms, mitigated_at_ms, resolved_at_ms, host, "user", policy_snapshot, incident_key,
                    clock_speed, clock_origin_ms)
                VALUES (\(incident.id), \(incident.title), \(incident.runbook), \(incident.environment),
                    \(incident.severity), \(incident.status), \(incident.isDrill), \(incident.declaredAtMilliseconds),
                    \(incident.acknowledgedAtMilliseconds), \(incident.mitigatedAtMilliseconds),
                    \(incident.resolvedAtMilliseconds), \(incident.host), \(incident.user), \(incident.policySnapshot),
                    \(incident.incidentKey), \(incident.clockSpeed), \(incident.clockOriginMilliseconds))
                """)
            for event in incident.events {
                try query(
                    """
                    INSERT INTO events (incident, seq, ts_ms, actor, type, step_id, payload, prev_hash, hash)
                    VALUES (\(incident.id), \(event.sequence), \(event.timestampMilliseconds), \(event.actor),
                        \(event.type), \(event.stepID), \(event.payloadJSON), \(event.previousHash), \(event.hash))
                    """)
            }
            for chunk in incident.chunks {
                try query(
                    """
                    INSERT INTO outputs (incident, command_seq, chunk_index, offset_ms, data)
                    VALUES (\(incident.id), \(chunk.commandSequence), \(chunk.index), \(chunk.offsetMilliseconds),
                        \(chunk.data))
                    """)
            }
        }
    }
}

import Foundation
import PostgresNIO
import RunbookKit

extension PostgresTranscriptStore: VerifiableStore {
    /// The server's URL without its password.
    public var storeName: String { location.description }

    /// Verifies one incident with `TranscriptVerifier` (the SQLite store's verification, shared), reading the rows
    /// as stored in one REPEATABLE READ snapshot.
    public func verify(incidentID: Int64) throws -> VerificationResult {
        try snapshot {
            guard !(try query("SELECT id FROM incidents WHERE id = \(incidentID)")).isEmpty else {
                throw TranscriptError.unknownIncident(id: incidentID, path: location.description)
            }
            return try TranscriptVerifier.verify(
                incidentID: incidentID, from: PostgresVerificationSource(store: self, incidentID: incidentID))
        }
    }

    /// Verifies every incident, oldest first, in one snapshot.
    public func verifyAll() throws -> [VerificationResult] {
        try snapshot {
            try query("SELECT id FROM incidents ORDER BY id").map { row in
                let id = try row.decode(Int64.self)
                return try TranscriptVerifier.verify(
                    incidentID: id, from: PostgresVerificationSource(store: self, incidentID: id))
            }
        }
    }
}

/// What verification reads of one incident of a PostgreSQL store, inside the caller's snapshot.
private struct PostgresVerificationSource: VerificationSource {
    let store: PostgresTranscriptStore
    let incidentID: Int64

    func incidentRow() throws -> [String: StoredValue]? {
        guard
            let row = try store.query(
                """
                SELECT title, runbook, environment, CASE WHEN is_drill THEN 1 ELSE 0 END AS is_drill, host, "user",
                    policy_snapshot, severity, status, declared_at_ms, acknowledged_at_ms, mitigated_at_ms,
                    resolved_at_ms
                FROM incidents WHERE id = \(incidentID)
                """
            ).first
        else { return nil }
        let columns = row.makeRandomAccess()
        var values: [String: StoredValue] = [:]
        for name in ["title", "runbook", "environment", "host", "user", "policy_snapshot", "severity", "status"] {
            values[name] = try columns[name].decode(String?.self).map(StoredValue.text) ?? .null
        }
        for name in ["is_drill", "declared_at_ms", "acknowledged_at_ms", "mitigated_at_ms", "resolved_at_ms"] {
            values[name] = try columns[name].decode(Int64?.self).map(StoredValue.integer) ?? .null
        }
        return values
    }

    func forEachEvent(_ body: (StoredEvent) throws -> Void) throws {
        let rows = try store.query(
            """
            SELECT seq, ts_ms, actor, type, step_id, payload, prev_hash, hash FROM events
            WHERE incident = \(incidentID) ORDER BY seq
            """)
        for row in rows {
            let (sequence, milliseconds, actor, type, stepID, payload, previousHash, hash) = try row.decode(
                (Int64, Int64, String, String, String?, String, String, String).self)
            try body(
                StoredEvent(
                    sequence: sequence, timestampMilliseconds: milliseconds, actor: actor, type: type, stepID: stepID,
                    payloadJSON: payload, previousHash: previousHash, hash: hash))
        }
    }

    func forEachChunk(_ body: (StoredChunk) throws -> Void) throws {
        let rows = try store.query(
            """
            SELECT command_seq, chunk_index, offset_ms, data FROM outputs WHERE incident = \(incidentID)
            ORDER BY command_seq, chunk_index
            """)
        for row in rows {
            let (command, index, offset, data) = try row.decode((Int64, Int64, Int64, Data).self)
            try body(StoredChunk(commandSequence: command, index: index, offsetMilliseconds: offset, data: data))
        }
    }
}

extension PostgresTranscriptStore {
    /// How many tables `schema` holds (tests check that reading commands create none).
    func tableCount(schema: String) throws -> Int64 {
        try reading {
            try query("SELECT count(*) FROM pg_tables WHERE schemaname = \(schema)").first?.decode(Int64.self) ?? 0
        }
    }
}

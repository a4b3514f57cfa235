import Foundation
import GRDB

extension SQLiteTranscriptStore {
    /// Recomputes an incident's hash chain and reports the first broken link.
    ///
    /// A link is broken when a sequence number is missing, when `prev_hash` differs from the hash of
    /// the event before, or when `hash` differs from the hash of the event's stored content. Once the chain
    /// holds, what hangs off it is checked against it: each command's stored output against the digest its
    /// `command.finished` recorded, and the incident row against what its events imply.
    public func verify(incidentID: Int64) throws -> VerificationResult {
        try read { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM incidents WHERE id = ?", arguments: [incidentID]) != nil
            else {
                throw TranscriptError.unknownIncident(id: incidentID, path: self.path)
            }
            return try self.verify(db, incidentID: incidentID)
        }
    }

    /// Verifies every incident, oldest first.
    public func verifyAll() throws -> [VerificationResult] {
        try read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM incidents ORDER BY id").map { id in
                try self.verify(db, incidentID: id)
            }
        }
    }

    private func verify(_ db: Database, incidentID: Int64) throws -> VerificationResult {
        try TranscriptVerifier.verify(
            incidentID: incidentID, from: SQLiteVerificationSource(store: self, db: db, incidentID: incidentID))
    }
}

/// What verification reads of one incident of an SQLite store, inside the caller's read transaction.
private struct SQLiteVerificationSource: VerificationSource {
    let store: SQLiteTranscriptStore
    let db: Database
    let incidentID: Int64

    func incidentRow() throws -> [String: StoredValue]? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM incidents WHERE id = ?", arguments: [incidentID])
        else { return nil }
        var columns: [String: StoredValue] = [:]
        for (name, value) in row {
            switch value.storage {
            case .null: columns[name] = .null
            case .int64(let number): columns[name] = .integer(number)
            case .double(let number): columns[name] = .real(number)
            case .string(let text): columns[name] = .text(text)
            case .blob(let data): columns[name] = .blob(data)
            }
        }
        return columns
    }

    func forEachEvent(_ body: (StoredEvent) throws -> Void) throws {
        let cursor = try Row.fetchCursor(
            db,
            sql: """
                SELECT seq, ts_ms, actor, type, step_id, payload, prev_hash, hash FROM events
                WHERE incident = ? ORDER BY seq
                """,
            arguments: [incidentID])
        while let row = try cursor.next() {
            try body(
                StoredEvent(
                    sequence: row["seq"], timestampMilliseconds: row["ts_ms"], actor: row["actor"], type: row["type"],
                    stepID: row["step_id"], payloadJSON: row["payload"], previousHash: row["prev_hash"],
                    hash: row["hash"]))
        }
    }

    func forEachChunk(_ body: (StoredChunk) throws -> Void) throws {
        try store.forEachStoredChunk(db, incidentID: incidentID) { stored in
            try body(
                StoredChunk(
                    commandSequence: stored.commandSequence, index: stored.index,
                    offsetMilliseconds: stored.offsetMilliseconds, data: stored.chunk.data))
        }
    }
}

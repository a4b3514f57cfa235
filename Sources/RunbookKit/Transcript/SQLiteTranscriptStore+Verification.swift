import GRDB

extension SQLiteTranscriptStore {
    /// Recomputes an incident's hash chain and reports the first broken link.
    ///
    /// A link is broken when a sequence number is missing, when `prev_hash` differs from the hash of
    /// the event before, or when `hash` differs from the hash of the event's stored content.
    public func verify(incidentID: Int64) throws -> VerificationResult {
        try read { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM incidents WHERE id = ?", arguments: [incidentID]) != nil
            else {
                throw TranscriptError.unknownIncident(id: incidentID, path: self.path)
            }
            return try Self.verify(db, incidentID: incidentID)
        }
    }

    /// Verifies every incident, oldest first.
    public func verifyAll() throws -> [VerificationResult] {
        try read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM incidents ORDER BY id").map { id in
                try Self.verify(db, incidentID: id)
            }
        }
    }

    private static func verify(_ db: Database, incidentID: Int64) throws -> VerificationResult {
        let cursor = try Row.fetchCursor(
            db,
            sql: """
                SELECT seq, ts_ms, actor, type, step_id, payload, prev_hash, hash FROM events
                WHERE incident = ? ORDER BY seq
                """,
            arguments: [incidentID])
        var expected: Int64 = 1
        var previousHash = ""
        var count = 0
        while let row = try cursor.next() {
            count += 1
            let sequence: Int64 = row["seq"]
            func broken(_ reason: String) -> VerificationResult {
                VerificationResult(
                    incidentID: incidentID, eventCount: count, firstBrokenSequence: sequence, reason: reason)
            }
            if sequence != expected {
                return VerificationResult(
                    incidentID: incidentID, eventCount: count, firstBrokenSequence: expected,
                    reason: "event #\(expected) is missing (next stored event is #\(sequence))")
            }
            let storedPrevious: String = row["prev_hash"]
            if storedPrevious != previousHash {
                return broken("prev_hash does not match the hash of event #\(sequence - 1)")
            }
            let canonical = EventHash.canonicalEncoding(
                incidentID: incidentID, sequence: sequence, timestampMilliseconds: row["ts_ms"], actor: row["actor"],
                type: row["type"], stepID: row["step_id"], payloadJSON: row["payload"])
            let hash: String = row["hash"]
            if EventHash.hash(previousHash: previousHash, canonical: canonical) != hash {
                return broken("the stored event does not match its hash (its content was changed)")
            }
            if sequence == 1,
                let mismatch = try declarationMismatch(db, incidentID: incidentID, payload: row["payload"])
            {
                return broken("the incident row no longer matches its declaration (\(mismatch))")
            }
            previousHash = hash
            expected += 1
        }
        return VerificationResult(incidentID: incidentID, eventCount: count)
    }

    /// The first `incidents` column that differs from what `incident.declared` recorded, if any.
    ///
    /// The row is not hash-chained itself, but its fixed columns are copies of the declaration, so an
    /// edit of the title or environment shows up here.
    private static func declarationMismatch(_ db: Database, incidentID: Int64, payload: String) throws -> String? {
        guard let declared = try? JSONValue(parsing: payload),
            let row = try Row.fetchOne(db, sql: "SELECT * FROM incidents WHERE id = ?", arguments: [incidentID])
        else { return "declaration unreadable" }
        let policyText: String? = row["policy_snapshot"]
        let checks: [(String, Bool)] = [
            ("title", declared["title"]?.stringValue == row["title"]),
            ("runbook", declared["runbook"]?.stringValue == row["runbook"]),
            ("environment", declared["environment"]?.stringValue == row["environment"]),
            ("drill", declared["drill"]?.boolValue == row["is_drill"]),
            ("host", declared["host"]?.stringValue == row["host"]),
            ("user", declared["user"]?.stringValue == row["user"]),
            // Compared as values, not text: rows written by other versions may format the same JSON differently.
            ("policy", declared["policy"] == policyText.flatMap { try? JSONValue(parsing: $0) }),
        ]
        return checks.first { !$0.1 }?.0
    }
}

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
        var derived = DerivedIncident()
        var bindings: [Int64: OutputBinding] = [:]
        var finishedWithoutDigest: Set<Int64> = []
        var hashes: [String] = []
        var signatures: [HeadSignatureCheck] = []
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
                let mismatch = try Self.declarationMismatch(db, incidentID: incidentID, payload: row["payload"])
            {
                return broken("the incident row no longer matches its declaration (\(mismatch))")
            }
            // The event is intact: what it says about the incident row and the output is now trusted.
            if let type = EventType(rawValue: row["type"]), let payload = try? JSONValue(parsing: row["payload"]) {
                derived.apply(type, payload: payload, sequence: sequence, milliseconds: row["ts_ms"])
                if type == .chainSigned {
                    switch Self.checkSignature(payload, incidentID: incidentID, hashes: hashes) {
                    case .success(let (head, key)):
                        signatures.append(
                            HeadSignatureCheck(
                                sequence: sequence, head: head, actor: row["actor"],
                                reason: payload["reason"]?.stringValue ?? "", key: key.base64,
                                fingerprint: key.fingerprint))
                    case .failure(let problem):
                        return broken(problem.reason)
                    }
                }
                if type == .commandFinished, let command = payload["command_sequence"]?.intValue {
                    if let digest = payload[OutputDigest.payloadKey]?.stringValue,
                        let chunks = payload[OutputDigest.chunksKey]?.intValue
                    {
                        bindings[command] = OutputBinding(finishedSequence: sequence, sha256: digest, chunks: chunks)
                    } else {
                        finishedWithoutDigest.insert(command)
                    }
                }
            }
            previousHash = hash
            hashes.append(hash)
            expected += 1
        }
        var result = VerificationResult(incidentID: incidentID, eventCount: count)
        result.signatures = signatures
        if let broken = try outputMismatch(db, incidentID: incidentID, bindings: bindings, result: &result) {
            return broken
        }
        if let (sequence, reason) = try Self.rowMismatch(db, incidentID: incidentID, derived: derived) {
            return VerificationResult(
                incidentID: incidentID, eventCount: count, firstBrokenSequence: sequence, reason: reason)
        }
        let unbound = result.unboundOutputs
        let old = unbound.filter { finishedWithoutDigest.contains($0) }
        let unfinished = unbound.filter { !finishedWithoutDigest.contains($0) }
        if !old.isEmpty {
            result.notes.append(
                "output not bound (recorded before runbook recorded output digests) for the command(s) at "
                    + Self.list(old) + ": a change to it cannot be detected")
        }
        if !unfinished.isEmpty {
            result.notes.append(
                "output not bound (the command has no command.finished: still running or interrupted) at "
                    + Self.list(unfinished))
        }
        return result
    }

    /// Why a `chain.signed` event does not hold.
    private struct SignatureProblem: Error {
        var reason: String
    }

    /// Checks a `chain.signed` payload: the head it names must be an earlier event of this chain with that hash,
    /// and the signature must be valid for it with the recorded key.
    private static func checkSignature(
        _ payload: JSONValue, incidentID: Int64, hashes: [String]
    ) -> Result<(ChainHead, PublicSigningKey), SignatureProblem> {
        guard let sequence = payload["seq"]?.intValue, let hash = payload["hash"]?.stringValue,
            let key = payload["key"]?.stringValue.flatMap(PublicSigningKey.init(base64:)),
            let signature = payload["signature"]?.stringValue.flatMap({ Data(base64Encoded: $0) })
        else { return .failure(SignatureProblem(reason: "the chain.signed event is incomplete")) }
        guard sequence >= 1, sequence <= Int64(hashes.count), hashes[Int(sequence - 1)] == hash else {
            return .failure(
                SignatureProblem(
                    reason: "the signed head \(sequence):\(hash.prefix(12))… is not an earlier event of this chain"))
        }
        let head = ChainHead(sequence: sequence, hash: hash)
        guard key.isValid(signature: signature, incidentID: incidentID, head: head) else {
            return .failure(
                SignatureProblem(reason: "the signature of head #\(sequence) is not valid for key \(key.fingerprint)"))
        }
        return .success((head, key))
    }

    private static func list(_ sequences: [Int64]) -> String {
        sequences.map { "#\($0)" }.joined(separator: ", ")
    }

    /// What `command.finished` recorded of one command's output.
    private struct OutputBinding {
        var finishedSequence: Int64
        var sha256: String
        var chunks: Int64
    }

    /// Recomputes the digest of every command's stored output and compares it with the one recorded; a command
    /// whose output no digest covers is added to `result.unboundOutputs`. Returns the first mismatch.
    private func outputMismatch(
        _ db: Database, incidentID: Int64, bindings: [Int64: OutputBinding], result: inout VerificationResult
    ) throws -> VerificationResult? {
        func broken(_ command: Int64, _ reason: String) -> VerificationResult {
            VerificationResult(
                incidentID: incidentID, eventCount: result.eventCount, firstBrokenSequence: command, reason: reason)
        }
        var digests: [Int64: OutputDigest] = [:]
        do {
            try forEachStoredChunk(db, incidentID: incidentID) { stored in
                digests[stored.commandSequence, default: OutputDigest()].add(
                    index: stored.index, offsetMilliseconds: stored.offsetMilliseconds, bytes: stored.chunk.data)
            }
        } catch TranscriptError.corruptOutput(_, _, let command, let index, let detail) {
            return broken(command, "output chunk \(index) of the command at event #\(command): \(detail)")
        }
        for command in Set(digests.keys).union(bindings.keys).sorted() {
            guard let binding = bindings[command] else {
                result.unboundOutputs.append(command)
                continue
            }
            let digest = digests[command] ?? OutputDigest()
            if digest.hex != binding.sha256 || Int64(digest.chunks) != binding.chunks {
                return broken(
                    command,
                    "the stored output of the command at event #\(command) (\(digest.chunks) chunks) does not "
                        + "match the digest recorded in event #\(binding.finishedSequence) (\(binding.chunks) "
                        + "chunks): its output was changed")
            }
        }
        return nil
    }

    /// The first `incidents` column that differs from what `incident.declared` recorded, if any.
    ///
    /// The row is not hash-chained itself, but its fixed columns are copies of the declaration, so an
    /// edit of the title or environment shows up here.
    private static func declarationMismatch(_ db: Database, incidentID: Int64, payload: String) throws -> String? {
        guard let declared = try? JSONValue(parsing: payload),
            let row = try Row.fetchOne(db, sql: "SELECT * FROM incidents WHERE id = ?", arguments: [incidentID])
        else { return "declaration unreadable" }
        let policy = (row["policy_snapshot"] as DatabaseValue).storage
        let policyValue: JSONValue?
        if case .string(let text) = policy { policyValue = try? JSONValue(parsing: text) } else { policyValue = nil }
        let checks: [(String, Bool)] = [
            ("title", matches(row, "title", declared["title"]?.stringValue)),
            ("runbook", matches(row, "runbook", declared["runbook"]?.stringValue)),
            ("environment", matches(row, "environment", declared["environment"]?.stringValue)),
            (
                "drill",
                declared["drill"]?.boolValue.map { Int64($0 ? 1 : 0) } == Int64.fromDatabaseValue(row["is_drill"])
            ),
            ("host", matches(row, "host", declared["host"]?.stringValue)),
            ("user", matches(row, "user", declared["user"]?.stringValue)),
            // Compared as values, not text: rows written by other versions may format the same JSON differently.
            ("policy", declared["policy"] == policyValue),
        ]
        return checks.first { !$0.1 }?.0
    }

    /// Whether a text column holds `value` (read as a database value: a forged column of another type is a
    /// mismatch, not a trap).
    private static func matches(_ row: Row, _ column: String, _ value: String?) -> Bool {
        guard let value else { return false }
        return (row[column] as DatabaseValue) == value.databaseValue
    }

    /// The first column of the incident row that differs from what the (verified) events imply, with the event
    /// that set the expected value and the reason.
    private static func rowMismatch(_ db: Database, incidentID: Int64, derived: DerivedIncident) throws -> (
        Int64, String
    )? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM incidents WHERE id = ?", arguments: [incidentID])
        else { return nil }
        for (column, expected) in derived.columns {
            let stored: DatabaseValue = row[column]
            if stored != expected.value {
                return (
                    expected.sequence,
                    "the incident row no longer matches its events (\(column): the row holds \(describe(stored)), "
                        + "event #\(expected.sequence) makes it \(describe(expected.value)))"
                )
            }
        }
        return nil
    }

    private static func describe(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .null: return "NULL"
        case .int64(let number): return String(number)
        case .double(let number): return String(number)
        case .string(let text): return text.debugDescription
        case .blob(let data): return "a blob of \(data.count) bytes"
        }
    }
}

/// The incident row's event-driven columns as the events set them (the same rules as `applyToIncident`).
private struct DerivedIncident {
    /// Each column's value and the event that set it.
    var status: (DatabaseValue, Int64) = ("open".databaseValue, 1)
    var severity: (DatabaseValue, Int64) = (.null, 1)
    var declaredAt: (DatabaseValue, Int64) = (.null, 1)
    var acknowledgedAt: (DatabaseValue, Int64) = (.null, 1)
    var mitigatedAt: (DatabaseValue, Int64) = (.null, 1)
    var resolvedAt: (DatabaseValue, Int64) = (.null, 1)

    var columns: [(String, (value: DatabaseValue, sequence: Int64))] {
        let columns: [(String, (DatabaseValue, Int64))] = [
            ("status", status), ("severity", severity), ("declared_at_ms", declaredAt),
            ("acknowledged_at_ms", acknowledgedAt), ("mitigated_at_ms", mitigatedAt),
            ("resolved_at_ms", resolvedAt),
        ]
        return columns.map { name, set in (name, (value: set.0, sequence: set.1)) }
    }

    mutating func apply(_ type: EventType, payload: JSONValue, sequence: Int64, milliseconds: Int64) {
        let time = milliseconds.databaseValue
        switch type {
        case .incidentDeclared:
            declaredAt = (time, sequence)
            if let text = payload["severity"]?.stringValue, let parsed = Severity(parsing: text) {
                severity = (parsed.rawValue.databaseValue, sequence)
            }
        case .severityChanged:
            if let text = payload["to"]?.stringValue, let parsed = Severity(parsing: text) {
                severity = (parsed.rawValue.databaseValue, sequence)
            }
        case .statusChanged:
            if let text = payload["to"]?.stringValue, let parsed = IncidentStatus(rawValue: text) {
                setStatus(parsed, time: time, sequence: sequence)
            }
        case .incidentResolved:
            setStatus(.resolved, time: time, sequence: sequence)
        case .ackReceived:
            if acknowledgedAt.0.isNull { acknowledgedAt = (time, sequence) }
        default: break
        }
    }

    private mutating func setStatus(_ value: IncidentStatus, time: DatabaseValue, sequence: Int64) {
        status = (value.rawValue.databaseValue, sequence)
        if value == .mitigated, mitigatedAt.0.isNull { mitigatedAt = (time, sequence) }
        if value == .resolved || value == .abandoned, resolvedAt.0.isNull { resolvedAt = (time, sequence) }
    }
}

import Foundation

/// A value as a store holds it, whatever the backend: what verification compares the incident row with.
public enum StoredValue: Sendable, Hashable, CustomStringConvertible {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)

    /// The integer this value holds (a real only when it is a whole number).
    public var integer: Int64? {
        switch self {
        case .integer(let value): return value
        case .real(let value): return Int64(exactly: value)
        default: return nil
        }
    }

    /// Equality as SQL compares numbers: an integer and a real of the same value are the same.
    func isSameValue(as other: StoredValue) -> Bool {
        switch (self, other) {
        case (.integer, .real), (.real, .integer): return integer != nil && integer == other.integer
        default: return self == other
        }
    }

    /// How verification names the value in a reason.
    public var description: String {
        switch self {
        case .null: return "NULL"
        case .integer(let number): return String(number)
        case .real(let number): return String(number)
        case .text(let text): return text.debugDescription
        case .blob(let data): return "a blob of \(data.count) bytes"
        }
    }
}

/// One `events` row exactly as stored (the payload as its stored text, which the hash covers).
public struct StoredEvent: Sendable, Hashable {
    public var sequence: Int64
    public var timestampMilliseconds: Int64
    public var actor: String
    public var type: String
    public var stepID: String?
    public var payloadJSON: String
    public var previousHash: String
    public var hash: String

    public init(
        sequence: Int64, timestampMilliseconds: Int64, actor: String, type: String, stepID: String?,
        payloadJSON: String, previousHash: String, hash: String
    ) {
        self.sequence = sequence
        self.timestampMilliseconds = timestampMilliseconds
        self.actor = actor
        self.type = type
        self.stepID = stepID
        self.payloadJSON = payloadJSON
        self.previousHash = previousHash
        self.hash = hash
    }
}

/// One stored output chunk, as the store read (and checked) it.
public struct StoredChunk: Sendable, Hashable {
    public var commandSequence: Int64
    public var index: Int64
    public var offsetMilliseconds: Int64
    public var data: Data

    public init(commandSequence: Int64, index: Int64, offsetMilliseconds: Int64, data: Data) {
        self.commandSequence = commandSequence
        self.index = index
        self.offsetMilliseconds = offsetMilliseconds
        self.data = data
    }
}

/// What verification reads of one incident, raw as stored, in one consistent snapshot: each backend provides it,
/// and `TranscriptVerifier` is the one verification of every backend.
public protocol VerificationSource {
    /// The incident row's columns by name (`is_drill` as an integer 0 or 1), or `nil` when there is none.
    func incidentRow() throws -> [String: StoredValue]?
    /// The incident's events in sequence order.
    func forEachEvent(_ body: (StoredEvent) throws -> Void) throws
    /// The incident's output chunks in command and chunk order; a damaged row is `TranscriptError.corruptOutput`.
    func forEachChunk(_ body: (StoredChunk) throws -> Void) throws
}

/// The verification of a transcript, over any backend's `VerificationSource`.
public enum TranscriptVerifier {
    /// Recomputes the hash chain of the incident `source` reads and reports the first broken link.
    ///
    /// A link is broken when a sequence number is missing, when `prev_hash` differs from the hash of
    /// the event before, or when `hash` differs from the hash of the event's stored content. Once the chain
    /// holds, what hangs off it is checked against it: each command's stored output against the digest its
    /// `command.finished` recorded, and the incident row against what its events imply.
    public static func verify(incidentID: Int64, from source: some VerificationSource) throws -> VerificationResult {
        let incidentRow = try source.incidentRow()
        var expected: Int64 = 1
        var previousHash = ""
        var count = 0
        var derived = DerivedIncident()
        var bindings: [Int64: OutputBinding] = [:]
        var finishedWithoutDigest: Set<Int64> = []
        var hashes: [String] = []
        var signatures: [HeadSignatureCheck] = []
        var outcome: VerificationResult?
        try source.forEachEvent { row in
            guard outcome == nil else { return }
            count += 1
            let sequence = row.sequence
            func broken(_ reason: String) -> VerificationResult {
                VerificationResult(
                    incidentID: incidentID, eventCount: count, firstBrokenSequence: sequence, reason: reason)
            }
            if sequence != expected {
                outcome = VerificationResult(
                    incidentID: incidentID, eventCount: count, firstBrokenSequence: expected,
                    reason: "event #\(expected) is missing (next stored event is #\(sequence))")
                return
            }
            if row.previousHash != previousHash {
                outcome = broken("prev_hash does not match the hash of event #\(sequence - 1)")
                return
            }
            let canonical = EventHash.canonicalEncoding(
                incidentID: incidentID, sequence: sequence, timestampMilliseconds: row.timestampMilliseconds,
                actor: row.actor, type: row.type, stepID: row.stepID, payloadJSON: row.payloadJSON)
            let hash = row.hash
            if EventHash.hash(previousHash: previousHash, canonical: canonical) != hash {
                outcome = broken("the stored event does not match its hash (its content was changed)")
                return
            }
            if sequence == 1, let mismatch = Self.declarationMismatch(incidentRow, payload: row.payloadJSON) {
                outcome = broken("the incident row no longer matches its declaration (\(mismatch))")
                return
            }
            // The event is intact: what it says about the incident row and the output is now trusted.
            if let type = EventType(rawValue: row.type), let payload = try? JSONValue(parsing: row.payloadJSON) {
                derived.apply(type, payload: payload, sequence: sequence, milliseconds: row.timestampMilliseconds)
                if type == .chainSigned {
                    switch Self.checkSignature(payload, incidentID: incidentID, hashes: hashes) {
                    case .success(let (head, key)):
                        signatures.append(
                            HeadSignatureCheck(
                                sequence: sequence, head: head, actor: row.actor,
                                reason: payload["reason"]?.stringValue ?? "", key: key.base64,
                                fingerprint: key.fingerprint))
                    case .failure(let problem):
                        outcome = broken(problem.reason)
                        return
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
        if let outcome { return outcome }
        var result = VerificationResult(incidentID: incidentID, eventCount: count)
        result.signatures = signatures
        if let broken = try outputMismatch(source, incidentID: incidentID, bindings: bindings, result: &result) {
            return broken
        }
        if let (sequence, reason) = Self.rowMismatch(incidentRow, derived: derived) {
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
    private static func outputMismatch(
        _ source: some VerificationSource, incidentID: Int64, bindings: [Int64: OutputBinding],
        result: inout VerificationResult
    ) throws -> VerificationResult? {
        func broken(_ command: Int64, _ reason: String) -> VerificationResult {
            VerificationResult(
                incidentID: incidentID, eventCount: result.eventCount, firstBrokenSequence: command, reason: reason)
        }
        var digests: [Int64: OutputDigest] = [:]
        do {
            try source.forEachChunk { stored in
                digests[stored.commandSequence, default: OutputDigest()].add(
                    index: stored.index, offsetMilliseconds: stored.offsetMilliseconds, bytes: stored.data)
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
    private static func declarationMismatch(_ row: [String: StoredValue]?, payload: String) -> String? {
        guard let declared = try? JSONValue(parsing: payload), let row else { return "declaration unreadable" }
        let policyValue: JSONValue?
        if case .text(let text)? = row["policy_snapshot"] {
            policyValue = try? JSONValue(parsing: text)
        } else {
            policyValue = nil
        }
        func matches(_ column: String, _ value: String?) -> Bool {
            guard let value else { return false }
            return row[column] == .text(value)
        }
        let checks: [(String, Bool)] = [
            ("title", matches("title", declared["title"]?.stringValue)),
            ("runbook", matches("runbook", declared["runbook"]?.stringValue)),
            ("environment", matches("environment", declared["environment"]?.stringValue)),
            ("drill", declared["drill"]?.boolValue.map { Int64($0 ? 1 : 0) } == row["is_drill"]?.integer),
            ("host", matches("host", declared["host"]?.stringValue)),
            ("user", matches("user", declared["user"]?.stringValue)),
            // Compared as values, not text: rows written by other versions may format the same JSON differently.
            ("policy", declared["policy"] == policyValue),
        ]
        return checks.first { !$0.1 }?.0
    }

    /// The first column of the incident row that differs from what the (verified) events imply, with the event
    /// that set the expected value and the reason.
    private static func rowMismatch(_ row: [String: StoredValue]?, derived: DerivedIncident) -> (Int64, String)? {
        guard let row else { return nil }
        for (column, expected) in derived.columns {
            let stored = row[column] ?? .null
            if !stored.isSameValue(as: expected.value) {
                return (
                    expected.sequence,
                    "the incident row no longer matches its events (\(column): the row holds \(stored), "
                        + "event #\(expected.sequence) makes it \(expected.value))"
                )
            }
        }
        return nil
    }
}

/// The incident row's event-driven columns as the events set them (the same rules as `applyToIncident`).
private struct DerivedIncident {
    /// Each column's value and the event that set it.
    var status: (StoredValue, Int64) = (.text("open"), 1)
    var severity: (StoredValue, Int64) = (.null, 1)
    var declaredAt: (StoredValue, Int64) = (.null, 1)
    var acknowledgedAt: (StoredValue, Int64) = (.null, 1)
    var mitigatedAt: (StoredValue, Int64) = (.null, 1)
    var resolvedAt: (StoredValue, Int64) = (.null, 1)

    var columns: [(String, (value: StoredValue, sequence: Int64))] {
        let columns: [(String, (StoredValue, Int64))] = [
            ("status", status), ("severity", severity), ("declared_at_ms", declaredAt),
            ("acknowledged_at_ms", acknowledgedAt), ("mitigated_at_ms", mitigatedAt),
            ("resolved_at_ms", resolvedAt),
        ]
        return columns.map { name, set in (name, (value: set.0, sequence: set.1)) }
    }

    mutating func apply(_ type: EventType, payload: JSONValue, sequence: Int64, milliseconds: Int64) {
        let time = StoredValue.integer(milliseconds)
        switch type {
        case .incidentDeclared:
            declaredAt = (time, sequence)
            if let text = payload["severity"]?.stringValue, let parsed = Severity(parsing: text) {
                severity = (.text(parsed.rawValue), sequence)
            }
        case .severityChanged:
            if let text = payload["to"]?.stringValue, let parsed = Severity(parsing: text) {
                severity = (.text(parsed.rawValue), sequence)
            }
        case .statusChanged:
            if let text = payload["to"]?.stringValue, let parsed = IncidentStatus(rawValue: text) {
                setStatus(parsed, time: time, sequence: sequence)
            }
        case .incidentResolved:
            setStatus(.resolved, time: time, sequence: sequence)
        case .ackReceived:
            if acknowledgedAt.0 == .null { acknowledgedAt = (time, sequence) }
        default: break
        }
    }

    private mutating func setStatus(_ value: IncidentStatus, time: StoredValue, sequence: Int64) {
        status = (.text(value.rawValue), sequence)
        if value == .mitigated, mitigatedAt.0 == .null { mitigatedAt = (time, sequence) }
        if value == .resolved || value == .abandoned, resolvedAt.0 == .null { resolvedAt = (time, sequence) }
    }
}

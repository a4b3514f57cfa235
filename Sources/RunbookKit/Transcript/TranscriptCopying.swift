import Foundation

/// One incident exactly as a store holds it: the row, every event with its stored payload text and hashes, and
/// every output chunk. What `runbook store copy` moves from one backend to another, unchanged.
public struct StoredIncident: Sendable, Hashable {
    public var id: Int64
    public var title: String
    public var runbook: String
    public var environment: String
    public var severity: String
    public var status: String
    public var isDrill: Bool
    public var declaredAtMilliseconds: Int64
    public var acknowledgedAtMilliseconds: Int64?
    public var mitigatedAtMilliseconds: Int64?
    public var resolvedAtMilliseconds: Int64?
    public var host: String
    public var user: String
    /// The policy snapshot as stored (canonical JSON text), or `nil`.
    public var policySnapshot: String?
    public var incidentKey: String?
    public var clockSpeed: Double
    public var clockOriginMilliseconds: Int64?
    /// Every event in sequence order, as stored.
    public var events: [StoredEvent] = []
    /// Every output chunk in command and chunk order, its bytes as recorded (inflated when a store deflated them).
    public var chunks: [StoredChunk] = []

    public init(
        id: Int64, title: String, runbook: String, environment: String, severity: String, status: String,
        isDrill: Bool, declaredAtMilliseconds: Int64, acknowledgedAtMilliseconds: Int64?,
        mitigatedAtMilliseconds: Int64?, resolvedAtMilliseconds: Int64?, host: String, user: String,
        policySnapshot: String?, incidentKey: String?, clockSpeed: Double, clockOriginMilliseconds: Int64?
    ) {
        self.id = id
        self.title = title
        self.runbook = runbook
        self.environment = environment
        self.severity = severity
        self.status = status
        self.isDrill = isDrill
        self.declaredAtMilliseconds = declaredAtMilliseconds
        self.acknowledgedAtMilliseconds = acknowledgedAtMilliseconds
        self.mitigatedAtMilliseconds = mitigatedAtMilliseconds
        self.resolvedAtMilliseconds = resolvedAtMilliseconds
        self.host = host
        self.user = user
        self.policySnapshot = policySnapshot
        self.incidentKey = incidentKey
        self.clockSpeed = clockSpeed
        self.clockOriginMilliseconds = clockOriginMilliseconds
    }

    /// The bytes of output the incident holds.
    public var outputBytes: Int { chunks.reduce(0) { $0 + $1.data.count } }
}

/// A store that can hand out its incidents exactly as stored and take them in the same way: the raw copy under
/// `runbook store copy`. Only incidents, events and output are copied; the escalation tables (timers, outbox, the
/// escalator's lease) and the driver leases are not.
///
/// Incident ids are kept: the hash of every event covers its incident's id (`EventHash`), so an incident copied
/// under another id would no longer verify. A destination that already holds an id or an incident key refuses.
public protocol TranscriptCopying: TranscriptStore {
    /// The id and incident key of every incident, by id.
    func incidentIdentities() throws -> [(id: Int64, key: String?)]
    /// One incident as stored, read in one snapshot, or `nil` when there is none.
    func storedIncident(_ id: Int64) throws -> StoredIncident?
    /// Inserts `incident` as given (its id, its events' hashes, its output bytes: nothing re-hashed or
    /// re-redacted) in one transaction: all of it or nothing. A taken id or key fails the transaction.
    func insertStoredIncident(_ incident: StoredIncident) throws
    /// The store's verification of one incident (`TranscriptVerifier`).
    func verify(incidentID: Int64) throws -> VerificationResult
}

/// `StoredIncident` as a `VerificationSource`: the copy checks exactly what it read, before it writes it.
struct StoredIncidentSource: VerificationSource {
    let incident: StoredIncident

    func incidentRow() throws -> [String: StoredValue]? {
        func integer(_ value: Int64?) -> StoredValue { value.map(StoredValue.integer) ?? .null }
        return [
            "title": .text(incident.title), "runbook": .text(incident.runbook),
            "environment": .text(incident.environment), "is_drill": .integer(incident.isDrill ? 1 : 0),
            "host": .text(incident.host), "user": .text(incident.user),
            "policy_snapshot": incident.policySnapshot.map(StoredValue.text) ?? .null,
            "severity": .text(incident.severity), "status": .text(incident.status),
            "declared_at_ms": .integer(incident.declaredAtMilliseconds),
            "acknowledged_at_ms": integer(incident.acknowledgedAtMilliseconds),
            "mitigated_at_ms": integer(incident.mitigatedAtMilliseconds),
            "resolved_at_ms": integer(incident.resolvedAtMilliseconds),
        ]
    }

    func forEachEvent(_ body: (StoredEvent) throws -> Void) throws {
        for event in incident.events { try body(event) }
    }

    func forEachChunk(_ body: (StoredChunk) throws -> Void) throws {
        for chunk in incident.chunks { try body(chunk) }
    }
}

import Foundation

/// Lifecycle of an incident.
public enum IncidentStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case open, mitigated, resolved, abandoned
}

/// An event as committed: append-only and hash-chained.
public struct RecordedEvent: Sendable, Hashable, Encodable {
    public var incidentID: Int64
    /// 1, 2, 3… within the incident.
    public var sequence: Int64
    /// UTC, millisecond precision.
    public var timestamp: Date
    /// `user@host` of whoever caused it.
    public var actor: String
    public var type: EventType
    public var stepID: String?
    public var payload: JSONValue
    /// Hex SHA-256 of the previous event of the incident ("" for the first).
    public var previousHash: String
    /// Hex SHA-256 over `previousHash` and the canonical encoding of this event.
    public var hash: String

    public init(
        incidentID: Int64, sequence: Int64, timestamp: Date, actor: String, type: EventType, stepID: String?,
        payload: JSONValue, previousHash: String, hash: String
    ) {
        self.incidentID = incidentID
        self.sequence = sequence
        self.timestamp = timestamp
        self.actor = actor
        self.type = type
        self.stepID = stepID
        self.payload = payload
        self.previousHash = previousHash
        self.hash = hash
    }
}

/// What is known when an incident is declared.
public struct IncidentDeclaration: Sendable, Hashable {
    public var title: String
    public var runbook: String
    public var environment: String
    public var severity: Severity
    public var isDrill: Bool
    public var host: String
    public var user: String
    /// The matrix row (and contacts) in force at declaration; later edits of the matrix never change it.
    public var policySnapshot: JSONValue?
    /// How a drill was set up (`DrillSetup.payload`): recorded as `drill_setup` so that a resume runs it the same way.
    public var drillSetup: JSONValue?
    /// The incident's random key; `nil` draws one (a fixed key is for reproducible fixtures).
    public var incidentKey: String?

    public init(
        title: String, runbook: String, environment: String, severity: Severity, isDrill: Bool = false,
        host: String, user: String, policySnapshot: JSONValue? = nil, drillSetup: JSONValue? = nil,
        incidentKey: String? = nil
    ) {
        self.incidentKey = incidentKey
        self.drillSetup = drillSetup
        self.title = title
        self.runbook = runbook
        self.environment = environment
        self.severity = severity
        self.isDrill = isDrill
        self.host = host
        self.user = user
        self.policySnapshot = policySnapshot
    }
}

/// An incident row.
public struct Incident: Sendable, Hashable, Encodable {
    public var id: Int64
    public var title: String
    public var runbook: String
    public var environment: String
    public var severity: Severity
    public var status: IncidentStatus
    public var isDrill: Bool
    public var declaredAt: Date
    public var acknowledgedAt: Date?
    public var mitigatedAt: Date?
    public var resolvedAt: Date?
    public var host: String
    public var user: String
    public var policySnapshot: JSONValue?
    /// A random id drawn at declaration: unique across databases (which all number incidents from 1), so it
    /// forms PagerDuty's `dedup_key`.
    public var incidentKey: String?

    public init(
        id: Int64, title: String, runbook: String, environment: String, severity: Severity, status: IncidentStatus,
        isDrill: Bool, declaredAt: Date, acknowledgedAt: Date? = nil, mitigatedAt: Date? = nil,
        resolvedAt: Date? = nil, host: String, user: String, policySnapshot: JSONValue? = nil,
        incidentKey: String? = nil
    ) {
        self.incidentKey = incidentKey
        self.id = id
        self.title = title
        self.runbook = runbook
        self.environment = environment
        self.severity = severity
        self.status = status
        self.isDrill = isDrill
        self.declaredAt = declaredAt
        self.acknowledgedAt = acknowledgedAt
        self.mitigatedAt = mitigatedAt
        self.resolvedAt = resolvedAt
        self.host = host
        self.user = user
        self.policySnapshot = policySnapshot
    }
}

/// A piece of a command's output with its time offset from the command's start.
public struct OutputChunk: Sendable, Hashable {
    /// Seconds since the command started.
    public var offset: TimeInterval
    /// The bytes as the program wrote them (redacted before storage).
    public var data: Data

    public init(offset: TimeInterval, data: Data) {
        self.offset = offset
        self.data = data
    }
}

import Foundation
import RunbookKit

/// A `TranscriptStore` held in memory, for unit tests of code that only reads or appends through the protocol.
///
/// It follows the protocol's contract where readers can see it (sequence numbers, incident columns that follow
/// from events) but its hashes are placeholders: tests of the hash chain belong to the real store.
public final class InMemoryTranscriptStore: TranscriptStore, @unchecked Sendable {
    private let lock = NSLock()
    private var incidentsByID: [Int64: Incident] = [:]
    private var eventsByIncident: [Int64: [RecordedEvent]] = [:]
    private var outputByCommand: [String: [OutputChunk]] = [:]
    private var nextIncidentID: Int64 = 1

    public init() {}

    /// Stores everything as given.
    public var redactor: (any TextRedacting)? { nil }

    /// The error a fake raises for an unknown incident.
    public struct UnknownIncident: Error, Equatable {
        public var id: Int64
    }

    public func declareIncident(_ declaration: IncidentDeclaration, actor: String, at time: Date) throws -> (
        Incident, RecordedEvent
    ) {
        let incident = lock.withLock { () -> Incident in
            let incident = Incident(
                id: nextIncidentID, title: declaration.title, runbook: declaration.runbook,
                environment: declaration.environment, severity: declaration.severity, status: .open,
                isDrill: declaration.isDrill, declaredAt: time, host: declaration.host, user: declaration.user,
                policySnapshot: declaration.policySnapshot)
            nextIncidentID += 1
            incidentsByID[incident.id] = incident
            eventsByIncident[incident.id] = []
            return incident
        }
        // The same fields as SQLiteTranscriptStore records.
        var payload: [String: JSONValue] = [
            "title": .string(declaration.title), "runbook": .string(declaration.runbook),
            "environment": .string(declaration.environment), "severity": .string(declaration.severity.rawValue),
            "drill": .bool(declaration.isDrill), "host": .string(declaration.host), "user": .string(declaration.user),
        ]
        if let policy = declaration.policySnapshot { payload["policy"] = policy }
        let event = try append(
            EventDraft(.incidentDeclared, payload: .object(payload)), to: incident.id, actor: actor, at: time)
        return (incident, event)
    }

    public func append(_ draft: EventDraft, to incidentID: Int64, actor: String, at time: Date) throws
        -> RecordedEvent
    {
        try lock.withLock {
            guard var incident = incidentsByID[incidentID] else { throw UnknownIncident(id: incidentID) }
            let previous = eventsByIncident[incidentID]?.last
            let sequence = (previous?.sequence ?? 0) + 1
            let event = RecordedEvent(
                incidentID: incidentID, sequence: sequence, timestamp: time, actor: actor, type: draft.type,
                stepID: draft.stepID, payload: draft.payload, previousHash: previous?.hash ?? "",
                hash: "fake-\(incidentID)-\(sequence)")
            eventsByIncident[incidentID, default: []].append(event)
            Self.apply(event, to: &incident)
            incidentsByID[incidentID] = incident
            return event
        }
    }

    public func appendOutput(_ chunks: [OutputChunk], incidentID: Int64, commandSequence: Int64) throws {
        try lock.withLock {
            guard incidentsByID[incidentID] != nil else { throw UnknownIncident(id: incidentID) }
            outputByCommand["\(incidentID)/\(commandSequence)", default: []].append(contentsOf: chunks)
        }
    }

    public func incident(_ id: Int64) throws -> Incident? {
        lock.withLock { incidentsByID[id] }
    }

    public func incidents(openOnly: Bool, drillsOnly: Bool) throws -> [Incident] {
        lock.withLock {
            incidentsByID.values
                .filter { (!openOnly || $0.status == .open) && (!drillsOnly || $0.isDrill) }
                .sorted { ($0.declaredAt, $0.id) > ($1.declaredAt, $1.id) }
        }
    }

    public func events(incidentID: Int64) throws -> [RecordedEvent] {
        lock.withLock { eventsByIncident[incidentID] ?? [] }
    }

    public func output(incidentID: Int64, commandSequence: Int64) throws -> [OutputChunk] {
        lock.withLock { outputByCommand["\(incidentID)/\(commandSequence)"] ?? [] }
    }

    /// The incident columns that follow from an event, as the protocol asks of every store.
    private static func apply(_ event: RecordedEvent, to incident: inout Incident) {
        switch event.type {
        case .severityChanged:
            if let to = event.payload["to"]?.stringValue, let severity = Severity(parsing: to) {
                incident.severity = severity
            }
        case .ackReceived:
            if incident.acknowledgedAt == nil { incident.acknowledgedAt = event.timestamp }
        case .statusChanged:
            if let to = event.payload["to"]?.stringValue, let status = IncidentStatus(rawValue: to) {
                incident.status = status
                if status == .mitigated, incident.mitigatedAt == nil { incident.mitigatedAt = event.timestamp }
                if status == .resolved, incident.resolvedAt == nil { incident.resolvedAt = event.timestamp }
            }
        case .incidentResolved:
            incident.status = .resolved
            if incident.resolvedAt == nil { incident.resolvedAt = event.timestamp }
        default:
            break
        }
    }
}

import Foundation
import RunbookKit

/// A transcript store in memory, for unit tests of logic. It applies the same incident-column updates as the
/// SQLite store (severity, status, acknowledged/mitigated/resolved times) but does not hash.
public final class InMemoryTranscriptStore: TranscriptStore, @unchecked Sendable {
    private let lock = NSLock()
    private var incidentRows: [Int64: Incident] = [:]
    private var eventRows: [Int64: [RecordedEvent]] = [:]
    private var outputRows: [String: [OutputChunk]] = [:]

    public init() {}

    public func declareIncident(_ declaration: IncidentDeclaration, actor: String, at time: Date) throws -> (
        Incident, RecordedEvent
    ) {
        let incident = lock.withLock {
            let id = Int64(incidentRows.count + 1)
            let incident = Incident(
                id: id, title: declaration.title, runbook: declaration.runbook, environment: declaration.environment,
                severity: declaration.severity, status: .open, isDrill: declaration.isDrill, declaredAt: time,
                host: declaration.host, user: declaration.user, policySnapshot: declaration.policySnapshot)
            incidentRows[id] = incident
            return incident
        }
        let event = try append(
            EventDraft(
                .incidentDeclared,
                payload: [
                    "title": .string(declaration.title), "runbook": .string(declaration.runbook),
                    "environment": .string(declaration.environment), "severity": .string(declaration.severity.rawValue),
                    "is_drill": .bool(declaration.isDrill),
                ]), to: incident.id, actor: actor, at: time)
        return (incident, event)
    }

    public func append(_ draft: EventDraft, to incidentID: Int64, actor: String, at time: Date) throws
        -> RecordedEvent
    {
        try lock.withLock {
            guard var incident = incidentRows[incidentID] else {
                throw FakeStoreError(description: "no incident \(incidentID)")
            }
            let previous = eventRows[incidentID]?.last
            let event = RecordedEvent(
                incidentID: incidentID, sequence: (previous?.sequence ?? 0) + 1, timestamp: time, actor: actor,
                type: draft.type, stepID: draft.stepID, payload: draft.payload, previousHash: previous?.hash ?? "",
                hash: UUID().uuidString)
            eventRows[incidentID, default: []].append(event)
            switch draft.type {
            case .severityChanged:
                if let to = draft.payload["to"]?.stringValue.flatMap(Severity.init(parsing:)) { incident.severity = to }
            case .statusChanged:
                if let to = draft.payload["to"]?.stringValue.flatMap(IncidentStatus.init(rawValue:)) {
                    incident.status = to
                    if to == .mitigated { incident.mitigatedAt = time }
                }
            case .ackReceived where incident.acknowledgedAt == nil:
                incident.acknowledgedAt = time
            case .incidentResolved:
                incident.status = .resolved
                incident.resolvedAt = time
            default: break
            }
            incidentRows[incidentID] = incident
            return event
        }
    }

    public func appendOutput(_ chunks: [OutputChunk], incidentID: Int64, commandSequence: Int64) throws {
        lock.withLock { outputRows["\(incidentID)/\(commandSequence)", default: []].append(contentsOf: chunks) }
    }

    public func incident(_ id: Int64) throws -> Incident? { lock.withLock { incidentRows[id] } }

    public func incidents(openOnly: Bool, drillsOnly: Bool) throws -> [Incident] {
        lock.withLock {
            incidentRows.values
                .filter { (!openOnly || $0.status == .open || $0.status == .mitigated) && (!drillsOnly || $0.isDrill) }
                .sorted { $0.id > $1.id }
        }
    }

    public func events(incidentID: Int64) throws -> [RecordedEvent] { lock.withLock { eventRows[incidentID] ?? [] } }

    public func output(incidentID: Int64, commandSequence: Int64) throws -> [OutputChunk] {
        lock.withLock { outputRows["\(incidentID)/\(commandSequence)"] ?? [] }
    }
}

/// An error of the in-memory store.
public struct FakeStoreError: Error, CustomStringConvertible {
    public var description: String
}

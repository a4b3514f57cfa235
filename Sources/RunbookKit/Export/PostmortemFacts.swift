import Foundation

/// The events a postmortem's sections are written from, collected while `IncidentReport.Builder` reads the
/// transcript: the facts responders recorded (`impact-start`, `detected`, `cause`, `action`), the resolution, and
/// the key moments. Only these few events are kept, never the notes or the commands.
public struct PostmortemFacts: Sendable {
    /// The last `impact.started` (a later one corrects an earlier one).
    public private(set) var impactStart: RecordedEvent?
    /// The last `incident.detected`.
    public private(set) var detection: RecordedEvent?
    /// Every `cause.added`, in order.
    public private(set) var causes: [RecordedEvent] = []
    /// Every `action.added`, in order.
    public private(set) var actions: [RecordedEvent] = []
    /// The `incident.declared` event.
    public private(set) var declaration: RecordedEvent?
    /// The first `ack.received`.
    public private(set) var firstAcknowledgement: RecordedEvent?
    /// The first `status.changed` to `mitigated`.
    public private(set) var mitigation: RecordedEvent?
    /// The last `incident.resolved` (its `summary` is the postmortem's summary).
    public private(set) var resolution: RecordedEvent?
    /// Severity changes, escalations and hand-offs, in order: key moments besides the ones above.
    public private(set) var turningPoints: [RecordedEvent] = []

    /// An empty collection.
    public init() {}

    /// Takes the next event; events no section needs are ignored.
    public mutating func add(_ event: RecordedEvent) {
        switch event.type {
        case .impactStarted: impactStart = event
        case .incidentDetected: detection = event
        case .causeAdded: causes.append(event)
        case .actionAdded: actions.append(event)
        case .incidentDeclared: if declaration == nil { declaration = event }
        case .ackReceived: if firstAcknowledgement == nil { firstAcknowledgement = event }
        case .statusChanged:
            if mitigation == nil, event.payload["to"]?.stringValue == "mitigated" { mitigation = event }
        case .incidentResolved: resolution = event
        case .severityChanged, .escalationTriggered, .handoff: turningPoints.append(event)
        default: break
        }
    }

    /// When an `impact.started` or `incident.detected` says the fact happened (`at_ms`), else when it was recorded.
    public static func time(of event: RecordedEvent) -> Date {
        guard let milliseconds = event.payload["at_ms"]?.doubleValue else { return event.timestamp }
        return Date(timeIntervalSince1970: milliseconds / 1000)
    }

    /// When the impact began, when recorded.
    public var impactStartTime: Date? { impactStart.map(Self.time) }

    /// When the problem was detected, when recorded.
    public var detectionTime: Date? { detection.map(Self.time) }
}

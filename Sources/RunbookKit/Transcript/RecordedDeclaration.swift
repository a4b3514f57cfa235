import Foundation

extension TranscriptStore {
    /// `payload` with the store's redactor applied to every string in it: what each store writes of an event's
    /// payload (one redaction point for every backend).
    public func redactedForStorage(_ payload: JSONValue) -> JSONValue {
        guard let redactor else { return payload }
        return payload.redacted(by: redactor)
    }
}

/// What a store records of a declaration: the incident row's values and the `incident.declared` payload, redacted
/// with the store's redactor. Every backend builds its row and first event from this one value.
public struct RecordedDeclaration: Sendable, Hashable {
    /// The redacted title.
    public var title: String
    /// The redacted policy snapshot.
    public var policy: JSONValue?
    /// The `incident.declared` payload (redacted).
    public var payload: JSONValue
    /// The incident's random key (`IncidentDeclaration.incidentKey`, else drawn).
    public var incidentKey: String
    /// The incident clock: a drill's runs `clockSpeed` times faster from its origin (the escalator fires on it).
    public var clockSpeed: Double
    /// The drill clock's origin, in milliseconds since 1970, or `nil`.
    public var clockOriginMilliseconds: Int64?

    /// The record of `declaration` as `store` writes it.
    public init(_ declaration: IncidentDeclaration, redactingWith store: some TranscriptStore) {
        let title = store.redactor?.redact(declaration.title) ?? declaration.title
        let policy = declaration.policySnapshot.map { store.redactedForStorage($0) }
        var payload: [String: JSONValue] = [
            "title": .string(title), "runbook": .string(declaration.runbook),
            "environment": .string(declaration.environment), "severity": .string(declaration.severity.rawValue),
            "drill": .bool(declaration.isDrill), "host": .string(declaration.host), "user": .string(declaration.user),
        ]
        if let policy { payload["policy"] = policy }
        if let setup = declaration.drillSetup { payload["drill_setup"] = setup }
        let key = declaration.incidentKey ?? Self.randomIncidentKey()
        payload["incident_key"] = .string(key)
        let speed = declaration.drillSetup?["speed"]?.doubleValue ?? 1
        self.title = title
        self.policy = policy
        self.payload = .object(payload)
        self.incidentKey = key
        self.clockSpeed = speed > 0 ? speed : 1
        self.clockOriginMilliseconds = declaration.drillSetup?["clock_origin_ms"]?.doubleValue.map { Int64($0) }
    }

    /// 128 random bits as 32 hex digits.
    public static func randomIncidentKey() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}

/// How an event changes its incident's row (severity, status, acknowledgement): the one reading of the payloads,
/// which each backend turns into its own SQL in the append transaction.
public enum IncidentRowChange: Sendable, Hashable {
    case severity(Severity)
    case status(IncidentStatus)
    case acknowledged

    /// The change `draft` makes, `nil` when it makes none; a payload that names no valid value is `invalidPayload`.
    public init?(_ draft: EventDraft) throws {
        switch draft.type {
        case .severityChanged:
            guard let text = draft.payload["to"]?.stringValue, let severity = Severity(parsing: text) else {
                throw TranscriptError.invalidPayload(type: draft.type, detail: "`to` must be P0, P1, P2 or P3")
            }
            self = .severity(severity)
        case .statusChanged:
            guard let text = draft.payload["to"]?.stringValue, let status = IncidentStatus(rawValue: text) else {
                throw TranscriptError.invalidPayload(
                    type: draft.type, detail: "`to` must be open, mitigated, resolved or abandoned")
            }
            self = .status(status)
        case .incidentResolved: self = .status(.resolved)
        case .ackReceived: self = .acknowledged
        default: return nil
        }
    }
}

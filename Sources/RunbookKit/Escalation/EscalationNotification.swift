import Foundation

/// A message to every configured channel, channel-neutral; each notifier renders it its own way.
///
/// It is stored as the outbox row's payload (JSON), so delivery after a restart sends exactly what was
/// decided when the event was recorded.
public struct EscalationNotification: Sendable, Hashable, Codable {
    /// Why the channels are told.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// Nobody acknowledged in time (first escalation or a repeat).
        case escalation
        /// The severity went up while unacknowledged: the new severity's targets are paged at once.
        case severityUpgrade = "severity_upgrade"
        /// Someone acknowledged.
        case acknowledge
        /// The incident was resolved.
        case resolve
    }

    public var kind: Kind
    public var incidentID: Int64
    public var title: String
    public var runbook: String
    public var severity: Severity
    public var isDrill: Bool
    /// Who is paged (escalations and upgrades); empty otherwise.
    public var targets: [EscalationTarget]
    /// 0 for the first escalation, 1… for repeats; `nil` for other kinds.
    public var `repeat`: Int?
    /// The repeat limit of the snapshot, to say "repeat 2 of 3".
    public var repeatLimit: Int
    /// The severity's response time in matrix wording (`15 minutes`).
    public var responseTime: String?
    /// Who acknowledged or resolved, when known.
    public var actor: String?
    /// When it happened, on the incident clock.
    public var occurredAt: Date
    /// The one-line human message, already prefixed with `[DRILL]` for drills.
    public var message: String
    /// The incident's random id, unique across databases: PagerDuty's `dedup_key` is built from it.
    public var incidentKey: String?
    /// The incident's chain head when the notification was decided (set by the store in the same transaction): a
    /// copy of it outside the database, which `runbook verify --anchor SEQ:HASH` checks the database against.
    /// `nil` in rows written before notifications carried it.
    public var chainHead: ChainHead?

    public init(
        kind: Kind, incidentID: Int64, title: String, runbook: String, severity: Severity, isDrill: Bool,
        targets: [EscalationTarget] = [], repeat: Int? = nil, repeatLimit: Int = EscalationSnapshot.defaultRepeatLimit,
        responseTime: String? = nil, actor: String? = nil, occurredAt: Date, message: String,
        incidentKey: String? = nil
    ) {
        self.incidentKey = incidentKey
        self.kind = kind
        self.incidentID = incidentID
        self.title = title
        self.runbook = runbook
        self.severity = severity
        self.isDrill = isDrill
        self.targets = targets
        self.repeat = `repeat`
        self.repeatLimit = repeatLimit
        self.responseTime = responseTime
        self.actor = actor
        self.occurredAt = occurredAt
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case kind, title, runbook, severity, targets, message, actor
        case incidentID = "incident_id"
        case isDrill = "drill"
        case `repeat` = "repeat"
        case repeatLimit = "repeat_limit"
        case responseTime = "response_time"
        case occurredAt = "occurred_at"
        case incidentKey = "incident_key"
        case chainHead = "chain_head"
    }

    /// The canonical JSON document (snake_case keys, ISO 8601 times) used for the outbox and the exec notifier.
    public func jsonData() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(EscalationNotification.iso8601(date))
        }
        // Every member is a plain value: encoding cannot fail.
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }

    /// Reads what `jsonData()` wrote.
    public init(jsonData: Data) throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = EscalationNotification.parseISO8601(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: text))
            }
            return date
        }
        self = try decoder.decode(EscalationNotification.self, from: jsonData)
    }

    /// `2026-01-01T00:15:00.000Z`.
    public static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    static func parseISO8601(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}

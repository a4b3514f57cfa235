import Foundation

/// Sends PagerDuty Events API v2 events: `trigger` on escalation (and on a severity upgrade), `acknowledge` on
/// ack, `resolve` on resolve, all with `dedup_key` = the prefix plus the incident's random key (`runbook-` and the
/// `incident_key`), so they act on one PagerDuty alert and never on another database's incident with the same number;
/// rows written before incidents had keys fall back to the incident id (`runbook-42`).
///
/// The routing key is a secret: it comes from the environment variable named in the configuration
/// (`routing_key_env: PAGERDUTY_ROUTING_KEY`), never from the file.
public struct PagerDutyNotifier: Notifier {
    /// The public Events API v2 endpoint.
    public static let defaultEndpoint = URL(string: "https://events.pagerduty.com/v2/enqueue")!

    public let channel: String
    /// The integration's routing key, or `nil` when the variable is not set.
    public let routingKey: String?
    /// The environment variable that holds the routing key, for error messages.
    public let routingKeyVariable: String
    public let endpoint: URL
    /// Put in front of the incident key to form the `dedup_key`.
    public let dedupKeyPrefix: String
    /// `payload.source`: the host the responder works on.
    public let source: String
    /// Whether drills are sent here too (`drills: true`); by default they are not.
    public let drills: Bool
    public var timeout: TimeInterval { poster.timeout }
    private let poster: HTTPPoster

    public init(
        channel: String, routingKey: String?, routingKeyVariable: String = "PAGERDUTY_ROUTING_KEY",
        endpoint: URL = PagerDutyNotifier.defaultEndpoint, dedupKeyPrefix: String = "runbook-",
        source: String = ProcessInfo.processInfo.hostName, drills: Bool = false, timeout: TimeInterval = 5
    ) {
        self.channel = channel
        self.routingKey = routingKey
        self.routingKeyVariable = routingKeyVariable
        self.endpoint = endpoint
        self.dedupKeyPrefix = dedupKeyPrefix
        self.source = source
        self.drills = drills
        self.poster = HTTPPoster(timeout: timeout)
    }

    public func accepts(_ notification: EscalationNotification) -> Bool { drills || !notification.isDrill }

    public func close() { poster.close() }

    public func deliver(_ notification: EscalationNotification) -> DeliveryResult {
        guard let routingKey, !routingKey.isEmpty else {
            return .permanent(error: "\(routingKeyVariable) is not set; export the PagerDuty routing key in it")
        }
        return poster.post(payload(for: notification, routingKey: routingKey).canonicalData(), to: endpoint)
    }

    /// P0 → critical, P1 → error, P2 → warning, P3 → info.
    public static func pagerDutySeverity(_ severity: Severity) -> String {
        switch severity {
        case .p0: return "critical"
        case .p1: return "error"
        case .p2: return "warning"
        case .p3: return "info"
        }
    }

    /// The `dedup_key` of the incident's alert: the prefix and the incident key (the incident id for rows written
    /// before incidents had keys).
    public func dedupKey(for notification: EscalationNotification) -> String {
        dedupKeyPrefix + (notification.incidentKey ?? String(notification.incidentID))
    }

    /// The event body.
    public func payload(for notification: EscalationNotification, routingKey: String) -> JSONValue {
        let dedupKey = JSONValue.string(dedupKey(for: notification))
        switch notification.kind {
        case .acknowledge, .resolve:
            return [
                "routing_key": .string(routingKey), "event_action": .string(notification.kind.rawValue),
                "dedup_key": dedupKey,
            ]
        case .escalation, .severityUpgrade:
            var details: [String: JSONValue] = [
                "incident_id": .int(notification.incidentID), "title": .string(notification.title),
                "targets": .array(notification.targets.map(\.json)), "drill": .bool(notification.isDrill),
                "reason": .string(notification.kind.rawValue),
            ]
            if let number = notification.repeat { details["repeat"] = .int(Int64(number)) }
            if let time = notification.responseTime { details["response_time"] = .string(time) }
            if let key = notification.incidentKey { details["incident_key"] = .string(key) }
            if let head = notification.chainHead { details["chain_head"] = head.json }
            // A drill must never be taken for a real page: the summary says so first, whatever the message.
            let summary =
                notification.isDrill && !notification.message.hasPrefix("[DRILL]")
                ? "[DRILL] " + notification.message : notification.message
            var payload: [String: JSONValue] = [
                // PagerDuty caps the summary at 1024 characters.
                "summary": .string(String(summary.prefix(1024))), "source": .string(source),
                "severity": .string(PagerDutyNotifier.pagerDutySeverity(notification.severity)),
                "timestamp": .string(EscalationNotification.iso8601(notification.occurredAt)),
                "group": "runbook", "class": .string(notification.kind.rawValue),
                "custom_details": .object(details),
            ]
            if !notification.runbook.isEmpty { payload["component"] = .string(notification.runbook) }
            return [
                "routing_key": .string(routingKey), "event_action": "trigger", "dedup_key": dedupKey,
                "payload": .object(payload),
            ]
        }
    }
}

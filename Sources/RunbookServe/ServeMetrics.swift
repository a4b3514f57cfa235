import Foundation
import Prometheus
import RunbookKit

/// What `GET /metrics` shows, in Prometheus' text format: the service's own counters (webhooks, escalations,
/// notifications, timer lateness) and, read from the store at each scrape, open incidents by severity and the
/// notifications still pending.
public final class ServeMetrics: Sendable {
    /// The registry every metric is in (Hummingbird's request metrics too, through the metrics factory).
    public let registry: PrometheusCollectorRegistry
    let webhooksReceived: Counter
    let webhooksRejected: [Int: Counter]
    let escalationsFired: Counter
    let notificationsSent: Counter
    let notificationsFailed: Counter
    let notificationsPending: Gauge
    let openIncidents: [Severity: Gauge]
    let timerLateness: ValueHistogram

    /// The statuses a rejected webhook is counted under.
    static let rejectionStatuses = [400, 401, 413, 422, 503]

    /// Every metric, created in `registry`.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        webhooksReceived = registry.makeCounter(
            descriptor: Self.name(
                "runbook_alert_webhooks_received_total", "Alertmanager notifications taken and recorded."))
        webhooksRejected = Dictionary(
            uniqueKeysWithValues: Self.rejectionStatuses.map { status in
                (
                    status,
                    registry.makeCounter(
                        descriptor: Self.name(
                            "runbook_alert_webhooks_rejected_total",
                            "Alertmanager notifications refused, by HTTP status."), labels: [("status", String(status))]
                    )
                )
            })
        escalationsFired = registry.makeCounter(
            descriptor: Self.name(
                "runbook_escalations_fired_total", "Escalation timers fired by this service's escalator."))
        notificationsSent = registry.makeCounter(
            descriptor: Self.name(
                "runbook_notifications_sent_total", "Notifications delivered by this service's escalator."))
        notificationsFailed = registry.makeCounter(
            descriptor: Self.name(
                "runbook_notifications_failed_total", "Notification attempts that failed (retried or given up)."))
        notificationsPending = registry.makeGauge(
            descriptor: Self.name(
                "runbook_notifications_pending", "Notifications in the store's outbox not yet delivered."))
        openIncidents = Dictionary(
            uniqueKeysWithValues: Severity.allCases.map { severity in
                (
                    severity,
                    registry.makeGauge(
                        descriptor: Self.name("runbook_open_incidents", "Incidents open or mitigated, by severity."),
                        labels: [("severity", severity.rawValue)])
                )
            })
        timerLateness = registry.makeValueHistogram(
            descriptor: Self.name("runbook_timer_lateness_seconds", "How late escalation timers fired, in seconds."),
            buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60])
    }

    /// A metric's name and help text, with no unit suffix added.
    static func name(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// A notification was recorded (`status` 200) or refused.
    public func webhook(status: Int) {
        if status < 300 {
            webhooksReceived.increment()
        } else {
            webhooksRejected[status]?.increment()
        }
    }

    /// The escalator recorded `events`: escalations fired (with their lateness) and notification attempts.
    public func observe(_ events: [RecordedEvent]) {
        for event in events {
            switch event.type {
            case .escalationTriggered:
                escalationsFired.increment()
                timerLateness.record(Double(event.payload["late_by_ms"]?.intValue ?? 0) / 1000)
            case .notificationSent: notificationsSent.increment()
            case .notificationFailed: notificationsFailed.increment()
            default: break
            }
        }
    }

    /// The text of a scrape: the gauges read from `store` first. A store that does not answer leaves them as they
    /// were (`/healthz` says so).
    public func scrape(store: any EscalatorStore) -> String {
        if let open = try? store.incidents(openOnly: true, drillsOnly: false) {
            for severity in Severity.allCases {
                openIncidents[severity]?.set(to: Double(open.filter { $0.severity == severity }.count))
            }
        }
        if let load = try? store.escalatorWorkload() {
            notificationsPending.set(to: Double(load.pendingNotifications))
        }
        return registry.emitToString()
    }
}

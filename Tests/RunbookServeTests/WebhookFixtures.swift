import Foundation

/// Alertmanager webhook bodies (version 4) as Alertmanager 0.25 sends them.
enum WebhookFixtures {
    struct Alert {
        var name: String
        var status = "firing"
        var severity: String? = "critical"
        var summary: String? = "Pods are crash-looping"
        var runbookURL: String? = nil
        var extraLabels: [String: String] = [:]
        var fingerprint: String? = nil

        var labels: [String: String] {
            var labels = ["alertname": name, "namespace": "payments"]
            if let severity { labels["severity"] = severity }
            for (key, value) in extraLabels { labels[key] = value }
            return labels
        }

        var json: [String: Any] {
            var annotations: [String: String] = [:]
            if let summary { annotations["summary"] = summary }
            if let runbookURL { annotations["runbook_url"] = runbookURL }
            return [
                "status": status, "labels": labels, "annotations": annotations,
                "startsAt": "2026-12-05T05:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus:9090/graph", "fingerprint": fingerprint ?? "fp-\(name)",
            ]
        }
    }

    static func body(
        groupKey: String = "{}:{alertname=\"KubePodCrashLooping\"}", status: String? = nil, version: String = "4",
        alerts: [Alert]
    ) -> Data {
        let groupStatus = status ?? (alerts.contains { $0.status == "firing" } ? "firing" : "resolved")
        let object: [String: Any] = [
            "version": version, "groupKey": groupKey, "truncatedAlerts": 0, "status": groupStatus,
            "receiver": "runbook", "groupLabels": ["alertname": alerts.first?.name ?? ""],
            "commonLabels": [String: String](), "commonAnnotations": [String: String](),
            "externalURL": "http://alertmanager:9093", "alerts": alerts.map(\.json),
        ]
        return try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }
}

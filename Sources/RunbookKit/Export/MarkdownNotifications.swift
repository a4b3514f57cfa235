import Foundation

/// The postmortem's notifications section: what the escalator actually sent, to whom, and whether it arrived, and
/// for each escalation whether anyone was told at all, so that "Escalation to DevOps Lead" in the timeline is not
/// read as a page when nothing was sent.
enum MarkdownNotifications {
    /// The section's text (under its heading), from the `notification.*` events and the outbox rows of `report`.
    static func body(_ report: IncidentReport) -> String {
        var lines: [String] = []
        let start = report.incident.declaredAt
        let outbox = Dictionary(report.outbox.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        if report.notifications.isEmpty {
            lines.append("Nothing was sent.")
        } else {
            lines.append(MarkdownText.tableRow(["UTC", "T+", "Channel", "Notification", "To", "Result"]))
            lines.append("|---|---|---|---|---|---|")
            for event in report.notifications {
                let entry = event.payload["outbox_id"]?.intValue.flatMap { outbox[$0] }
                lines.append(
                    MarkdownText.tableRow([
                        ExportFormatting.utc(event.timestamp),
                        ExportFormatting.sinceStart(event.timestamp, start: start),
                        event.payload["channel"]?.stringValue ?? entry?.channel ?? "—",
                        event.payload["kind"]?.stringValue ?? entry?.notification.kind.rawValue ?? "—",
                        entry.map { recipients($0.notification) } ?? "—", result(event),
                    ]))
            }
        }
        let waiting = report.outbox.filter { $0.status == .pending || $0.status == .sending }
        for entry in waiting {
            lines += [
                "",
                "- Not delivered yet: \(MarkdownText.inline(entry.notification.kind.rawValue)) via "
                    + "\(MarkdownText.inline(entry.channel)) (\(entry.attempts) attempts so far).",
            ]
        }
        if !report.metrics.escalations.isEmpty {
            lines += ["", "#### What each escalation sent", ""]
            for (index, escalation) in report.metrics.escalations.enumerated() {
                let next = report.metrics.escalations.dropFirst(index + 1).first?.time
                lines.append("- " + escalationLine(escalation, next: next, report: report))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Who a notification was for: its targets' names (and contacts, when the contacts table had them).
    private static func recipients(_ notification: EscalationNotification) -> String {
        let names = notification.targets.map { $0.isResolved ? $0.displayName : $0.name }
        return names.isEmpty ? "—" : names.joined(separator: ", ")
    }

    /// `delivered (HTTP 200)`, `failed: connection refused; will retry`.
    private static func result(_ event: RecordedEvent) -> String {
        let payload = event.payload
        let attempt = payload["attempt"]?.intValue.map { " (attempt \($0))" } ?? ""
        if event.type == .notificationSent {
            let detail = (payload["detail"]?.stringValue ?? payload["status"]?.intValue.map { "status \($0)" })
            return "delivered" + attempt + (detail.map { ": \($0)" } ?? "")
        }
        var line = "failed" + attempt + ": " + (payload["error"]?.stringValue ?? "unknown error")
        if payload["will_retry"]?.boolValue == true { line += "; will retry" }
        return line
    }

    /// One escalation and what it sent: the channels it reached, or that nothing was sent.
    private static func escalationLine(_ escalation: EscalationRecord, next: Date?, report: IncidentReport) -> String {
        var line = "\(ExportFormatting.sinceStart(escalation.time, start: report.incident.declaredAt)) escalation"
        if let level = escalation.level { line += " level \(level)" }
        if !escalation.targets.isEmpty { line += " to \(escalation.targets.joined(separator: " + "))" }
        let sent = attempts(for: escalation, next: next, report: report)
        guard !sent.isEmpty else {
            return MarkdownText.inline(line) + ": **nothing was sent** (no notification channel was configured)."
        }
        return MarkdownText.inline(line + ": " + sent.joined(separator: "; ")) + "."
    }

    /// What became of the notifications of `escalation`: its outbox rows when the transcript has them (queued in
    /// the escalation's transaction, so made at its time), else the delivery attempts recorded before the next
    /// escalation.
    private static func attempts(for escalation: EscalationRecord, next: Date?, report: IncidentReport) -> [String] {
        if !report.outbox.isEmpty {
            return report.outbox.filter {
                $0.notification.kind == .escalation || $0.notification.kind == .severityUpgrade
            }.filter { abs($0.notification.occurredAt.timeIntervalSince(escalation.time)) < 1 }.map {
                "\($0.status == .sent ? "delivered" : $0.status.rawValue) via \($0.channel)"
            }
        }
        return report.notifications.filter { event in
            event.timestamp >= escalation.time && next.map { event.timestamp < $0 } ?? true
                && ["escalation", "severity_upgrade", nil].contains(event.payload["kind"]?.stringValue)
        }.map { event in
            "\(event.type == .notificationSent ? "delivered" : "failed") via "
                + (event.payload["channel"]?.stringValue ?? "?")
        }
    }
}

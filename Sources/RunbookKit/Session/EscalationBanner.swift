import Foundation

/// The line a responder's screen shows for an escalation or a delivery, or for what another responder recorded from
/// their own terminal (a note, an ack, a severity or status change, attributed to them), built from the recorded
/// event, so that every screen says exactly what was recorded: who was paged, through which channel, and whether it
/// arrived.
///
/// Nothing says PAGED unless a channel accepted the page (`notification.sent`); an escalation that no channel
/// took says "nobody was notified" and why.
public enum EscalationBanner {
    /// The banner for `event` of incident `incidentID`, or `nil` for events that have none. `isDrill` prefixes
    /// `[DRILL] `; the time the event happened leads, on the incident's clock.
    ///
    /// A banner is one line, and what others wrote into it (a note, an actor, a reason, a receiver's error, an
    /// alert's text through `runbook serve`) is shown, never obeyed (`ControlCharacters.oneLine`): a line break
    /// is shown as ` ⏎ `, so a note cannot add a line that looks like a page, and every other control character in
    /// caret notation, so `ESC [2K` or an OSC sequence cannot rewrite the screen.
    public static func text(
        for event: RecordedEvent, incidentID: Int64, isDrill: Bool, timeZone: TimeZone = .current
    ) -> String? {
        rawText(for: event, incidentID: incidentID, isDrill: isDrill, timeZone: timeZone).map(ControlCharacters.oneLine)
    }

    private static func rawText(
        for event: RecordedEvent, incidentID: Int64, isDrill: Bool, timeZone: TimeZone
    ) -> String? {
        let payload = event.payload
        let prefix = "[\(time(event.timestamp, timeZone: timeZone))] " + (isDrill ? "[DRILL] " : "")
        let channel = payload["channel"]?.stringValue ?? "?"
        let kind = payload["kind"]?.stringValue ?? "notification"
        switch event.type {
        case .escalationTriggered:
            let severity = payload["severity"]?.stringValue ?? "?"
            let targets = (payload["targets"]?.arrayValue ?? []).compactMap(targetName).joined(separator: ", ")
            var line: String
            if payload["reason"]?.stringValue == "severity_upgrade" {
                let from = payload["from"]?.stringValue ?? "?"
                line =
                    "ESCALATION: incident #\(incidentID) upgraded \(from) → \(severity) while unacknowledged, "
                    + "paging \(targets)"
            } else {
                let repeatNumber = payload["repeat"]?.intValue ?? 0
                let limit = payload["repeat_limit"]?.intValue ?? 0
                // The real time since declaration (recorded since #20); older events name the response window.
                let waited =
                    payload["unacknowledged_ms"]?.intValue.map { ElapsedWords.text(Double($0) / 1000) }
                    ?? payload["response_time"]?.stringValue
                let window = waited.map { " for \($0)" } ?? ""
                line =
                    "ESCALATION: \(severity) incident #\(incidentID) unacknowledged\(window)"
                    + (repeatNumber > 0 ? " (repeat \(repeatNumber) of \(limit))" : "") + ": escalating to \(targets)"
            }
            return prefix + line + "; " + channels(payload, isDrill: isDrill) + "; " + ackHint
        case .escalationFinished:
            let count = payload["escalations"]?.intValue ?? 0
            return prefix + "ESCALATION: repeats exhausted after \(count) escalations; nobody acknowledged; "
                + ackHint
        case .notificationSent:
            let detail = payload["detail"]?.stringValue.map { " (\($0))" } ?? ""
            if kind == "escalation" || kind == "severity_upgrade" {
                return prefix + "PAGED via \(channel): the \(kind.replacingOccurrences(of: "_", with: " ")) "
                    + "was delivered\(detail)"
            }
            return prefix + "\(channel): \(kind) delivered\(detail)"
        case .notificationFailed:
            let error = payload["error"]?.stringValue ?? "unknown error"
            let attempt = payload["attempt"]?.intValue ?? 1
            if payload["will_retry"]?.boolValue == true {
                var retry = ""
                if let next = payload["next_attempt_ms"]?.intValue {
                    retry =
                        ", retrying at " + time(Date(timeIntervalSince1970: Double(next) / 1000), timeZone: timeZone)
                }
                return prefix + "\(channel): \(kind) not delivered yet (attempt \(attempt): \(error))\(retry)"
            }
            return prefix + "NOT DELIVERED: \(channel) gave up on the \(kind) after \(attempt) attempt"
                + (attempt == 1 ? "" : "s") + ": \(error). Reach them another way."
        case .ackReceived:
            return prefix + "acknowledged by \(payload["by"]?.stringValue ?? "someone"): escalation stopped"
        case .severityChanged:
            return prefix + "severity \(payload["from"]?.stringValue ?? "?") → \(payload["to"]?.stringValue ?? "?") "
                + "by \(event.actor)" + reason(payload)
        case .noteAdded:
            return prefix + "note from \(event.actor): \(payload["text"]?.stringValue ?? "")"
        case .statusChanged:
            return prefix + "status \(payload["from"]?.stringValue ?? "?") → \(payload["to"]?.stringValue ?? "?") "
                + "by \(event.actor)" + reason(payload)
        case .incidentResolved:
            let summary = payload["summary"]?.stringValue.map { ": \($0)" } ?? ""
            return prefix + "incident #\(incidentID) resolved by \(event.actor)\(summary)"
        default:
            return nil
        }
    }

    /// ` (why)` when a change says why, else nothing.
    static func reason(_ payload: JSONValue) -> String {
        guard let why = payload["reason"]?.stringValue, !why.isEmpty else { return "" }
        return " (\(why))"
    }

    /// How every banner of an unacknowledged incident ends: what to type to stop the pages.
    public static let ackHint = "type `ack` to acknowledge"

    /// What the channels were told: the ones it was queued for, or why nobody was notified.
    static func channels(_ payload: JSONValue, isDrill: Bool) -> String {
        let names = (payload["channels"]?.arrayValue ?? []).compactMap(\.stringValue)
        guard names.isEmpty else { return "queued for " + names.joined(separator: ", ") }
        if payload["channels"] == nil { return "delivery not recorded" }
        if payload["channels_configured"]?.intValue == 0 { return noChannels }
        return isDrill
            ? "nobody was notified: no channel takes drills (`drills: true` in notifiers.yaml)"
            : "nobody was notified: no configured channel takes this notification (notify_on in notifiers.yaml)"
    }

    /// The words for an escalation that reached nobody.
    public static let noChannels = "nobody was notified: no notifiers are configured (runbooks/notifiers.yaml)"

    static func targetName(_ json: JSONValue) -> String? {
        guard let name = json["name"]?.stringValue else { return nil }
        return EscalationTarget(
            name: name, role: json["role"]?.stringValue, contact: json["contact"]?.stringValue, availability: nil
        ).displayName
    }

    static func time(_ date: Date, timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.hour, .minute, .second], from: date)
        return String(format: "%02d:%02d:%02d", parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
    }
}

import Foundation

/// The always-on channel: the text of the banner the REPL prints above the prompt.
///
/// It does not go through the outbox: the banner is shown by the process that recorded the event, and the
/// event itself is the record. The REPL adds the terminal bell and colours.
public struct TerminalNotifier: Sendable {
    public init() {}

    /// One line per notification, e.g.
    /// `ESCALATION: P0 incident #42 "Site down" unacknowledged for 15 minutes: escalating to …`, with `[DRILL] `
    /// in front for drills.
    public func banner(for notification: EscalationNotification) -> String {
        let label: String
        switch notification.kind {
        case .escalation: label = "ESCALATION"
        case .severityUpgrade: label = "PAGED"
        case .acknowledge: label = "ACKNOWLEDGED"
        case .resolve: label = "RESOLVED"
        }
        var message = notification.message
        if message.hasPrefix("[DRILL] ") { message.removeFirst("[DRILL] ".count) }
        return (notification.isDrill ? "[DRILL] " : "") + "\(label): \(message)"
    }
}

import Foundation

/// A channel that escalation notifications are delivered to (Slack, PagerDuty, a command…).
///
/// Delivery is synchronous and bounded by the notifier's own timeout; the outbox calls it off the responder's
/// thread, possibly for several notifications at once. A failure is a result, not a thrown error, so that the
/// outbox can decide whether to retry.
public protocol Notifier: Sendable {
    /// The channel name, as configured (`ops-slack`); outbox rows and events name it.
    var channel: String { get }
    /// Whether this channel wants `notification`: its kind (PagerDuty wants all four; a chat channel may not),
    /// and for a drill, whether the channel takes drills (`drills: true`).
    func accepts(_ notification: EscalationNotification) -> Bool
    /// Delivers one notification.
    func deliver(_ notification: EscalationNotification) -> DeliveryResult
    /// Lets go of what the notifier keeps between deliveries (`runbook-http` workers); the next delivery starts
    /// over.
    func close()
}

extension Notifier {
    public func close() {}
}

/// How one delivery attempt ended.
public enum DeliveryResult: Sendable, Hashable {
    /// Delivered; `detail` says how (`HTTP 202`, `exit 0`).
    case sent(detail: String)
    /// Failed in a way worth retrying: HTTP 429 or 5xx, a network error, a timeout. `retryAfter` is the server's
    /// `Retry-After` in seconds, when it sent one: the next attempt comes no sooner.
    case retryable(error: String, retryAfter: TimeInterval? = nil)
    /// Failed for good: any other 4xx, a redirect (never followed), a missing secret, a command that refused it.
    case permanent(error: String)

    /// Whether it was delivered.
    public var isSent: Bool {
        if case .sent = self { return true }
        return false
    }
}

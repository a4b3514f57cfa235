import Foundation

/// One row of the notification outbox: a notification waiting for (or done with) one channel.
public struct OutboxEntry: Sendable, Hashable {
    /// Where the row is in its life.
    public enum Status: String, Sendable, Hashable, Codable {
        /// Waiting for its next attempt at `nextAttempt`.
        case pending
        /// Claimed by the deliverer until its attempt is recorded (no expiry: a new escalator puts a crashed one's
        /// rows back to pending).
        case sending
        /// Delivered.
        case sent
        /// Given up: a non-retryable answer, or attempts exhausted.
        case failed
    }

    public var id: Int64
    public var incidentID: Int64
    public var channel: String
    public var notification: EscalationNotification
    /// Attempts made so far.
    public var attempts: Int
    /// When the next attempt is due (wall clock).
    public var nextAttempt: Date
    public var status: Status
    public var lastError: String?

    public init(
        id: Int64, incidentID: Int64, channel: String, notification: EscalationNotification, attempts: Int,
        nextAttempt: Date, status: Status, lastError: String?
    ) {
        self.id = id
        self.incidentID = incidentID
        self.channel = channel
        self.notification = notification
        self.attempts = attempts
        self.nextAttempt = nextAttempt
        self.status = status
        self.lastError = lastError
    }
}

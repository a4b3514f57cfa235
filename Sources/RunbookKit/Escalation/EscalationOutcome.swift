import Foundation

/// What the engine decided for one input: the events to record, the timer writes and the notifications,
/// all to be committed in one transaction, and the incident's state afterwards.
public struct EscalationOutcome: Sendable, Hashable {
    /// The state once the outcome is committed.
    public var state: EscalationState
    /// Events to append, in order.
    public var events: [EventDraft]
    /// Timer rows to close and to arm.
    public var timerWrites: [TimerWrite]
    /// Messages for every configured channel (one outbox row per channel each).
    public var notifications: [EscalationNotification]

    public init(
        state: EscalationState, events: [EventDraft] = [], timerWrites: [TimerWrite] = [],
        notifications: [EscalationNotification] = []
    ) {
        self.state = state
        self.events = events
        self.timerWrites = timerWrites
        self.notifications = notifications
    }

    /// A change to the `timers` table.
    public enum TimerWrite: Sendable, Hashable {
        /// Moves the timer of `generation` from pending to `status`. The whole transaction is abandoned if that
        /// timer is no longer pending: this is what makes a timer fire at most once, even across processes.
        case close(generation: Int64, status: EscalationTimer.Status)
        /// Inserts a new pending timer.
        case arm(EscalationTimer)
    }
}

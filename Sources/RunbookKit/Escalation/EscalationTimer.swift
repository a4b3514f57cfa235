import Foundation

/// One armed (or spent) escalation timer of an incident, as stored in the `timers` table.
///
/// Every reschedule creates a new timer with the next generation and supersedes the pending one, so a
/// timer that fires with a generation that is no longer the pending one is stale and is dropped.
public struct EscalationTimer: Sendable, Hashable, Codable {
    /// What the timer is for.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// The first escalation, `response time` after declaration (or after a severity change).
        case response
        /// A repeat escalation of an incident still unacknowledged.
        case `repeat`
    }

    /// Where the timer is in its life.
    public enum Status: String, Sendable, Hashable, Codable {
        /// Armed: it fires at `deadline`.
        case pending
        /// It fired and its escalation was recorded.
        case fired
        /// An acknowledgement or the resolution stopped it.
        case cancelled
        /// A later timer (severity change) replaced it.
        case superseded
    }

    public var incidentID: Int64
    public var kind: Kind
    /// The instant on the incident clock at which it fires.
    public var deadline: Date
    /// Per-incident counter, bumped by every reschedule.
    public var generation: Int64
    /// 0 for the first escalation, 1… for repeats.
    public var `repeat`: Int
    public var status: Status
    /// The wall-clock instant at which it is due (the deadline mapped from the incident clock), when stored.
    public var dueReal: Date?

    public init(
        incidentID: Int64, kind: Kind, deadline: Date, generation: Int64, repeat: Int, status: Status = .pending,
        dueReal: Date? = nil
    ) {
        self.dueReal = dueReal
        self.incidentID = incidentID
        self.kind = kind
        self.deadline = deadline
        self.generation = generation
        self.repeat = `repeat`
        self.status = status
    }

    /// Milliseconds since 1970 (the stored form of `deadline`).
    public var deadlineMilliseconds: Int64 { EscalationTimer.milliseconds(deadline) }

    /// Whether the timer is due at `now`, compared at the stored (millisecond) precision, so that a deadline read
    /// back from the database is due at exactly the same instant as before it was stored.
    public func isDue(at now: Date) -> Bool { deadlineMilliseconds <= EscalationTimer.milliseconds(now) }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
}

import Foundation

/// What the escalation engine needs to know about one incident, reconstructed from the store.
///
/// Everything here follows from recorded facts: the policy snapshot and declaration (the incident row),
/// acknowledgements and severity changes (events), and the latest timer (the `timers` table).
public struct EscalationState: Sendable, Hashable {
    public var incidentID: Int64
    public var title: String
    public var runbook: String
    public var isDrill: Bool
    /// The current severity.
    public var severity: Severity
    /// The policy copied at declaration.
    public var snapshot: EscalationSnapshot
    /// When the incident was declared, on the incident clock.
    public var declaredAt: Date
    /// Who acknowledged first, if anyone.
    public var acknowledgedBy: String?
    public var isResolved: Bool
    /// The newest timer of the incident (pending or spent), if any was ever armed.
    public var timer: EscalationTimer?
    /// Everyone notified so far, in the order they were first paged. Nobody is ever removed.
    public var paged: [EscalationTarget]
    /// How many timer escalations have been recorded (severity-upgrade pages not counted).
    public var escalationCount: Int
    /// Whether repeats ran out (`escalation.finished` recorded) since the last severity change.
    public var isFinished: Bool
    /// The incident's random id (`incidents.incident_key`), for dedup keys that are unique across databases.
    public var incidentKey: String?

    public init(
        incidentID: Int64, title: String, runbook: String = "", isDrill: Bool = false, severity: Severity,
        snapshot: EscalationSnapshot, declaredAt: Date, acknowledgedBy: String? = nil, isResolved: Bool = false,
        timer: EscalationTimer? = nil, paged: [EscalationTarget] = [], escalationCount: Int = 0,
        isFinished: Bool = false, incidentKey: String? = nil
    ) {
        self.incidentKey = incidentKey
        self.incidentID = incidentID
        self.title = title
        self.runbook = runbook
        self.isDrill = isDrill
        self.severity = severity
        self.snapshot = snapshot
        self.declaredAt = declaredAt
        self.acknowledgedBy = acknowledgedBy
        self.isResolved = isResolved
        self.timer = timer
        self.paged = paged
        self.escalationCount = escalationCount
        self.isFinished = isFinished
    }

    /// Whether someone has acknowledged.
    public var isAcknowledged: Bool { acknowledgedBy != nil }

    /// The armed timer, if one is pending.
    public var pendingTimer: EscalationTimer? { timer?.status == .pending ? timer : nil }

    /// When the incident next escalates, if it will.
    public var nextDeadline: Date? { pendingTimer?.deadline }

    /// Seconds left before the next escalation at `now` (negative when overdue), or `nil` when none is armed.
    /// The REPL's prompt countdown (`P0 ⏱ 12:04`) reads this.
    public func timeRemaining(at now: Date) -> TimeInterval? {
        nextDeadline.map { $0.timeIntervalSince(now) }
    }

    /// The generation the next armed timer gets.
    var nextGeneration: Int64 { (timer?.generation ?? 0) + 1 }
}

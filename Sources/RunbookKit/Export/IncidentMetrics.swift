import Foundation

/// The numbers a postmortem starts from, derived from the transcript alone.
public struct IncidentMetrics: Sendable, Hashable {
    /// Declaration to first acknowledgement.
    public var timeToAcknowledge: TimeInterval?
    /// Impact start (`impact-start`) to detection (`detected`, else the declaration); `nil` without an impact start.
    public var timeToDetect: TimeInterval?
    /// Declaration to mitigation.
    public var timeToMitigate: TimeInterval?
    /// Declaration to resolution.
    public var timeToResolve: TimeInterval?
    /// Each stretch of time at one severity, in order.
    public var severityPeriods: [SeverityPeriod]
    /// Escalations fired, in order.
    public var escalations: [EscalationRecord]
    /// For each severity the incident reached, whether the matrix response time was met.
    public var responseChecks: [ResponseCheck]

    /// Memberwise initializer.
    public init(
        timeToAcknowledge: TimeInterval? = nil, timeToMitigate: TimeInterval? = nil,
        timeToResolve: TimeInterval? = nil, severityPeriods: [SeverityPeriod] = [],
        escalations: [EscalationRecord] = [], responseChecks: [ResponseCheck] = []
    ) {
        self.timeToAcknowledge = timeToAcknowledge
        self.timeToMitigate = timeToMitigate
        self.timeToResolve = timeToResolve
        self.severityPeriods = severityPeriods
        self.escalations = escalations
        self.responseChecks = responseChecks
    }

    /// Total time at each severity, most severe first; severities never reached are left out.
    public var timeAtSeverity: [(severity: Severity, duration: TimeInterval)] {
        Severity.allCases.compactMap { severity in
            let periods = severityPeriods.filter { $0.severity == severity }
            guard !periods.isEmpty else { return nil }
            return (severity, periods.reduce(0) { $0 + $1.duration })
        }
    }
}

/// A stretch of time at one severity. The last one of an open incident ends at its last event.
public struct SeverityPeriod: Sendable, Hashable {
    /// The severity in force.
    public var severity: Severity
    /// When it came into force.
    public var start: Date
    /// When it changed, or the incident ended (resolution, or the last event of an open incident).
    public var end: Date
    /// Whether the incident is still open and still at this severity.
    public var isOngoing: Bool

    /// Memberwise initializer.
    public init(severity: Severity, start: Date, end: Date, isOngoing: Bool) {
        self.severity = severity
        self.start = start
        self.end = end
        self.isOngoing = isOngoing
    }

    /// Length of the stretch, never negative.
    public var duration: TimeInterval { max(0, end.timeIntervalSince(start)) }
}

/// An escalation the timers fired: who was called, at which level, when.
public struct EscalationRecord: Sendable, Hashable {
    /// When it fired.
    public var time: Date
    /// Escalation level (1 for the first).
    public var level: Int64?
    /// Who was called.
    public var targets: [String]
    /// Severity it fired for.
    public var severity: Severity?

    /// Memberwise initializer.
    public init(time: Date, level: Int64?, targets: [String], severity: Severity?) {
        self.time = time
        self.level = level
        self.targets = targets
        self.severity = severity
    }
}

/// Whether the responders answered within the matrix response time of one severity.
public struct ResponseCheck: Sendable, Hashable {
    /// How the check came out.
    public enum Outcome: String, Sendable, Hashable {
        /// Acknowledged within the response time.
        case met
        /// Acknowledged late, or never while the deadline passed.
        case missed
        /// Still open, deadline not yet reached when the transcript ends.
        case pending
        /// Left this severity (or resolved) before the deadline without an acknowledgement.
        case notDue = "not-due"
        /// No response time to check against (no policy snapshot, or business days, which need the calendar).
        case notEvaluated = "not-evaluated"
    }

    /// The severity checked.
    public var severity: Severity
    /// The matrix response time, when the policy snapshot has one.
    public var responseTime: ResponseTime?
    /// When the severity first came into force.
    public var since: Date
    /// Time from `since` to the acknowledgement, when there was one during that stretch.
    public var respondedAfter: TimeInterval?
    /// The verdict.
    public var outcome: Outcome

    /// Memberwise initializer.
    public init(
        severity: Severity, responseTime: ResponseTime?, since: Date, respondedAfter: TimeInterval?,
        outcome: Outcome
    ) {
        self.severity = severity
        self.responseTime = responseTime
        self.since = since
        self.respondedAfter = respondedAfter
        self.outcome = outcome
    }
}

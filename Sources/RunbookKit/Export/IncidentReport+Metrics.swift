import Foundation

extension IncidentReport {
    /// Derives the metrics from the incident row and its events; the transcript's last event stands for "now"
    /// so that an export of the same transcript is always the same.
    static func metrics(incident: Incident, events: [RecordedEvent]) -> IncidentMetrics {
        var input = MetricsInput()
        for index in events.indices { input.add(events[index]) }
        return input.metrics(incident: incident, lastEventTime: events.last?.timestamp)
    }

    /// The few events metrics need, collected one event at a time.
    struct MetricsInput {
        private var firstAck: Date?
        private var firstMitigation: Date?
        private var firstResolution: Date?
        private var declaration: RecordedEvent?
        private var escalationEvents: [RecordedEvent] = []
        private var changes: [RecordedEvent] = []
        private var acks: [Date] = []
        private var impactStart: Date?
        private var detection: Date?

        /// Takes the next event (any type; only a few matter).
        mutating func add(_ event: RecordedEvent) {
            switch event.type {
            case .ackReceived:
                if firstAck == nil { firstAck = event.timestamp }
                acks.append(event.timestamp)
            case .statusChanged:
                if firstMitigation == nil, event.payload["to"]?.stringValue == "mitigated" {
                    firstMitigation = event.timestamp
                }
            case .incidentResolved:
                if firstResolution == nil { firstResolution = event.timestamp }
            case .incidentDeclared:
                if declaration == nil { declaration = event }
            case .escalationTriggered:
                escalationEvents.append(event)
            case .severityChanged:
                changes.append(event)
            case .impactStarted:
                impactStart = PostmortemFacts.time(of: event)
            case .incidentDetected:
                detection = PostmortemFacts.time(of: event)
            default:
                break
            }
        }

        /// The metrics of `incident` whose last event was at `lastEventTime`.
        func metrics(incident: Incident, lastEventTime: Date?) -> IncidentMetrics {
            let declared = incident.declaredAt
            let acknowledged = incident.acknowledgedAt ?? firstAck
            let mitigated = incident.mitigatedAt ?? firstMitigation
            let resolved = incident.resolvedAt ?? firstResolution
            let end = resolved ?? lastEventTime ?? declared
            let isOpen = resolved == nil && incident.status != .abandoned

            let periods = IncidentReport.severityPeriods(
                incident: incident, declaration: declaration, changes: changes, end: end, isOpen: isOpen)
            let escalations = escalationEvents.map { event in
                EscalationRecord(
                    time: event.timestamp, level: IncidentReport.escalationLevel(event.payload),
                    targets: IncidentReport.strings(event.payload["targets"] ?? event.payload["target"]),
                    severity: event.payload["severity"]?.stringValue.flatMap(Severity.init(parsing:)))
            }
            var checks: [ResponseCheck] = []
            for period in periods where !checks.contains(where: { $0.severity == period.severity }) {
                checks.append(
                    IncidentReport.responseCheck(
                        for: period, acks: acks,
                        responseTime: PolicySnapshot.responseTime(for: period.severity, in: incident.policySnapshot)))
            }
            var metrics = IncidentMetrics(
                timeToAcknowledge: acknowledged.map { $0.timeIntervalSince(declared) },
                timeToMitigate: mitigated.map { $0.timeIntervalSince(declared) },
                timeToResolve: resolved.map { $0.timeIntervalSince(declared) },
                severityPeriods: periods, escalations: escalations, responseChecks: checks)
            // Detected when `detected` says, else when declared at the latest; never before the impact began.
            metrics.timeToDetect = impactStart.map { max(0, (detection ?? declared).timeIntervalSince($0)) }
            return metrics
        }
    }

    /// The first severity comes from the declaration, else from the first change's `from`, else the row.
    fileprivate static func severityPeriods(
        incident: Incident, declaration: RecordedEvent?, changes: [RecordedEvent], end: Date, isOpen: Bool
    ) -> [SeverityPeriod] {
        let declaredSeverity =
            declaration?.payload["severity"]?.stringValue
            .flatMap(Severity.init(parsing:))
            ?? changes.first?.payload["from"]?.stringValue.flatMap(Severity.init(parsing:))
            ?? incident.severity
        var periods: [SeverityPeriod] = []
        var current = declaredSeverity
        var since = incident.declaredAt
        for change in changes {
            guard let next = change.payload["to"]?.stringValue.flatMap(Severity.init(parsing:)) else { continue }
            if next == current { continue }
            let at = min(change.timestamp, end)
            periods.append(SeverityPeriod(severity: current, start: since, end: at, isOngoing: false))
            current = next
            since = at
        }
        periods.append(SeverityPeriod(severity: current, start: since, end: max(since, end), isOngoing: isOpen))
        return periods
    }

    fileprivate static func responseCheck(for period: SeverityPeriod, acks: [Date], responseTime: ResponseTime?)
        -> ResponseCheck
    {
        let ack = acks.first { $0 >= period.start && $0 <= period.end }
        let respondedAfter = ack.map { $0.timeIntervalSince(period.start) }
        guard case .duration(let allowed)? = responseTime else {
            return ResponseCheck(
                severity: period.severity, responseTime: responseTime, since: period.start,
                respondedAfter: respondedAfter, outcome: .notEvaluated)
        }
        let outcome: ResponseCheck.Outcome
        if let respondedAfter {
            outcome = respondedAfter <= allowed ? .met : .missed
        } else if period.duration > allowed {
            outcome = .missed
        } else {
            outcome = period.isOngoing ? .pending : .notDue
        }
        return ResponseCheck(
            severity: period.severity, responseTime: responseTime, since: period.start,
            respondedAfter: respondedAfter, outcome: outcome)
    }

    /// A list of names from a string, a `+`/comma separated string, or an array of strings.
    /// 1 for the first escalation of a response timer, 2 for its first repeat, …; `nil` for a page on a severity
    /// upgrade (it has no place in the repeat sequence).
    static func escalationLevel(_ payload: JSONValue) -> Int64? {
        payload["level"]?.intValue ?? payload["repeat"]?.intValue.map { $0 + 1 }
    }

    static func strings(_ value: JSONValue?) -> [String] {
        switch value {
        case .string(let text)?:
            return text.split(whereSeparator: { $0 == "+" || $0 == "," }).map {
                $0.trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty }
        case .array(let items)?:
            return items.compactMap { $0.stringValue ?? $0["name"]?.stringValue ?? $0["role"]?.stringValue }
        default:
            return []
        }
    }
}

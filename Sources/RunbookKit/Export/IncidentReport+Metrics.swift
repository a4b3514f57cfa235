import Foundation

extension IncidentReport {
    /// Derives the metrics from the incident row and its events; the transcript's last event stands for "now"
    /// so that an export of the same transcript is always the same.
    static func metrics(incident: Incident, events: [RecordedEvent]) -> IncidentMetrics {
        // One pass by index, keeping only the few events metrics need: iterating events by value copies each one
        // (and retains its strings), which is most of the cost for incidents with hundreds of thousands of events.
        var firstAck: Int?
        var firstMitigation: Int?
        var firstResolution: Int?
        var declaration: Int?
        var escalationEvents: [RecordedEvent] = []
        var changes: [RecordedEvent] = []
        var acks: [Date] = []
        for index in events.indices {
            switch events[index].type {
            case .ackReceived:
                if firstAck == nil { firstAck = index }
                acks.append(events[index].timestamp)
            case .statusChanged:
                if firstMitigation == nil, events[index].payload["to"]?.stringValue == "mitigated" {
                    firstMitigation = index
                }
            case .incidentResolved:
                if firstResolution == nil { firstResolution = index }
            case .incidentDeclared:
                if declaration == nil { declaration = index }
            case .escalationTriggered:
                escalationEvents.append(events[index])
            case .severityChanged:
                changes.append(events[index])
            default:
                break
            }
        }
        let declared = incident.declaredAt
        let acknowledged = incident.acknowledgedAt ?? firstAck.map { events[$0].timestamp }
        let mitigated = incident.mitigatedAt ?? firstMitigation.map { events[$0].timestamp }
        let resolved = incident.resolvedAt ?? firstResolution.map { events[$0].timestamp }
        let end = resolved ?? events.last?.timestamp ?? declared
        let isOpen = resolved == nil && incident.status != .abandoned

        let periods = severityPeriods(
            incident: incident, declaration: declaration.map { events[$0] }, changes: changes, end: end,
            isOpen: isOpen)
        let escalations = escalationEvents.map { event in
            EscalationRecord(
                time: event.timestamp, level: Self.escalationLevel(event.payload),
                targets: strings(event.payload["targets"] ?? event.payload["target"]),
                severity: event.payload["severity"]?.stringValue.flatMap(Severity.init(parsing:)))
        }
        var checks: [ResponseCheck] = []
        for period in periods where !checks.contains(where: { $0.severity == period.severity }) {
            checks.append(
                responseCheck(
                    for: period, acks: acks,
                    responseTime: PolicySnapshot.responseTime(for: period.severity, in: incident.policySnapshot)))
        }
        return IncidentMetrics(
            timeToAcknowledge: acknowledged.map { $0.timeIntervalSince(declared) },
            timeToMitigate: mitigated.map { $0.timeIntervalSince(declared) },
            timeToResolve: resolved.map { $0.timeIntervalSince(declared) },
            severityPeriods: periods, escalations: escalations, responseChecks: checks)
    }

    /// The first severity comes from the declaration, else from the first change's `from`, else the row.
    private static func severityPeriods(
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

    private static func responseCheck(for period: SeverityPeriod, acks: [Date], responseTime: ResponseTime?)
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

import Foundation

/// The escalation rules, as pure functions: no I/O, no clock of its own (every instant is passed in).
///
/// Rules (docs/escalation.md):
/// - The response timer starts at declaration; unacknowledged at the deadline → `escalation.triggered` with the
///   targets resolved through the contacts table, and a notification to every channel.
/// - Unacknowledged after that, it escalates again every response-time interval, up to `repeatLimit` repeats,
///   then records `escalation.finished` and stays open.
/// - An acknowledgement stops escalation; resolving cancels every timer.
/// - A severity upgrade while unacknowledged takes the sooner of the current deadline and now + the new response
///   time, and pages the new severity's targets at once; a downgrade sets now + the new response time. Nobody is
///   ever un-paged: everyone paged stays on every later escalation.
/// - Every reschedule arms a timer with the next generation; firing a stale generation does nothing.
public struct EscalationEngine: Sendable {
    /// Used for response times in business days.
    public var calendar: BusinessCalendar

    public init(calendar: BusinessCalendar = BusinessCalendar()) {
        self.calendar = calendar
    }

    /// The instant `responseTime` after `start`.
    public func deadline(for responseTime: ResponseTime, from start: Date) -> Date {
        switch responseTime {
        case .duration(let seconds): return start.addingTimeInterval(seconds)
        case .businessDays(let days): return calendar.deadline(addingBusinessDays: days, from: start)
        }
    }

    /// Arms the response timer of a newly declared incident (commit with its `incident.declared` event).
    public func declare(_ state: EscalationState) -> EscalationOutcome {
        var outcome = EscalationOutcome(state: state)
        guard !state.isResolved, !state.isAcknowledged, let rule = state.snapshot.rule(for: state.severity) else {
            return outcome
        }
        arm(&outcome, kind: .response, deadline: deadline(for: rule.responseTime, from: state.declaredAt), repeat: 0)
        return outcome
    }

    /// The pending timer if it is due at `now`.
    public func due(_ state: EscalationState, at now: Date) -> EscalationTimer? {
        guard let timer = state.pendingTimer, timer.isDue(at: now) else { return nil }
        return timer
    }

    /// Fires the timer of `generation` at `now`: the escalation, then the next repeat or `escalation.finished`.
    ///
    /// Returns `nil` when the timer is stale (another generation is pending, or none is) or not yet due.
    public func fire(_ state: EscalationState, generation: Int64, at now: Date) -> EscalationOutcome? {
        guard let timer = state.pendingTimer, timer.generation == generation, timer.isDue(at: now),
            !state.isResolved, !state.isAcknowledged
        else { return nil }
        var outcome = EscalationOutcome(state: state)
        outcome.timerWrites.append(.close(generation: generation, status: .fired))
        outcome.state.timer?.status = .fired
        let rule = state.snapshot.rule(for: state.severity)
        let targets = escalationTargets(state)
        let lateBy = max(0, now.timeIntervalSince(timer.deadline))
        var payload: [String: JSONValue] = [
            "reason": "response_timeout", "severity": .string(state.severity.rawValue),
            "repeat": .int(Int64(timer.repeat)), "repeat_limit": .int(Int64(state.snapshot.repeatLimit)),
            "generation": .int(generation), "deadline_ms": .int(timer.deadlineMilliseconds),
            "late_by_ms": .int(Int64((lateBy * 1000).rounded())),
            "unacknowledged_ms": .int(Int64((max(0, now.timeIntervalSince(state.declaredAt)) * 1000).rounded())),
            "targets": .array(targets.map(\.json)),
            "unresolved": .array(targets.filter { !$0.isResolved }.map { .string($0.name) }),
        ]
        if let rule { payload["response_time"] = .string(rule.responseTime.description) }
        outcome.events.append(EventDraft(.escalationTriggered, payload: .object(payload)))
        outcome.state.escalationCount += 1
        page(&outcome.state, targets)
        outcome.notifications.append(
            notification(
                .escalation, state, targets: targets, repeat: timer.repeat, at: now,
                message: escalationMessage(state, targets: targets, repeat: timer.repeat, at: now)))
        if timer.repeat < state.snapshot.repeatLimit, let rule {
            let planned = deadline(for: rule.responseTime, from: timer.deadline)
            // After a long pause (resume), count the interval from now rather than firing a burst of repeats.
            let next = planned > now ? planned : deadline(for: rule.responseTime, from: now)
            arm(&outcome, kind: .repeat, deadline: next, repeat: timer.repeat + 1)
        } else {
            outcome.events.append(
                EventDraft(
                    .escalationFinished,
                    payload: [
                        "escalations": .int(Int64(timer.repeat + 1)), "severity": .string(state.severity.rawValue),
                        "reason": "repeat_limit_reached",
                    ]))
            outcome.state.isFinished = true
        }
        return outcome
    }

    /// Records an acknowledgement: escalation stops, and channels that were paged hear about it.
    public func acknowledge(_ state: EscalationState, by name: String, at now: Date) -> EscalationOutcome {
        var outcome = EscalationOutcome(state: state)
        var payload: [String: JSONValue] = ["by": .string(name)]
        if state.isAcknowledged { payload["already_acknowledged_by"] = .string(state.acknowledgedBy ?? "") }
        if let timer = state.pendingTimer {
            payload["cancelled_deadline_ms"] = .int(timer.deadlineMilliseconds)
            outcome.timerWrites.append(.close(generation: timer.generation, status: .cancelled))
            outcome.state.timer?.status = .cancelled
        }
        outcome.events.append(EventDraft(.ackReceived, payload: .object(payload)))
        if !state.isAcknowledged {
            outcome.state.acknowledgedBy = name
            // Only channels that were paged need to hear that the page is handled.
            if !state.paged.isEmpty {
                outcome.notifications.append(
                    notification(
                        .acknowledge, state, actor: name, at: now,
                        message: prefix(state)
                            + "Incident #\(state.incidentID) \"\(state.title)\" acknowledged by \(name)"))
            }
        }
        return outcome
    }

    /// Records a severity change and reschedules the response timer by the rules above.
    public func changeSeverity(
        _ state: EscalationState, to severity: Severity, reason: String, at now: Date
    ) -> EscalationOutcome {
        var outcome = EscalationOutcome(state: state)
        let from = state.severity
        var payload: [String: JSONValue] = [
            "from": .string(from.rawValue), "to": .string(severity.rawValue), "reason": .string(reason),
        ]
        outcome.state.severity = severity
        guard severity != from, !state.isResolved, !state.isAcknowledged else {
            outcome.events.append(EventDraft(.severityChanged, payload: .object(payload)))
            return outcome
        }
        let upgrade = severity.isMoreSevere(than: from)
        let current = state.pendingTimer
        var newTargets: [EscalationTarget] = []
        if let rule = state.snapshot.rule(for: severity) {
            let fresh = deadline(for: rule.responseTime, from: now)
            let next = upgrade ? min(current?.deadline ?? fresh, fresh) : fresh
            if let current { outcome.timerWrites.append(.close(generation: current.generation, status: .superseded)) }
            outcome.state.isFinished = false
            arm(&outcome, kind: .response, deadline: next, repeat: 0)
            payload["deadline_ms"] = .int(outcome.state.timer?.deadlineMilliseconds ?? 0)
            payload["response_time"] = .string(rule.responseTime.description)
            if upgrade {
                // Everyone the new row names, in matrix order, paged or not before: they need to hear it is worse.
                var seen = Set<String>()
                newTargets = state.snapshot.targets(for: severity).filter { seen.insert($0.identity).inserted }
            }
        } else {
            // No row for the new severity in the snapshot: nothing to count down to.
            if let current {
                outcome.timerWrites.append(.close(generation: current.generation, status: .superseded))
                outcome.state.timer?.status = .superseded
            }
            payload["note"] = .string("no escalation rule for \(severity.rawValue) in the policy snapshot")
        }
        outcome.events.append(EventDraft(.severityChanged, payload: .object(payload)))
        if !newTargets.isEmpty {
            outcome.events.append(
                EventDraft(
                    .escalationTriggered,
                    payload: [
                        "reason": "severity_upgrade", "severity": .string(severity.rawValue),
                        "from": .string(from.rawValue), "targets": .array(newTargets.map(\.json)),
                        "unresolved": .array(newTargets.filter { !$0.isResolved }.map { .string($0.name) }),
                    ]))
            page(&outcome.state, newTargets)
            let names = newTargets.map(\.displayName).joined(separator: ", ")
            outcome.notifications.append(
                notification(
                    .severityUpgrade, outcome.state, targets: newTargets, at: now,
                    message: prefix(state)
                        + "\(from.rawValue) → \(severity.rawValue): incident #\(state.incidentID) \"\(state.title)\" "
                        + "upgraded while unacknowledged, paging \(names)"))
        }
        return outcome
    }

    /// Records the resolution: every timer is cancelled, and channels that were paged hear about it.
    ///
    /// `payload` carries whatever the session records with `incident.resolved` (summary, by…).
    public func resolve(
        _ state: EscalationState, by name: String?, at now: Date, payload: JSONValue = [:]
    ) -> EscalationOutcome {
        var outcome = EscalationOutcome(state: state)
        if let timer = state.pendingTimer {
            outcome.timerWrites.append(.close(generation: timer.generation, status: .cancelled))
            outcome.state.timer?.status = .cancelled
        }
        outcome.state.isResolved = true
        outcome.events.append(EventDraft(.incidentResolved, payload: payload))
        if !state.paged.isEmpty, !state.isResolved {
            let by = name.map { " by \($0)" } ?? ""
            outcome.notifications.append(
                notification(
                    .resolve, state, actor: name, at: now,
                    message: prefix(state) + "Incident #\(state.incidentID) \"\(state.title)\" resolved\(by)"))
        }
        return outcome
    }

    // MARK: - Helpers

    /// The current row's targets, followed by everyone paged before (nobody is un-paged).
    func escalationTargets(_ state: EscalationState) -> [EscalationTarget] {
        var seen = Set<String>()
        return (state.snapshot.targets(for: state.severity) + state.paged).filter { seen.insert($0.identity).inserted }
    }

    private func page(_ state: inout EscalationState, _ targets: [EscalationTarget]) {
        let known = Set(state.paged.map(\.identity))
        state.paged += targets.filter { !known.contains($0.identity) }
    }

    private func arm(_ outcome: inout EscalationOutcome, kind: EscalationTimer.Kind, deadline: Date, repeat: Int) {
        // Deadlines are stored in milliseconds: keep the same precision in memory.
        let stored = Date(timeIntervalSince1970: Double(EscalationTimer.milliseconds(deadline)) / 1000)
        let timer = EscalationTimer(
            incidentID: outcome.state.incidentID, kind: kind, deadline: stored,
            generation: outcome.state.nextGeneration, repeat: `repeat`)
        outcome.timerWrites.append(.arm(timer))
        outcome.state.timer = timer
    }

    private func prefix(_ state: EscalationState) -> String { state.isDrill ? "[DRILL] " : "" }

    private func escalationMessage(
        _ state: EscalationState, targets: [EscalationTarget], repeat: Int, at now: Date
    ) -> String {
        // The real time since declaration: a repeat at T+30 says 30 minutes, not the 15-minute window again.
        let waited = " for " + ElapsedWords.text(now.timeIntervalSince(state.declaredAt))
        let again = `repeat` > 0 ? " (repeat \(`repeat`) of \(state.snapshot.repeatLimit))" : ""
        let names =
            targets.isEmpty ? "nobody (no targets in the matrix)" : targets.map(\.displayName).joined(separator: ", ")
        return prefix(state)
            + "\(state.severity.rawValue) incident #\(state.incidentID) \"\(state.title)\" unacknowledged\(waited)"
            + "\(again): escalating to \(names)"
    }

    private func notification(
        _ kind: EscalationNotification.Kind, _ state: EscalationState, targets: [EscalationTarget] = [],
        repeat: Int? = nil, actor: String? = nil, at now: Date, message: String
    ) -> EscalationNotification {
        EscalationNotification(
            kind: kind, incidentID: state.incidentID, title: state.title, runbook: state.runbook,
            severity: state.severity, isDrill: state.isDrill, targets: targets, repeat: `repeat`,
            repeatLimit: state.snapshot.repeatLimit,
            responseTime: state.snapshot.rule(for: state.severity)?.responseTime.description, actor: actor,
            occurredAt: now, message: message, incidentKey: state.incidentKey)
    }
}

import Foundation
import RunbookKit

/// The escalator's store, as the escalator sees it, with every escalation commit and delivery it records passed
/// to `observe` once committed: how `/metrics` counts escalations fired, their lateness, and notifications sent
/// and failed, without a second escalator loop. Everything else goes straight to `base`.
final class ObservedEscalatorStore: EscalatorStore, @unchecked Sendable {
    let base: any EscalatorStore
    let observe: @Sendable ([RecordedEvent]) -> Void

    init(_ base: any EscalatorStore, observe: @escaping @Sendable ([RecordedEvent]) -> Void) {
        self.base = base
        self.observe = observe
    }

    // MARK: What is observed

    func updateEscalation(
        incidentID: Int64, actor: String, at time: Date, channels: EscalationChannels,
        extraPayload: [String: JSONValue], decide: (EscalationState) throws -> EscalationOutcome?
    ) throws -> EscalationCommit? {
        let commit = try base.updateEscalation(
            incidentID: incidentID, actor: actor, at: time, channels: channels, extraPayload: extraPayload,
            decide: decide)
        if let commit { observe(commit.events) }
        return commit
    }

    func updateEscalations(
        incidentIDs: [Int64], actor: String, at time: Date, channels: EscalationChannels,
        extraPayload: [String: JSONValue], decide: (EscalationState) throws -> EscalationOutcome?
    ) throws -> [EscalationCommit] {
        let commits = try base.updateEscalations(
            incidentIDs: incidentIDs, actor: actor, at: time, channels: channels, extraPayload: extraPayload,
            decide: decide)
        observe(commits.flatMap(\.events))
        return commits
    }

    func recordDelivery(
        _ entry: OutboxEntry, result: DeliveryResult, nextAttempt: Date?, giveUpReason: String?, actor: String,
        at time: Date
    ) throws -> RecordedEvent {
        let event = try base.recordDelivery(
            entry, result: result, nextAttempt: nextAttempt, giveUpReason: giveUpReason, actor: actor, at: time)
        observe([event])
        return event
    }

    // MARK: Passed through

    var redactor: (any TextRedacting)? { base.redactor }

    var fencingToken: Int64? {
        get { base.fencingToken }
        set { base.fencingToken = newValue }
    }

    func declareIncident(_ declaration: IncidentDeclaration, actor: String, at time: Date) throws -> (
        Incident, RecordedEvent
    ) {
        try base.declareIncident(declaration, actor: actor, at: time)
    }

    func declareIncident(
        _ declaration: IncidentDeclaration, actor: String, at time: Date, channels: EscalationChannels,
        arm: (EscalationState) -> EscalationOutcome
    ) throws -> (Incident, RecordedEvent, EscalationCommit?) {
        try base.declareIncident(declaration, actor: actor, at: time, channels: channels, arm: arm)
    }

    func append(_ draft: EventDraft, to incidentID: Int64, actor: String, at time: Date) throws -> RecordedEvent {
        try base.append(draft, to: incidentID, actor: actor, at: time)
    }

    func appendOutput(_ chunks: [OutputChunk], incidentID: Int64, commandSequence: Int64) throws {
        try base.appendOutput(chunks, incidentID: incidentID, commandSequence: commandSequence)
    }

    func incident(_ id: Int64) throws -> Incident? { try base.incident(id) }

    func incidents(openOnly: Bool, drillsOnly: Bool) throws -> [Incident] {
        try base.incidents(openOnly: openOnly, drillsOnly: drillsOnly)
    }

    func events(incidentID: Int64) throws -> [RecordedEvent] { try base.events(incidentID: incidentID) }

    func forEachEvent(
        incidentID: Int64, types: Set<EventType>?, hashes: Bool, _ body: (RecordedEvent) throws -> Void
    ) throws {
        try base.forEachEvent(incidentID: incidentID, types: types, hashes: hashes, body)
    }

    func forEachEvent(
        incidentID: Int64, after sequence: Int64, types: Set<EventType>?, hashes: Bool,
        _ body: (RecordedEvent) throws -> Void
    ) throws {
        try base.forEachEvent(incidentID: incidentID, after: sequence, types: types, hashes: hashes, body)
    }

    func chainHead(incidentID: Int64) throws -> ChainHead? { try base.chainHead(incidentID: incidentID) }

    func output(incidentID: Int64, commandSequence: Int64) throws -> [OutputChunk] {
        try base.output(incidentID: incidentID, commandSequence: commandSequence)
    }

    func outputs(incidentID: Int64) throws -> [Int64: [OutputChunk]] { try base.outputs(incidentID: incidentID) }

    func forEachOutputChunk(
        incidentID: Int64, commandSequence: Int64, _ body: (OutputChunk) throws -> Void
    ) throws {
        try base.forEachOutputChunk(incidentID: incidentID, commandSequence: commandSequence, body)
    }

    func escalationState(incidentID: Int64) throws -> EscalationState? {
        try base.escalationState(incidentID: incidentID)
    }

    func timers(incidentID: Int64) throws -> [EscalationTimer] { try base.timers(incidentID: incidentID) }

    func pendingTimers(dueBy: Date?, incidentID: Int64?) throws -> [EscalationTimer] {
        try base.pendingTimers(dueBy: dueBy, incidentID: incidentID)
    }

    func pendingTimers(dueByRealTime dueBy: Date) throws -> [EscalationTimer] {
        try base.pendingTimers(dueByRealTime: dueBy)
    }

    func nextTimerDue() throws -> Date? { try base.nextTimerDue() }

    func incidentClock(incidentID: Int64) throws -> IncidentClock? { try base.incidentClock(incidentID: incidentID) }

    func claimOutbox(now: Date, limit: (String) -> Int) throws -> [OutboxEntry] {
        try base.claimOutbox(now: now, limit: limit)
    }

    func nextOutboxAttempt() throws -> Date? { try base.nextOutboxAttempt() }

    func outbox(incidentID: Int64) throws -> [OutboxEntry] { try base.outbox(incidentID: incidentID) }

    func escalatorLease() throws -> EscalatorLease? { try base.escalatorLease() }

    func acquireEscalatorLease(
        pid: Int32, host: String, at now: Date, staleAfter: TimeInterval, isAlive: (Int32) -> Bool
    ) throws -> Int64? {
        try base.acquireEscalatorLease(pid: pid, host: host, at: now, staleAfter: staleAfter, isAlive: isAlive)
    }

    func heartbeatEscalatorLease(token: Int64, at now: Date) throws -> Bool {
        try base.heartbeatEscalatorLease(token: token, at: now)
    }

    func releaseEscalatorLease(token: Int64, at now: Date) throws {
        try base.releaseEscalatorLease(token: token, at: now)
    }

    func escalatorWorkload() throws -> (openIncidents: Int, pendingTimers: Int, pendingNotifications: Int) {
        try base.escalatorWorkload()
    }
}

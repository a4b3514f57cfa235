import Foundation

/// The persistence the escalation scheduler needs, on top of the transcript.
///
/// Every method that changes timers or the outbox does so in the same transaction as the events that go with
/// it, so a crash never leaves a timer without its event or an event without its timer. `SQLiteTranscriptStore`
/// implements it; SQL stays there.
public protocol EscalationStore: TranscriptStore {
    /// Declares the incident and commits what `arm` decides (the response timer) in the same transaction as
    /// `incident.declared`.
    func declareIncident(
        _ declaration: IncidentDeclaration, actor: String, at time: Date, channels: EscalationChannels,
        arm: (EscalationState) -> EscalationOutcome
    ) throws -> (Incident, RecordedEvent, EscalationCommit?)

    /// Loads the incident's state inside one write transaction, lets `decide` compute the outcome, and commits
    /// it there. `decide` returning `nil` commits nothing. A `.close` timer write whose timer is no longer
    /// pending abandons the whole transaction and returns `nil`: that timer was stale.
    func updateEscalation(
        incidentID: Int64, actor: String, at time: Date, channels: EscalationChannels,
        extraPayload: [String: JSONValue], decide: (EscalationState) throws -> EscalationOutcome?
    ) throws -> EscalationCommit?

    /// `updateEscalation` for several incidents in one transaction (one disk sync for a burst of due timers);
    /// each incident is decided on its own state, and a stale one is skipped without affecting the others.
    func updateEscalations(
        incidentIDs: [Int64], actor: String, at time: Date, channels: EscalationChannels,
        extraPayload: [String: JSONValue], decide: (EscalationState) throws -> EscalationOutcome?
    ) throws -> [EscalationCommit]

    /// The incident's escalation state, or `nil` for an unknown incident.
    func escalationState(incidentID: Int64) throws -> EscalationState?

    /// Every timer of the incident, oldest generation first.
    func timers(incidentID: Int64) throws -> [EscalationTimer]

    /// Pending timers with a deadline at or before `dueBy` (every pending timer when `nil`), soonest first;
    /// only `incidentID`'s when given.
    func pendingTimers(dueBy: Date?, incidentID: Int64?) throws -> [EscalationTimer]

    /// Pending timers due at or before the wall-clock instant `dueBy` (whatever each incident's clock), soonest
    /// first: what the escalator fires.
    func pendingTimers(dueByRealTime dueBy: Date) throws -> [EscalationTimer]

    /// The wall-clock instant the soonest pending timer of any incident is due, if any.
    func nextTimerDue() throws -> Date?

    /// The incident's clock (a drill's runs faster than the wall clock), or `nil` for an unknown incident.
    func incidentClock(incidentID: Int64) throws -> IncidentClock?

    /// Claims the outbox rows that are due at `now` and eligible, at most `limit(channel)` per channel, oldest due
    /// first, and marks them `sending`. A row is eligible when no older row (lower id) of the same incident and
    /// channel is still `pending` or `sending`: an acknowledgement never overtakes its incident's escalation on a
    /// channel, and at most one row per incident and channel is in flight. A claim does not expire: the row stays
    /// `sending` until its attempt is recorded (`recordDelivery`); only a new escalator's take-over
    /// (`acquireEscalatorLease`) puts rows a crashed holder left `sending` back to `pending`.
    func claimOutbox(now: Date, limit: (_ channel: String) -> Int) throws -> [OutboxEntry]

    /// The earliest `next_attempt` of an eligible pending row (see `claimOutbox`), if any.
    func nextOutboxAttempt() throws -> Date?

    /// Records one delivery attempt: the row's new state and a `notification.sent` / `notification.failed`
    /// event, in one transaction. A failure with a `nextAttempt` goes back to pending; without one it is final,
    /// and `giveUpReason` says why (`gave_up: true`, `gave_up_reason` in the event).
    func recordDelivery(
        _ entry: OutboxEntry, result: DeliveryResult, nextAttempt: Date?, giveUpReason: String?, actor: String,
        at time: Date
    ) throws -> RecordedEvent

    /// The outbox rows of an incident, oldest first.
    func outbox(incidentID: Int64) throws -> [OutboxEntry]
}

/// Which channels get an outbox row for a notification: by its kind, and for a drill, only channels that take
/// drills.
public struct EscalationChannels: Sendable {
    private let route: @Sendable (EscalationNotification) -> [String]
    /// How many channels are configured at all (whatever they accept); `nil` when unknown (a fixed route).
    public let configuredCount: Int?

    private init(route: @escaping @Sendable (EscalationNotification) -> [String], configuredCount: Int? = nil) {
        self.route = route
        self.configuredCount = configuredCount
    }

    /// Routes each notification by whatever it carries (kind, drill flag…).
    public static func routing(_ route: @escaping @Sendable (EscalationNotification) -> [String]) -> Self {
        Self(route: route)
    }

    /// Routes by kind alone, drills included (a fixed route, for tests).
    public init(_ route: @escaping @Sendable (EscalationNotification.Kind) -> [String]) {
        self.init(route: { route($0.kind) })
    }

    /// The channels of `notifiers` that accept the notification (`Notifier.accepts`: kind and drills).
    public init(notifiers: [any Notifier]) {
        self.init(
            route: { notification in notifiers.filter { $0.accepts(notification) }.map(\.channel) },
            configuredCount: notifiers.count)
    }

    /// No channel besides the terminal.
    public static let none = EscalationChannels(route: { _ in [] }, configuredCount: 0)

    /// The channels for `notification`.
    public func channels(for notification: EscalationNotification) -> [String] { route(notification) }
}

/// An incident's clock as stored: the wall clock, or a drill's `ScaledClock` (`speed` times faster from `origin`).
public struct IncidentClock: Sendable, Hashable {
    public var speed: Double
    public var origin: Date?

    public init(speed: Double, origin: Date?) {
        self.speed = speed
        self.origin = origin
    }

    /// The clock itself, over `base` (the wall clock).
    public func clock(base: any Clock = SystemClock()) -> any Clock {
        guard let origin, speed != 1 else { return base }
        return ScaledClock(speed: speed, origin: origin, base: base)
    }
}

import Foundation

/// Delivers the notification outbox: each row is sent as soon as it is eligible, retried with backoff on retryable
/// failures, and every attempt is recorded as `notification.sent` or `notification.failed`.
///
/// A dispatcher claims eligible rows (`EscalationStore.claimOutbox`: due, and no older row of the same incident and
/// channel still to deliver, so an acknowledgement never overtakes its escalation) and hands each to its own send,
/// at most `sendsPerChannel` at once per channel, tracked in memory. Channels and incidents are therefore
/// independent: a webhook that hangs holds up only its own channel's slots, never another channel's page, and an
/// incident whose row is waiting for a retry never holds up another incident's.
///
/// `deliverDue()` runs the dispatcher until nothing due is left and returns what it recorded (tests drive it with a
/// test clock). `start()` runs it on a background thread, woken when something is queued (`wake()`), when a send
/// ends, and at the next retry time; `stop(timeout:)` ends it.
public final class NotificationDeliverer: @unchecked Sendable {
    public let store: any EscalationStore
    public let retry: RetryPolicy
    /// The clock of the rows' `next_attempt` times and of the backoff.
    public let clock: any Clock
    public let actor: String
    /// Sends in flight at once per channel, at most (one per incident and channel in any case).
    public let sendsPerChannel: Int
    private let notifiers: [String: any Notifier]
    /// A number in 0...1 for the backoff's jitter.
    private let random: @Sendable () -> Double
    /// Held while claiming, so that two dispatches never both count the same free slot.
    private let dispatching = NSLock()
    /// Guards everything below; broadcast when a send ends, on `wake()` and on `stop`.
    private let condition = NSCondition()
    private var inFlight: [String: Int] = [:]
    private var running = false
    private var woken = false
    private var thread: Thread?
    private var finished = DispatchSemaphore(value: 0)

    /// `attemptTimeout` is accepted for existing callers only: each attempt is bounded by its notifier's own
    /// timeout, and a claim no longer expires.
    public init(
        store: any EscalationStore, notifiers: [any Notifier], retry: RetryPolicy = RetryPolicy(),
        clock: any Clock = SystemClock(), actor: String, attemptTimeout: TimeInterval = 5, sendsPerChannel: Int = 4,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }
    ) {
        self.store = store
        self.retry = retry
        self.clock = clock
        self.actor = actor
        self.sendsPerChannel = max(1, sendsPerChannel)
        self.random = random
        self.notifiers = Dictionary(notifiers.map { ($0.channel, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// One attempt as recorded.
    public struct Attempt: Sendable, Hashable {
        public var entry: OutboxEntry
        public var result: DeliveryResult
        /// When it will be tried again, or `nil` when it is done (sent or given up).
        public var nextAttempt: Date?
        public var event: RecordedEvent
    }

    /// Delivers every row that is due now or becomes eligible while this runs (an acknowledgement once its
    /// escalation is sent), concurrently as in the background, and returns the attempts recorded, in outbox order.
    @discardableResult
    public func deliverDue() throws -> [Attempt] {
        let results = Results()
        var outstanding = 0
        var attempts: [Attempt] = []
        while true {
            outstanding += try dispatch { results.add($0) }
            if outstanding == 0 { break }
            let done = results.waitForAny()
            outstanding -= done.count
            attempts += done.compactMap { $0 }
        }
        return attempts.sorted { ($0.entry.id, $0.entry.attempts) < ($1.entry.id, $1.entry.attempts) }
    }

    /// Starts the background dispatcher (idempotent).
    public func start() {
        condition.lock()
        defer { condition.unlock() }
        guard !running else { return }
        running = true
        finished = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in self.loop() }
        thread.name = "runbook.notifications"
        self.thread = thread
        thread.start()
    }

    /// Asks the dispatcher to look at the outbox now.
    public func wake() {
        condition.lock()
        woken = true
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the dispatcher and waits at most `timeout` for the sends in flight; then lets the notifiers' helper
    /// processes go. A send still running afterwards is recorded when it ends; a row it never records stays
    /// `sending` until the next escalator takes over.
    public func stop(timeout: TimeInterval = 1) {
        let end = Date().addingTimeInterval(timeout)
        condition.lock()
        guard running else {
            condition.unlock()
            return
        }
        running = false
        condition.broadcast()
        condition.unlock()
        _ = finished.wait(timeout: .now() + max(0, end.timeIntervalSinceNow))
        condition.lock()
        while inFlight.values.contains(where: { $0 > 0 }) && Date() < end { _ = condition.wait(until: end) }
        condition.unlock()
        for notifier in notifiers.values { notifier.close() }
    }

    /// Delivers until nothing is due now or `timeout` has passed (the `ack` command uses it before exiting;
    /// later retries are left to the escalator).
    public func drain(timeout: TimeInterval) throws {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if try deliverDue().isEmpty { return }
        }
    }

    // MARK: - Dispatching

    /// Claims what the free slots allow and starts one send per claimed row; `done` gets each recorded attempt
    /// (`nil` when it could not be recorded). Returns the number of sends started.
    private func dispatch(done: @escaping @Sendable (Attempt?) -> Void) throws -> Int {
        dispatching.lock()
        defer { dispatching.unlock() }
        condition.lock()
        let busy = inFlight
        condition.unlock()
        let entries = try store.claimOutbox(now: clock.now()) { channel in
            // A channel no longer configured fails at once, without a send.
            notifiers[channel] == nil ? 100 : sendsPerChannel - busy[channel, default: 0]
        }
        condition.lock()
        for entry in entries { inFlight[entry.channel, default: 0] += 1 }
        condition.unlock()
        for entry in entries {
            // A thread of its own per send (at most `sendsPerChannel` per channel): a send blocks for up to its
            // timeout, and Dispatch's global queue runs only about one blocking item per core, so a hanging
            // channel's sends would hold back every other channel's.
            Thread { [self] in
                let attempt = try? self.attempt(entry)
                condition.lock()
                inFlight[entry.channel, default: 1] -= 1
                woken = true
                condition.broadcast()
                condition.unlock()
                done(attempt)
            }.start()
        }
        return entries.count
    }

    /// Sends one claimed row and records the attempt, with the next attempt's time or the reason to give up.
    private func attempt(_ entry: OutboxEntry) throws -> Attempt {
        let result =
            notifiers[entry.channel]?.deliver(entry.notification)
            ?? .permanent(error: "channel \(entry.channel) is no longer configured in notifiers.yaml")
        let now = clock.now()
        var next: Date?
        var giveUpReason: String?
        switch result {
        case .sent: break
        case .permanent: giveUpReason = "the failure is permanent: not retried"
        case .retryable(_, let retryAfter):
            switch retry.decide(
                afterAttempt: entry.attempts + 1, queuedAt: entry.notification.occurredAt, now: now,
                retryAfter: retryAfter, random: random())
            {
            case .retry(let at): next = at
            case .giveUp(let reason): giveUpReason = reason
            }
        }
        let event = try store.recordDelivery(
            entry, result: result, nextAttempt: next, giveUpReason: giveUpReason, actor: actor, at: now)
        return Attempt(entry: entry, result: result, nextAttempt: next, event: event)
    }

    private func loop() {
        while true {
            condition.lock()
            let keepGoing = running
            condition.unlock()
            guard keepGoing else { break }
            // A database hiccup must not kill the thread: the rows stay due and are tried on the next pass.
            var wait: TimeInterval = 2
            do {
                _ = try dispatch { _ in }
                // A row due now that was not claimed waits for a free slot: the end of a send wakes us. Poll at
                // least every 2 s, since other processes may queue rows too.
                if let next = try store.nextOutboxAttempt() {
                    let delay = next.timeIntervalSince(clock.now())
                    if delay > 0 { wait = min(max(delay, 0.01), 2) }
                }
            } catch {
                wait = 0.5
            }
            condition.lock()
            if running && !woken { _ = condition.wait(until: Date().addingTimeInterval(wait)) }
            woken = false
            condition.unlock()
        }
        finished.signal()
    }

    /// Attempts handed back by sends, for `deliverDue`.
    private final class Results: @unchecked Sendable {
        private let condition = NSCondition()
        private var done: [Attempt?] = []

        func add(_ attempt: Attempt?) {
            condition.lock()
            done.append(attempt)
            condition.signal()
            condition.unlock()
        }

        /// Blocks until at least one send ended, and returns every one that did.
        func waitForAny() -> [Attempt?] {
            condition.lock()
            defer { condition.unlock() }
            while done.isEmpty { condition.wait() }
            let taken = done
            done = []
            return taken
        }
    }
}

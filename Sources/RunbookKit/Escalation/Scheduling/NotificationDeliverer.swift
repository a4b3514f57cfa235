import Foundation

/// Delivers the notification outbox: each row is sent at once, retried with backoff on retryable failures,
/// and every attempt is recorded as `notification.sent` or `notification.failed`.
///
/// `deliverDue()` is one synchronous pass (tests drive it with a test clock). `start()` runs passes on a
/// background thread, woken when something is queued and at the next retry time, so a channel that is down or
/// hangs never blocks the responder: each attempt is bounded by the notifier's timeout, off the REPL's thread.
public final class NotificationDeliverer: @unchecked Sendable {
    public let store: any EscalationStore
    public let retry: RetryPolicy
    /// The real clock: attempts and backoff are real time even in drills.
    public let clock: any Clock
    public let actor: String
    private let notifiers: [String: any Notifier]
    /// How long a claimed row stays reserved for this deliverer (longer than any attempt).
    private let lease: TimeInterval
    private let condition = NSCondition()
    private var running = false
    private var woken = false
    private var thread: Thread?
    private var finished = DispatchSemaphore(value: 0)

    public init(
        store: any EscalationStore, notifiers: [any Notifier], retry: RetryPolicy = RetryPolicy(),
        clock: any Clock = SystemClock(), actor: String, attemptTimeout: TimeInterval = 5
    ) {
        self.store = store
        self.retry = retry
        self.clock = clock
        self.actor = actor
        self.notifiers = Dictionary(notifiers.map { ($0.channel, $0) }, uniquingKeysWith: { first, _ in first })
        self.lease = max(attemptTimeout, 10) + 30
    }

    /// One attempt as recorded.
    public struct Attempt: Sendable, Hashable {
        public var entry: OutboxEntry
        public var result: DeliveryResult
        /// When it will be tried again, or `nil` when it is done (sent or given up).
        public var nextAttempt: Date?
        public var event: RecordedEvent
    }

    /// Delivers every row due now, once each, and records the attempts.
    @discardableResult
    public func deliverDue() throws -> [Attempt] {
        var attempts: [Attempt] = []
        for entry in try store.claimOutbox(now: clock.now(), lease: lease, limit: 50) {
            let result: DeliveryResult
            if let notifier = notifiers[entry.channel] {
                result = notifier.deliver(entry.notification)
            } else {
                result = .permanent(error: "channel \(entry.channel) is no longer configured in notifiers.yaml")
            }
            let attempt = entry.attempts + 1
            var next: Date?
            if case .retryable = result, attempt < retry.maxAttempts {
                next = clock.now().addingTimeInterval(retry.delay(afterAttempt: attempt))
            }
            let event = try store.recordDelivery(
                entry, result: result, nextAttempt: next, actor: actor, at: clock.now())
            attempts.append(Attempt(entry: entry, result: result, nextAttempt: next, event: event))
        }
        return attempts
    }

    /// Starts the background delivery thread (idempotent).
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

    /// Asks the background thread to look at the outbox now.
    public func wake() {
        condition.lock()
        woken = true
        condition.signal()
        condition.unlock()
    }

    /// Stops the background thread after its current attempt; waits at most `timeout` for it.
    public func stop(timeout: TimeInterval = 1) {
        condition.lock()
        guard running else {
            condition.unlock()
            return
        }
        running = false
        condition.signal()
        condition.unlock()
        _ = finished.wait(timeout: .now() + timeout)
    }

    /// Delivers until nothing is due now or `timeout` has passed (the `ack` command uses it before exiting;
    /// later retries are left to whichever runbook process delivers next).
    public func drain(timeout: TimeInterval) throws {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if try deliverDue().isEmpty { return }
        }
    }

    private func loop() {
        while true {
            condition.lock()
            let keepGoing = running
            condition.unlock()
            guard keepGoing else { break }
            // A database hiccup must not kill the thread: the rows stay due and are tried on the next pass.
            _ = try? deliverDue()
            let next = (try? store.nextOutboxAttempt()) ?? nil
            // Poll at least every 2 s: other processes may queue rows too.
            let wait = min(max(next.map { $0.timeIntervalSince(clock.now()) } ?? 2, 0.01), 2)
            condition.lock()
            if running && !woken { _ = condition.wait(until: Date().addingTimeInterval(wait)) }
            woken = false
            condition.unlock()
        }
        finished.signal()
    }
}

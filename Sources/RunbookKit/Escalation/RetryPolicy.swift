import Foundation

/// How the outbox retries a delivery that failed in a retryable way (HTTP 429/5xx, network error, timeout).
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included; after the last one the row is marked failed for good.
    public var maxAttempts: Int
    /// Wait before the second attempt; it doubles after each failure.
    public var initialBackoff: TimeInterval
    /// The wait never grows beyond this (a server's `Retry-After` may ask for longer, and gets it).
    public var maxBackoff: TimeInterval
    /// A notification not delivered this long after it was queued is given up, whatever attempts are left: a page
    /// that arrives hours late misleads more than it helps.
    public var giveUpAfter: TimeInterval
    /// Each wait is spread by up to ± this fraction (0.2: ±20 %), so that rows that failed together do not all
    /// come back at the same instant.
    public var jitter: Double

    public init(
        maxAttempts: Int = 6, initialBackoff: TimeInterval = 2, maxBackoff: TimeInterval = 300,
        giveUpAfter: TimeInterval = 3600, jitter: Double = 0.2
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = max(0, initialBackoff)
        self.maxBackoff = max(initialBackoff, maxBackoff)
        self.giveUpAfter = max(0, giveUpAfter)
        self.jitter = min(max(0, jitter), 1)
    }

    /// The wait after the `attempt`-th failure (1-based): 2 s, 4 s, 8 s… each spread by the jitter, capped at
    /// `maxBackoff`. `random` is a number in 0...1 (0.5 gives the wait without jitter).
    public func delay(afterAttempt attempt: Int, random: Double = 0.5) -> TimeInterval {
        let base = initialBackoff * pow(2, Double(min(max(0, attempt - 1), 62)))
        let spread = 1 + jitter * (2 * min(max(random, 0), 1) - 1)
        return min(maxBackoff, base * spread)
    }

    /// What happens after a failed attempt.
    public enum Decision: Sendable, Hashable {
        /// Try again at this instant.
        case retry(at: Date)
        /// Stop; the reason is recorded in `notification.failed` (`gave_up_reason`).
        case giveUp(reason: String)
    }

    /// After the `attempt`-th attempt (1-based) of a notification queued at `queuedAt` failed retryably at `now`,
    /// with the server's `retryAfter` if it sent one: when to try again, or why not.
    public func decide(
        afterAttempt attempt: Int, queuedAt: Date, now: Date, retryAfter: TimeInterval?, random: Double = 0.5
    ) -> Decision {
        guard attempt < maxAttempts else {
            return .giveUp(reason: "no delivery after \(attempt) attempt\(attempt == 1 ? "" : "s") (max_attempts)")
        }
        let wait = max(delay(afterAttempt: attempt, random: random), retryAfter ?? 0)
        let next = now.addingTimeInterval(wait)
        let limit = queuedAt.addingTimeInterval(giveUpAfter)
        guard next <= limit else {
            let asked = retryAfter.map { $0 >= wait ? " (the server asked to wait \(Self.format($0)))" : "" } ?? ""
            return .giveUp(
                reason: "the next attempt would come more than \(Self.format(giveUpAfter)) after the notification "
                    + "was queued (give_up_after)" + asked)
        }
        return .retry(at: next)
    }

    /// `90 s`, `5 min`, `1 h`: durations as the reasons say them.
    static func format(_ seconds: TimeInterval) -> String {
        if seconds >= 3600 && seconds.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(seconds / 3600)) h" }
        if seconds >= 60 && seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(seconds / 60)) min" }
        return String(format: "%g s", seconds)
    }
}

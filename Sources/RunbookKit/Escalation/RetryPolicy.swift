import Foundation

/// How the outbox retries a delivery that failed in a retryable way (HTTP 429/5xx, network error, timeout).
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included; after the last one the row is marked failed for good.
    public var maxAttempts: Int
    /// Wait before the second attempt; it doubles after each failure.
    public var initialBackoff: TimeInterval
    /// The wait never grows beyond this.
    public var maxBackoff: TimeInterval

    public init(maxAttempts: Int = 6, initialBackoff: TimeInterval = 2, maxBackoff: TimeInterval = 300) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = max(0, initialBackoff)
        self.maxBackoff = max(initialBackoff, maxBackoff)
    }

    /// The wait after the `attempt`-th failure (1-based): 2 s, 4 s, 8 s… capped at `maxBackoff`.
    public func delay(afterAttempt attempt: Int) -> TimeInterval {
        min(maxBackoff, initialBackoff * pow(2, Double(max(0, attempt - 1))))
    }
}

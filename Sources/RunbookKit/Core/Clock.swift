import Foundation

/// The source of "now" for everything that measures or schedules time.
///
/// Injected everywhere so that timers are tested without sleeping and drills can run the
/// incident clock faster than the wall clock.
public protocol Clock: Sendable {
    /// The current instant on this clock.
    func now() -> Date
}

/// The wall clock.
public struct SystemClock: Clock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that runs `speed` times faster than the wall clock from `origin` on (drills use 60×).
///
/// At `origin` both clocks agree; `speed` seconds of drill time pass for every real second.
public struct ScaledClock: Clock {
    /// The real instant at which the drill clock started.
    public let origin: Date
    /// How many drill seconds pass per real second.
    public let speed: Double
    /// The real clock underneath.
    public let base: any Clock

    public init(speed: Double, origin: Date? = nil, base: any Clock = SystemClock()) {
        self.speed = speed
        self.base = base
        self.origin = origin ?? base.now()
    }

    public func now() -> Date {
        origin.addingTimeInterval(base.now().timeIntervalSince(origin) * speed)
    }

    /// The real time span that corresponds to `drillSeconds` on this clock.
    public func realInterval(forDrill drillSeconds: TimeInterval) -> TimeInterval {
        drillSeconds / speed
    }
}

/// A clock that always reads the same instant: one pass of the escalator reads every incident clock at one real
/// instant.
public struct FixedClock: Clock {
    public let instant: Date

    public init(_ instant: Date) { self.instant = instant }

    public func now() -> Date { instant }
}

import Foundation

/// Decides which injects are due on the drill clock. Pure logic: the REPL asks it between answers and on every
/// prompt tick, and records what it returns before showing it.
public final class InjectScheduler {
    /// The injects not yet fired, in time order.
    public private(set) var pending: [DrillInject]
    /// When the drill started (the incident's declaration), on the drill clock.
    public let start: Date
    let clock: any Clock

    /// Schedules `injects` from `start` on `clock` (the session's clock: a `ScaledClock` at `--speed N`).
    public init(injects: [DrillInject], start: Date, clock: any Clock) {
        self.pending = injects.sorted { $0.at < $1.at }
        self.start = start
        self.clock = clock
    }

    /// Drill time elapsed since the start.
    public var drillTime: TimeInterval { clock.now().timeIntervalSince(start) }

    /// The injects whose time has come, oldest first; each is returned once.
    public func due() -> [DrillInject] {
        let now = drillTime
        let count = pending.prefix { $0.at <= now }.count
        let fired = Array(pending.prefix(count))
        pending.removeFirst(count)
        return fired
    }
}

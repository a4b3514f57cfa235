import Foundation

/// One timed event of a drill ("T+2m: error rate 30 %"): shown as a banner when the drill clock reaches `at`.
public struct DrillInject: Sendable, Hashable {
    /// Drill time since the incident was declared, in seconds.
    public var at: TimeInterval
    /// What the banner says.
    public var message: String

    /// Creates an inject.
    public init(at: TimeInterval, message: String) {
        self.at = at
        self.message = message
    }

    /// `T+2m`, `T+1h30m`, `T+45s`: how drill leads write inject times.
    public var label: String { "T+" + Self.duration(at) }

    /// A drill time as the scenario files write it: `0s`, `45s`, `2m`, `1h30m`, `2m30s`.
    public static func duration(_ seconds: TimeInterval) -> String {
        let total = Int(seconds.rounded())
        let hours = total / 3600
        let minutes = (total % 3600) / 60
        let rest = total % 60
        var text = ""
        if hours > 0 { text += "\(hours)h" }
        if minutes > 0 { text += "\(minutes)m" }
        if rest > 0 || text.isEmpty { text += "\(rest)s" }
        return text
    }
}

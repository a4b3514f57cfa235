import Foundation

/// How long something has lasted, in words a responder reads at a glance: `45 seconds`, `30 minutes`,
/// `1 hour 5 minutes`, `2 days 3 hours`. Past a minute it is rounded to the minute, so a page that fired a few
/// milliseconds late still says `30 minutes`.
public enum ElapsedWords {
    /// The words for `seconds` (negative counts as 0).
    public static func text(_ seconds: TimeInterval) -> String {
        let whole = max(0, Int(seconds.rounded()))
        if whole < 60 { return plural(whole, "second") }
        let minutes = Int((Double(whole) / 60).rounded())
        if minutes < 60 { return plural(minutes, "minute") }
        let hours = minutes / 60
        if hours < 24 { return plural(hours, "hour") + (minutes % 60 == 0 ? "" : " " + plural(minutes % 60, "minute")) }
        return plural(hours / 24, "day") + (hours % 24 == 0 ? "" : " " + plural(hours % 24, "hour"))
    }

    private static func plural(_ count: Int, _ unit: String) -> String {
        count == 1 ? "1 \(unit)" : "\(count) \(unit)s"
    }
}

import Foundation

/// How an instant is written for a person: `2026-12-04 20:15:16Z`, in UTC whatever the machine's time zone.
public enum UTCTimestamp {
    /// `date` as `yyyy-MM-dd HH:mm:ss'Z'`.
    public static func text(_ date: Date) -> String {
        formatter.string(from: date)
    }

    nonisolated(unsafe) private static let formatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss'Z'"
        return formatter
    }()
}

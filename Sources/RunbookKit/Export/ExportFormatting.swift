import Foundation

/// Time and duration wording shared by the exporters, always in UTC so exports read the same everywhere.
enum ExportFormatting {
    /// `2026-01-01 00:05:03Z`.
    static func utc(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let (days, secondOfDay) = seconds.quotientAndRemainder(dividingBy: 86_400)
        let dayCount = secondOfDay < 0 ? days - 1 : days
        let second = secondOfDay < 0 ? secondOfDay + 86_400 : secondOfDay
        let (year, month, day) = civilDate(daysSinceEpoch: dayCount)
        return String(
            format: "%04lld-%02lld-%02lld %02lld:%02lld:%02lldZ", year, month, day, second / 3600,
            (second % 3600) / 60, second % 60)
    }

    /// `2026-01-01T00:05:03.250Z`, for machine-readable fields.
    static func iso8601(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (seconds, fraction) = millis.quotientAndRemainder(dividingBy: 1000)
        let whole = fraction < 0 ? seconds - 1 : seconds
        let ms = fraction < 0 ? fraction + 1000 : fraction
        let text = utc(Date(timeIntervalSince1970: TimeInterval(whole)))
        return text.replacingOccurrences(of: " ", with: "T").replacingOccurrences(
            of: "Z", with: String(format: ".%03lldZ", ms))
    }

    /// `YYYY-MM-DD`.
    static func day(_ date: Date) -> String { String(utc(date).prefix(10)) }

    /// `T+mm:ss` since declaration; minutes keep counting past an hour (`T+125:03`).
    static func sinceStart(_ date: Date, start: Date) -> String {
        let seconds = Int(date.timeIntervalSince(start).rounded(.down))
        let sign = seconds < 0 ? "-" : "+"
        let magnitude = abs(seconds)
        return "T" + sign + String(format: "%02d:%02d", magnitude / 60, magnitude % 60)
    }

    /// `45s`, `4m 05s`, `1h 02m 03s`, `2d 03h 00m`; sub-second durations as `0.25s`.
    static func duration(_ interval: TimeInterval) -> String {
        if interval < 10, interval.rounded() != interval {
            return String(format: "%.2fs", max(0, interval))
        }
        let seconds = Int(max(0, interval).rounded())
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return String(format: "%dm %02ds", seconds / 60, seconds % 60) }
        if seconds < 86_400 {
            return String(format: "%dh %02dm %02ds", seconds / 3600, (seconds % 3600) / 60, seconds % 60)
        }
        return String(format: "%dd %02dh %02dm", seconds / 86_400, (seconds % 86_400) / 3600, (seconds % 3600) / 60)
    }

    /// A short, filename-safe slug of `title` (lowercase ASCII letters, digits and dashes; at most 40 characters).
    static func slug(_ title: String) -> String {
        var slug = ""
        for scalar in title.lowercased().unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                slug.unicodeScalars.append(scalar)
            } else if !slug.isEmpty, !slug.hasSuffix("-") {
                slug += "-"
            }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        if slug.count > 40 {
            slug = String(slug.prefix(40))
            while slug.hasSuffix("-") { slug.removeLast() }
        }
        return slug.isEmpty ? "incident" : slug
    }

    /// Proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm), so that formatting
    /// needs neither a locale nor a time zone database.
    private static func civilDate(daysSinceEpoch days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

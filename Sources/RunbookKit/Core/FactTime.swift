import Foundation

/// Reads the TIME of `impact-start TIME` and `detected TIME`: an ISO 8601 instant (`2026-12-05T14:05:00Z`), a UTC
/// time of day (`14:05`, `14:05:30`), or a time ago (`-15m`, `-1h30m`, `-90s`), and `now`.
///
/// A time of day is taken on the day, among the declaration's, the one before and the one after, that puts it
/// nearest the declaration without being later than now: `23:50` for an incident declared at 00:10 is the evening
/// before. No TIME may be later than now.
public enum FactTime {
    /// The instant `text` names, for an incident declared at `declaredAt`, read at `now`.
    /// - Throws: `IncidentFactError.badTime` saying what was wrong with `text` and how to write it.
    public static func parse(_ text: String, command: String, now: Date, declaredAt: Date) throws -> Date {
        let input = text.trimmingCharacters(in: .whitespaces)
        func bad(_ reason: String) -> IncidentFactError { .badTime(command: command, input: text, reason: reason) }
        guard !input.isEmpty else { throw bad("it is empty") }
        let date: Date
        if input.lowercased() == "now" {
            date = now
        } else if input.hasPrefix("-") {
            guard let seconds = relativeSeconds(input.dropFirst()) else {
                throw bad("a time ago is a minus sign and amounts of h, m or s, like -15m or -1h30m")
            }
            date = now.addingTimeInterval(-seconds)
        } else if let (hour, minute, second) = timeOfDay(input) {
            guard hour < 24, minute < 60, second < 60 else { throw bad("there is no such time of day") }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let day = calendar.startOfDay(for: declaredAt)
            let offset = TimeInterval(hour * 3600 + minute * 60 + second)
            let candidates = [-86_400.0, 0, 86_400].map { day.addingTimeInterval($0 + offset) }.filter { $0 <= now }
            guard
                let nearest = candidates.min(by: {
                    abs($0.timeIntervalSince(declaredAt)) < abs($1.timeIntervalSince(declaredAt))
                })
            else { throw bad("\(input) UTC has not come yet on the incident's day") }
            date = nearest
        } else if input.contains("T") || input.contains("-") {
            guard let instant = iso8601(input) else {
                throw bad("an ISO 8601 time needs a date, a time and a zone, like 2026-12-05T14:05:00Z")
            }
            date = instant
        } else {
            throw bad("it is not a time")
        }
        // A second of slack: `now` typed at the prompt is read after the clock that checks it.
        guard date <= now.addingTimeInterval(1) else {
            throw bad("\(UTCTimestamp.text(date)) is later than now (\(UTCTimestamp.text(now)))")
        }
        return date
    }

    /// `1h30m`, `15m`, `90s` in seconds; `nil` when it is anything else.
    static func relativeSeconds(_ text: Substring) -> TimeInterval? {
        var total = 0.0
        var digits = ""
        var sawUnit = false
        for character in text {
            if character.isASCII, character.isNumber {
                digits.append(character)
                continue
            }
            guard let amount = Double(digits), digits.count <= 6 else { return nil }
            switch character {
            case "h", "H": total += amount * 3600
            case "m", "M": total += amount * 60
            case "s", "S": total += amount
            default: return nil
            }
            digits = ""
            sawUnit = true
        }
        return sawUnit && digits.isEmpty ? total : nil
    }

    /// `HH:MM` or `HH:MM:SS` (one or two digits of hours).
    static func timeOfDay(_ text: String) -> (Int, Int, Int)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3,
            parts.allSatisfy({ !$0.isEmpty && $0.count <= 2 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            parts.dropFirst().allSatisfy({ $0.count == 2 })
        else { return nil }
        let numbers = parts.map { Int($0)! }
        return (numbers[0], numbers[1], numbers.count == 3 ? numbers[2] : 0)
    }

    /// An ISO 8601 instant with a zone, with or without fractional seconds or seconds.
    static func iso8601(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime],
        ] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return date }
        }
        // Without seconds: 2026-12-05T14:05Z.
        let parts = text.split(separator: "T")
        if parts.count == 2, parts[1].count > 5, !parts[1].dropFirst(5).hasPrefix(":") {
            let withSeconds = "\(parts[0])T\(parts[1].prefix(5)):00\(parts[1].dropFirst(5))"
            formatter.formatOptions = [.withInternetDateTime]
            return formatter.date(from: withSeconds)
        }
        return nil
    }
}

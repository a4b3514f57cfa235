import Foundation

/// How long responders have before an incident escalates: a fixed duration, or business days.
///
/// Business days are their own unit, never 24 hours: "1 business day" means one full working day
/// of working hours in the configured calendar.
public enum ResponseTime: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A fixed span of elapsed time, in seconds.
    case duration(TimeInterval)
    /// Whole working days of the business calendar.
    case businessDays(Int)

    /// Parses the matrix's wording: `15 minutes`, `30 min`, `2 hours`, `1 hour`, `45s`, `5m`, `1h`,
    /// `1 business day`, `2 business days`. Returns `nil` for anything else.
    public init?(parsing text: String) {
        // Foundation's `Scanner` takes the number (decimals, exponents, signs).
        let lowered = text.trimmingCharacters(in: .whitespaces).lowercased()
        let scanner = Scanner(string: lowered)
        guard let amount = scanner.scanDouble() else { return nil }
        self.init(amount, unit: lowered[scanner.currentIndex...].trimmingCharacters(in: .whitespaces))
    }

    private init?(_ amount: Double, unit: String) {
        guard amount > 0, amount.isFinite else { return nil }
        switch unit {
        case "s", "sec", "secs", "second", "seconds": self = .duration(amount)
        case "m", "min", "mins", "minute", "minutes": self = .duration(amount * 60)
        case "h", "hr", "hrs", "hour", "hours": self = .duration(amount * 3600)
        case "business day", "business days", "working day", "working days":
            guard amount.rounded() == amount else { return nil }
            self = .businessDays(Int(amount))
        default: return nil
        }
    }

    /// Human wording, e.g. `15 minutes`, `2 hours`, `1 business day`.
    public var description: String {
        switch self {
        case .businessDays(let days): return days == 1 ? "1 business day" : "\(days) business days"
        case .duration(let seconds):
            if seconds >= 3600, seconds.truncatingRemainder(dividingBy: 3600) == 0 {
                let hours = Int(seconds / 3600)
                return hours == 1 ? "1 hour" : "\(hours) hours"
            }
            if seconds >= 60, seconds.truncatingRemainder(dividingBy: 60) == 0 {
                let minutes = Int(seconds / 60)
                return minutes == 1 ? "1 minute" : "\(minutes) minutes"
            }
            return "\(Int(seconds)) seconds"
        }
    }
}

/// Parses step timeouts in the fence attributes: `30s`, `5m`, `1h`, `1h30m`, or plain seconds (`90`).
public func parseTimeout(_ text: String) -> TimeInterval? {
    if let seconds = Double(text), seconds > 0 { return seconds }
    var total: TimeInterval = 0
    var number = ""
    var sawUnit = false
    for character in text {
        if character.isNumber || character == "." {
            number.append(character)
            continue
        }
        guard let value = Double(number) else { return nil }
        switch character {
        case "s": total += value
        case "m": total += value * 60
        case "h": total += value * 3600
        default: return nil
        }
        number = ""
        sawUnit = true
    }
    guard number.isEmpty, sawUnit, total > 0 else { return nil }
    return total
}

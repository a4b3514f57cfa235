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
        guard let parsed = Self.wholeAmount(text) ?? Self.scanned(text) else { return nil }
        self = parsed
    }

    /// The general reading: Foundation's `Scanner` takes the number (decimals, exponents, signs).
    static func scanned(_ text: String) -> ResponseTime? {
        let lowered = text.trimmingCharacters(in: .whitespaces).lowercased()
        let scanner = Scanner(string: lowered)
        guard let amount = scanner.scanDouble() else { return nil }
        return ResponseTime(amount, unit: lowered[scanner.currentIndex...].trimmingCharacters(in: .whitespaces))
    }

    /// The matrix's usual wording (ASCII, a whole number of at most nine digits, a unit) read without Foundation,
    /// which is slow on Linux; nil for anything else, which `scanned` then reads.
    static func wholeAmount(_ text: String) -> ResponseTime? {
        guard ASCIIText.isASCII(text) else { return nil }
        let trimmed = ASCIIText.trimmingSpacesAndTabs(text).utf8
        var index = trimmed.startIndex
        var amount = 0
        var digits = 0
        while index < trimmed.endIndex, trimmed[index] >= UInt8(ascii: "0"), trimmed[index] <= UInt8(ascii: "9") {
            guard digits < 9 else { return nil }
            amount = amount * 10 + Int(trimmed[index] - UInt8(ascii: "0"))
            digits += 1
            index = trimmed.index(after: index)
        }
        // A decimal point or an exponent is left to the scanner.
        guard digits > 0, index == trimmed.endIndex || !".eE".utf8.contains(trimmed[index]) else { return nil }
        let unit = ASCIIText.trimmingSpacesAndTabs(Substring(trimmed[index...])).lowercased()
        return ResponseTime(Double(amount), unit: unit)
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
    if let seconds = wholeUnitTimeout(text) { return seconds > 0 ? seconds : nil }
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

/// The common forms of a timeout (`90`, `30s`, `5m`, `1h30m`: whole numbers of at most nine digits, each followed
/// by `s`, `m` or `h`, or one bare number) read byte by byte; nil for anything else, which `parseTimeout` then
/// reads the general way.
private func wholeUnitTimeout(_ text: String) -> TimeInterval? {
    var total = 0
    var number = 0
    var digits = 0
    var sawUnit = false
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            guard digits < 9 else { return nil }
            number = number * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
        case UInt8(ascii: "s"), UInt8(ascii: "m"), UInt8(ascii: "h"):
            guard digits > 0 else { return nil }
            total += number * (byte == UInt8(ascii: "s") ? 1 : byte == UInt8(ascii: "m") ? 60 : 3600)
            guard total < 1 << 52 else { return nil }
            number = 0
            digits = 0
            sawUnit = true
        default:
            return nil
        }
    }
    if !sawUnit { return digits > 0 ? TimeInterval(number) : nil }
    return digits == 0 ? TimeInterval(total) : nil
}

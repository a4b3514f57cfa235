import Foundation

/// Time and duration wording shared by the exporters, always in UTC so exports read the same everywhere.
enum ExportFormatting {
    /// `2026-01-01 00:05:03Z`.
    static func utc(_ date: Date) -> String {
        timeText(seconds: utcSeconds(date), separator: UInt8(ascii: " "), milliseconds: nil)
    }

    /// Appends `utc(date)` to `bytes` without making a string.
    static func appendUTC(_ date: Date, to bytes: inout [UInt8]) {
        appendTime(seconds: utcSeconds(date), separator: UInt8(ascii: " "), milliseconds: nil, to: &bytes)
    }

    /// `2026-01-01T00:05:03.250Z`, for machine-readable fields.
    static func iso8601(_ date: Date) -> String {
        let (seconds, milliseconds) = isoParts(date)
        return timeText(seconds: seconds, separator: UInt8(ascii: "T"), milliseconds: milliseconds)
    }

    /// Appends `iso8601(date)` to `bytes` without making a string.
    static func appendISO8601(_ date: Date, to bytes: inout [UInt8]) {
        let (seconds, milliseconds) = isoParts(date)
        appendTime(seconds: seconds, separator: UInt8(ascii: "T"), milliseconds: milliseconds, to: &bytes)
    }

    /// The whole second a time is shown at: the nearest (as durations are rounded), and the same for the UTC
    /// column and for T+, so that a row's two times always agree.
    private static func utcSeconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded()) }

    private static func isoParts(_ date: Date) -> (seconds: Int64, milliseconds: Int64) {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (seconds, fraction) = millis.quotientAndRemainder(dividingBy: 1000)
        return fraction < 0 ? (seconds - 1, fraction + 1000) : (seconds, fraction)
    }

    /// `YYYY-MM-DD HH:MM:SS[.mmm]Z` (or with `T`) of `seconds` since 1970.
    private static func timeText(seconds: Int64, separator: UInt8, milliseconds: Int64?) -> String {
        var bytes: [UInt8] = []
        appendTime(seconds: seconds, separator: separator, milliseconds: milliseconds, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `YYYY-MM-DD HH:MM:SS[.mmm]Z` (or with `T`) of `seconds` since 1970 to `bytes`.
    ///
    /// Written digit by digit, like the other times here: exports format a time or two per event, and Foundation's
    /// `String(format:)` was the largest cost of a large export after reading the rows.
    private static func appendTime(seconds: Int64, separator: UInt8, milliseconds: Int64?, to bytes: inout [UInt8]) {
        let (days, secondOfDay) = seconds.quotientAndRemainder(dividingBy: 86_400)
        let dayCount = secondOfDay < 0 ? days - 1 : days
        let second = secondOfDay < 0 ? secondOfDay + 86_400 : secondOfDay
        let (year, month, day) = civilDate(daysSinceEpoch: dayCount)
        guard (0...9999).contains(year) else {
            // Outside four-digit years: the general (slower) path, padded as `%04lld` pads.
            var text = ""
            for (value, width, suffix) in [
                (year, 4, "-"), (month, 2, "-"), (day, 2, String(UnicodeScalar(separator))), (second / 3600, 2, ":"),
                ((second % 3600) / 60, 2, ":"), (second % 60, 2, ""),
            ] {
                appendPadded(value, width: width, to: &text)
                text += suffix
            }
            if let milliseconds {
                text += "."
                appendPadded(milliseconds, width: 3, to: &text)
            }
            bytes.append(contentsOf: (text + "Z").utf8)
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of room, on the stack
        let length = milliseconds == nil ? 20 : 24
        withUnsafeMutableBytes(of: &digits) { raw in
            let buffer = raw.bindMemory(to: UInt8.self)
            func put(_ value: Int64, _ width: Int, at offset: Int) {
                var rest = value
                for position in stride(from: offset + width - 1, through: offset, by: -1) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
            }
            put(year, 4, at: 0)
            buffer[4] = UInt8(ascii: "-")
            put(month, 2, at: 5)
            buffer[7] = UInt8(ascii: "-")
            put(day, 2, at: 8)
            buffer[10] = separator
            put(second / 3600, 2, at: 11)
            buffer[13] = UInt8(ascii: ":")
            put((second % 3600) / 60, 2, at: 14)
            buffer[16] = UInt8(ascii: ":")
            put(second % 60, 2, at: 17)
            if let milliseconds {
                buffer[19] = UInt8(ascii: ".")
                put(milliseconds, 3, at: 20)
            }
            buffer[length - 1] = UInt8(ascii: "Z")
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[0..<length]))
        }
    }

    /// `value` in decimal, zero-padded to `width` characters including a minus sign, as `%0*lld` would.
    static func appendPadded(_ value: Int64, width: Int, to text: inout String) {
        let digits = String(value.magnitude)
        if value < 0 { text += "-" }
        let padding = width - digits.utf8.count - (value < 0 ? 1 : 0)
        if padding > 0 { text += String(repeating: "0", count: padding) }
        text += digits
    }

    /// `value` zero-padded to `width`, as a new string.
    static func padded(_ value: Int, width: Int) -> String {
        var text = ""
        appendPadded(Int64(value), width: width, to: &text)
        return text
    }

    /// `value` with `decimals` digits after the point, rounded as C's `printf("%.*f")` rounds (the exact binary
    /// value, ties to even), which `String(format:)` also used.
    static func fixed(_ value: Double, decimals: Int32) -> String {
        var bytes: [UInt8] = []
        appendFixed(value, decimals: decimals, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `fixed(value, decimals: decimals)` to `bytes`.
    static func appendFixed(_ value: Double, decimals: Int32, to bytes: inout [UInt8]) {
        // Fast path: when value × 10^decimals (below 10^12, so off from the exact product by less than 2^-13) is
        // clearly not halfway between two integers, rounding it gives exactly what printf gives. Replays format
        // one time per frame, and `withVaList` costs several times the formatting.
        var scale: Double = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = value * scale
        if value >= 0, scaled < 1e12 {
            let rounded = scaled.rounded()
            if abs(abs(scaled - rounded) - 0.5) > 1e-3 {
                // The integer part, then `decimals` zero-padded digits, written right to left.
                var units = UInt64(rounded)
                var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)  // 32 bytes of room, on the stack
                withUnsafeMutableBytes(of: &digits) { raw in
                    var position = raw.count
                    var written = 0
                    repeat {
                        if written == Int(decimals), decimals > 0 {
                            position -= 1
                            raw[position] = UInt8(ascii: ".")
                        }
                        position -= 1
                        raw[position] = UInt8(ascii: "0") + UInt8(units % 10)
                        units /= 10
                        written += 1
                    } while units > 0 || written <= Int(decimals)
                    bytes.append(contentsOf: raw[position...])
                }
                return
            }
        }
        bytes.append(contentsOf: printfFixed(value, decimals: decimals).utf8)
    }

    /// `fixed` by C's `vsnprintf`, for the values the fast path leaves alone.
    private static func printfFixed(_ value: Double, decimals: Int32) -> String {
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
            let count = withVaList([decimals, value]) { arguments in
                vsnprintf(buffer.baseAddress!, 64, "%.*f", arguments)
            }
            guard count >= 0, count < 64 else {
                return String(format: "%.\(decimals)f", value)
            }
            return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress, count: Int(count)), as: UTF8.self)
        }
    }

    /// `YYYY-MM-DD`.
    static func day(_ date: Date) -> String { String(utc(date).prefix(10)) }

    /// `T+mm:ss` since declaration; minutes keep counting past an hour (`T+125:03`). Both times are taken to the
    /// whole second `utc` shows them at, so T+ is the difference of the two UTC times shown.
    static func sinceStart(_ date: Date, start: Date) -> String {
        let seconds = Int(utcSeconds(date) - utcSeconds(start))
        let magnitude = abs(seconds)
        var minutes = magnitude / 60
        var digits = 1
        while minutes >= 10 {
            minutes /= 10
            digits += 1
        }
        let width = max(2, digits)
        // `T±` + minutes (at least two digits) + `:ss`, written into the string's buffer.
        return String(unsafeUninitializedCapacity: width + 5) { buffer in
            buffer[0] = UInt8(ascii: "T")
            buffer[1] = seconds < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+")
            var rest = magnitude / 60
            for position in stride(from: width + 1, through: 2, by: -1) {
                buffer[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            buffer[width + 2] = UInt8(ascii: ":")
            buffer[width + 3] = UInt8(ascii: "0") + UInt8((magnitude % 60) / 10)
            buffer[width + 4] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            return width + 5
        }
    }

    /// `45s`, `4m 05s`, `1h 02m 03s`, `2d 03h 00m`; sub-second durations as `0.25s`.
    static func duration(_ interval: TimeInterval) -> String {
        if interval < 10, interval.rounded() != interval {
            return fixed(max(0, interval), decimals: 2) + "s"
        }
        let seconds = Int(max(0, interval).rounded())
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m \(padded(seconds % 60, width: 2))s" }
        if seconds < 86_400 {
            return "\(seconds / 3600)h \(padded((seconds % 3600) / 60, width: 2))m \(padded(seconds % 60, width: 2))s"
        }
        return
            "\(seconds / 86_400)d \(padded((seconds % 86_400) / 3600, width: 2))h \(padded((seconds % 3600) / 60, width: 2))m"
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

import Foundation

/// Working days and hours in one time zone, for response times written in business days.
///
/// "1 business day" is one full working day of working hours: declared Tuesday 14:00 with the default
/// Monday–Friday 09:00–17:00 calendar, the deadline is Wednesday 14:00; declared Friday 18:00 (outside hours),
/// counting starts when the next window opens (Monday 09:00) and the deadline is Monday 17:00.
/// Working time is counted on the local wall clock and turned into instants by Foundation's `Calendar`, so a
/// daylight-saving change between declaration and deadline moves the deadline with the local clock.
public struct BusinessCalendar: Sendable, Hashable {
    /// The zone in which working hours are read.
    public var timeZone: TimeZone
    /// Working weekdays, numbered as `Calendar` does: 1 = Sunday … 7 = Saturday.
    public var workingWeekdays: Set<Int>
    /// Start of the working window, in minutes after local midnight (09:00 = 540).
    public var openingMinute: Int
    /// End of the working window, in minutes after local midnight (17:00 = 1020).
    public var closingMinute: Int
    /// Days off, as local dates.
    public var holidays: Set<LocalDate>

    /// A calendar day in the calendar's zone, e.g. `2026-12-25`.
    public struct LocalDate: Sendable, Hashable, Comparable, CustomStringConvertible {
        public var year: Int
        public var month: Int
        public var day: Int

        public init(year: Int, month: Int, day: Int) {
            self.year = year
            self.month = month
            self.day = day
        }

        /// Parses `YYYY-MM-DD`; `nil` for anything else.
        public init?(parsing text: String) {
            let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "-")
            guard parts.count == 3, parts[0].count == 4, let year = Int(parts[0]), let month = Int(parts[1]),
                let day = Int(parts[2]), (1...12).contains(month), (1...31).contains(day)
            else { return nil }
            self.init(year: year, month: month, day: day)
        }

        public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
            (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
        }

        public var description: String {
            String(format: "%04d-%02d-%02d", year, month, day)
        }
    }

    /// Creates a calendar; the default is Monday–Friday 09:00–17:00 in `timeZone`, without holidays.
    public init(
        timeZone: TimeZone = .current, workingWeekdays: Set<Int> = [2, 3, 4, 5, 6], openingMinute: Int = 9 * 60,
        closingMinute: Int = 17 * 60, holidays: Set<LocalDate> = []
    ) {
        self.timeZone = timeZone
        self.workingWeekdays = workingWeekdays
        self.openingMinute = openingMinute
        self.closingMinute = closingMinute
        self.holidays = holidays
    }

    /// Length of one working day on the wall clock, in seconds.
    public var workingDayLength: TimeInterval { TimeInterval(closingMinute - openingMinute) * 60 }

    /// Whether the calendar can ever reach a deadline (some working weekday, a non-empty window).
    public var isUsable: Bool {
        !workingWeekdays.isEmpty && workingWeekdays.allSatisfy { (1...7).contains($0) } && openingMinute >= 0
            && closingMinute <= 24 * 60 && openingMinute < closingMinute
    }

    private var gregorian: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// Whether `date` is a working day (a working weekday that is not a holiday).
    public func isWorkingDay(_ date: LocalDate) -> Bool {
        guard !holidays.contains(date), let noon = instant(on: date, second: 12 * 3600) else { return false }
        return workingWeekdays.contains(gregorian.component(.weekday, from: noon))
    }

    /// Whether `instant` falls inside a working window.
    public func isWithinWorkingHours(_ instant: Date) -> Bool {
        let (date, second) = localPosition(of: instant)
        return isWorkingDay(date) && second >= Double(openingMinute * 60) && second < Double(closingMinute * 60)
    }

    /// The instant by which `days` full working days of working hours have passed since `start`.
    ///
    /// When `start` is outside working hours, counting begins when the next window opens. Zero days
    /// gives that opening (or `start` itself inside hours). An unusable calendar returns `.distantFuture`.
    public func deadline(addingBusinessDays days: Int, from start: Date) -> Date {
        guard isUsable else { return .distantFuture }
        let opening = Double(openingMinute * 60)
        let closing = Double(closingMinute * 60)
        var (date, second) = localPosition(of: start)
        if !isWorkingDay(date) || second >= closing {
            guard let next = nextWorkingDay(after: date) else { return .distantFuture }
            (date, second) = (next, opening)
        } else if second < opening {
            second = opening
        }
        var remaining = TimeInterval(max(days, 0)) * workingDayLength
        while remaining > closing - second {
            remaining -= closing - second
            guard let next = nextWorkingDay(after: date) else { return .distantFuture }
            (date, second) = (next, opening)
        }
        return instant(on: date, second: second + remaining) ?? .distantFuture
    }

    /// The local date and the wall-clock second of the day (09:30:15 = 34215) of `instant`.
    func localPosition(of instant: Date) -> (LocalDate, TimeInterval) {
        let parts = gregorian.dateComponents(
            [.year, .month, .day, .hour, .minute, .second, .nanosecond], from: instant)
        let date = LocalDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)
        let second =
            TimeInterval((parts.hour ?? 0) * 3600 + (parts.minute ?? 0) * 60 + (parts.second ?? 0))
            + TimeInterval(parts.nanosecond ?? 0) / 1e9
        return (date, second)
    }

    /// The instant at wall-clock `second` of local `date`; `Calendar` resolves daylight-saving gaps and overlaps.
    func instant(on date: LocalDate, second: TimeInterval) -> Date? {
        let whole = Int(second.rounded(.down))
        var parts = DateComponents()
        parts.year = date.year
        parts.month = date.month
        parts.day = date.day
        parts.hour = whole / 3600
        parts.minute = (whole % 3600) / 60
        parts.second = whole % 60
        if whole == 24 * 3600 {
            // A window that closes at midnight ends at the start of the next day.
            parts.hour = 0
            parts.minute = 0
            parts.second = 0
            guard let midnight = gregorian.date(from: parts) else { return nil }
            return gregorian.date(byAdding: .day, value: 1, to: midnight)
        }
        return gregorian.date(from: parts)?.addingTimeInterval(second - TimeInterval(whole))
    }

    /// The next working day strictly after `date`, looking at most ten years ahead.
    func nextWorkingDay(after date: LocalDate) -> LocalDate? {
        guard var noon = instant(on: date, second: 12 * 3600) else { return nil }
        for _ in 0..<3660 {
            guard let next = gregorian.date(byAdding: .day, value: 1, to: noon) else { return nil }
            noon = next
            let candidate = localPosition(of: noon).0
            if isWorkingDay(candidate) { return candidate }
        }
        return nil
    }
}

import Foundation
import Testing

@testable import RunbookKit

@Suite struct BusinessCalendarTests {
    let london = BusinessCalendar(timeZone: TimeZone(identifier: "Europe/London")!)

    /// An instant given as local wall-clock time in `zone`.
    func local(_ text: String, _ zone: String = "Europe/London") -> Date {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: zone)
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.date(from: text)!
    }

    func utc(_ text: String) -> Date { local(text, "UTC") }

    @Test func oneBusinessDayInsideHoursEndsAtTheSameTimeNextWorkingDay() {
        // Tuesday 14:00 → Wednesday 14:00: three hours on Tuesday, five on Wednesday.
        #expect(london.deadline(addingBusinessDays: 1, from: local("2026-01-06 14:00")) == local("2026-01-07 14:00"))
    }

    @Test func weekendDaysDoNotCount() {
        // Friday 14:00 → Monday 14:00.
        #expect(london.deadline(addingBusinessDays: 1, from: local("2026-01-09 14:00")) == local("2026-01-12 14:00"))
        #expect(london.deadline(addingBusinessDays: 2, from: local("2026-01-09 14:00")) == local("2026-01-13 14:00"))
    }

    @Test func declaredOutsideHoursStartsCountingWhenTheNextWindowOpens() {
        // Friday evening and Saturday both start Monday 09:00, so one full day ends Monday 17:00.
        #expect(london.deadline(addingBusinessDays: 1, from: local("2026-01-09 18:00")) == local("2026-01-12 17:00"))
        #expect(london.deadline(addingBusinessDays: 1, from: local("2026-01-10 11:00")) == local("2026-01-12 17:00"))
        // Early on a working day: that day's window.
        #expect(london.deadline(addingBusinessDays: 1, from: local("2026-01-06 07:30")) == local("2026-01-06 17:00"))
    }

    @Test func holidaysAreSkipped() {
        var calendar = london
        calendar.holidays = [
            BusinessCalendar.LocalDate(year: 2026, month: 12, day: 25),
            BusinessCalendar.LocalDate(year: 2026, month: 12, day: 28),
        ]
        // Thursday 24 December 14:00; Friday 25 is a holiday, then the weekend, then Monday 28 (substitute day).
        #expect(calendar.deadline(addingBusinessDays: 1, from: local("2026-12-24 14:00")) == local("2026-12-29 14:00"))
        #expect(london.deadline(addingBusinessDays: 1, from: local("2026-12-24 14:00")) == local("2026-12-25 14:00"))
    }

    @Test func springForwardKeepsLocalTimeAndShortensTheElapsedTime() {
        // Clocks go forward on Sunday 29 March 2026 in London: Friday 14:00 GMT → Monday 14:00 BST.
        let start = utc("2026-03-27 14:00")
        let deadline = london.deadline(addingBusinessDays: 1, from: start)
        #expect(deadline == utc("2026-03-30 13:00"))
        #expect(deadline.timeIntervalSince(start) == 71 * 3600)
    }

    @Test func fallBackKeepsLocalTimeAndLengthensTheElapsedTime() {
        // Clocks go back on Sunday 25 October 2026 in London: Friday 14:00 BST → Monday 14:00 GMT.
        let start = utc("2026-10-23 13:00")
        let deadline = london.deadline(addingBusinessDays: 1, from: start)
        #expect(deadline == utc("2026-10-26 14:00"))
        #expect(deadline.timeIntervalSince(start) == 73 * 3600)
    }

    @Test func daylightSavingChangeInAnotherZone() {
        let newYork = BusinessCalendar(timeZone: TimeZone(identifier: "America/New_York")!)
        // 8 March 2026: EST (UTC-5) → EDT (UTC-4). Friday 16:00 EST is 21:00Z; Monday 16:00 EDT is 20:00Z.
        #expect(newYork.deadline(addingBusinessDays: 1, from: utc("2026-03-06 21:00")) == utc("2026-03-09 20:00"))
    }

    @Test func customWorkingWeekAndHours() {
        // A Sunday–Thursday week, 08:00–16:00.
        let calendar = BusinessCalendar(
            timeZone: TimeZone(identifier: "UTC")!, workingWeekdays: [1, 2, 3, 4, 5], openingMinute: 8 * 60,
            closingMinute: 16 * 60)
        // Thursday 12:00 → Sunday 12:00 (Friday and Saturday are the weekend).
        #expect(calendar.deadline(addingBusinessDays: 1, from: utc("2026-01-08 12:00")) == utc("2026-01-11 12:00"))
    }

    @Test func secondsArePreserved() {
        let start = local("2026-01-06 14:00").addingTimeInterval(12.5)
        #expect(
            london.deadline(addingBusinessDays: 1, from: start) == local("2026-01-07 14:00").addingTimeInterval(12.5))
    }

    @Test func workingHoursAreReadInTheCalendarZone() {
        #expect(london.isWithinWorkingHours(local("2026-01-06 09:00")))
        #expect(!london.isWithinWorkingHours(local("2026-01-06 17:00")))
        #expect(!london.isWithinWorkingHours(local("2026-01-10 12:00")))
    }

    @Test func aCalendarWithoutWorkingDaysNeverReachesADeadline() {
        let calendar = BusinessCalendar(timeZone: TimeZone(identifier: "UTC")!, workingWeekdays: [])
        #expect(!calendar.isUsable)
        #expect(calendar.deadline(addingBusinessDays: 1, from: utc("2026-01-06 12:00")) == .distantFuture)
    }
}

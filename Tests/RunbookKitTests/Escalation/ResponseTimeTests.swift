import Foundation
import Testing

@testable import RunbookKit

@Suite struct ResponseTimeTests {
    @Test(arguments: [
        ("15 minutes", ResponseTime.duration(900)), ("30 minutes", .duration(1800)), ("2 hours", .duration(7200)),
        ("1 hour", .duration(3600)), ("5m", .duration(300)), ("1 business day", .businessDays(1)),
        ("2 Business Days", .businessDays(2)), (" 30 min\t", .duration(1800)), ("2 HOURS", .duration(7200)),
        ("45s", .duration(45)), ("15minutes", .duration(900)), ("15  minutes", .duration(900)),
        ("1.5 hours", .duration(5400)), ("1e2 minutes", .duration(6000)), ("3 working days", .businessDays(3)),
    ])
    func parsesMatrixWording(text: String, expected: ResponseTime) {
        #expect(ResponseTime(parsing: text) == expected)
    }

    @Test(arguments: [
        "", " ", "soon", "15 fortnights", "-5 minutes", "0 minutes", "1.5 business days", "minutes", "1 business  day",
    ])
    func rejectsWhatIsNotADuration(text: String) {
        #expect(ResponseTime(parsing: text) == nil)
    }

    @Test func businessDaysAreNotTwentyFourHours() {
        #expect(ResponseTime(parsing: "1 business day") != ResponseTime(parsing: "24 hours"))
    }

    @Test func describesItselfInMatrixWording() {
        #expect(ResponseTime.duration(900).description == "15 minutes")
        #expect(ResponseTime.duration(7200).description == "2 hours")
        #expect(ResponseTime.businessDays(1).description == "1 business day")
    }

    // Whole numbers with units are read byte by byte; decimals and ten-digit numbers take the general path.
    @Test(arguments: [
        ("30s", 30.0), ("5m", 300.0), ("1h", 3600.0), ("1h30m", 5400.0), ("90", 90.0), ("1m30s", 90.0),
        ("0012s", 12.0), ("1.5m", 90.0), ("2.5", 2.5), ("1234567890", 1_234_567_890.0),
        ("1234567890s", 1_234_567_890.0),
    ])
    func parsesStepTimeouts(text: String, seconds: TimeInterval) {
        #expect(parseTimeout(text) == seconds)
    }

    @Test(arguments: ["5x", "", "m", "0", "-3s", "1h30", "0s", "0m0s", "30ss", "5m0", "s", "1 m", "30S"])
    func rejectsBadStepTimeouts(text: String) {
        #expect(parseTimeout(text) == nil)
    }

    @Test func severityOrdersByUrgency() {
        #expect(Severity.p0.isMoreSevere(than: .p1))
        #expect(!Severity.p3.isMoreSevere(than: .p2))
        #expect(Severity(parsing: "p2") == .p2)
        #expect(Severity(parsing: "P4") == nil)
    }
}

import Foundation
import Testing

@testable import RunbookKit

@Suite struct ResponseTimeTests {
    @Test(arguments: [
        ("15 minutes", ResponseTime.duration(900)), ("30 minutes", .duration(1800)), ("2 hours", .duration(7200)),
        ("1 hour", .duration(3600)), ("5m", .duration(300)), ("1 business day", .businessDays(1)),
        ("2 Business Days", .businessDays(2)),
    ])
    func parsesMatrixWording(text: String, expected: ResponseTime) {
        #expect(ResponseTime(parsing: text) == expected)
    }

    @Test(arguments: ["", "soon", "15 fortnights", "-5 minutes", "1.5 business days", "minutes"])
    func rejectsWhatIsNotADuration(text: String) {
        #expect(ResponseTime(parsing: text) == nil)
    }

    @Test func theByteReadingAgreesWithTheScanner() {
        let texts = [
            "15 minutes", " 30 min\t", "2 HOURS", "1 hour", "45s", "5m", "1h", "1 business day", "3 working days",
            "0 minutes", "15minutes", "15  minutes", "15 fortnights", "999999999 s", "1000000000 s", "1.5 hours",
            "1e2 minutes", "+5 minutes", "-5 minutes", "minutes", "", " ", "1 business  day", "\u{00A0}5 minutes",
        ]
        for text in texts {
            let fast = ResponseTime.wholeAmount(text)
            if let fast { #expect(fast == ResponseTime.scanned(text), "\(text)") }
            #expect(ResponseTime(parsing: text) == ResponseTime.scanned(text), "\(text)")
        }
        #expect(ResponseTime.wholeAmount("15 minutes") == .duration(900), "the usual wording takes the byte path")
        #expect(ResponseTime.wholeAmount("1.5 hours") == nil, "a decimal is left to the scanner")
        #expect(ResponseTime(parsing: "1.5 hours") == .duration(5400))
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

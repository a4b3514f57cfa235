import Foundation
import RunbookKit
import Testing

/// The TIME of `impact-start` and `detected`.
@Suite struct FactTimeTests {
    /// 2026-12-05T00:10:00Z.
    let declared = Date(timeIntervalSince1970: 1_796_429_400)

    private func parse(_ text: String, now offset: TimeInterval = 3600) throws -> Date {
        try FactTime.parse(
            text, command: "impact-start", now: declared.addingTimeInterval(offset), declaredAt: declared)
    }

    @Test func isoRelativeAndNowAreRead() throws {
        #expect(try parse("2026-12-05T00:05:00Z") == declared.addingTimeInterval(-300))
        #expect(try parse("2026-12-05T00:05Z") == declared.addingTimeInterval(-300))
        #expect(try parse("2026-12-05T01:05:00+01:00") == declared.addingTimeInterval(-300))
        #expect(try parse("-15m") == declared.addingTimeInterval(3600 - 900))
        #expect(try parse("-1h30m", now: 7200) == declared.addingTimeInterval(1800))
        #expect(try parse("now") == declared.addingTimeInterval(3600))
    }

    @Test func aTimeOfDayIsTheOneNearestTheDeclarationThatHasComeAlready() throws {
        // Declared at 00:10: 23:50 is the evening before, 00:05 the same night, 01:00 this morning.
        #expect(try parse("23:50") == declared.addingTimeInterval(-1200))
        #expect(try parse("00:05") == declared.addingTimeInterval(-300))
        #expect(try parse("01:00") == declared.addingTimeInterval(3000))
        #expect(try parse("00:12:30") == declared.addingTimeInterval(150))
    }

    @Test func badOrFutureTimesSayWhatAndHow() throws {
        for input in ["", "soon", "25:00", "12:5", "-15", "-15x", "2026-12-05T00:05:00", "2026-13-40T00:00Z", "-5m3"] {
            do {
                _ = try parse(input)
                Issue.record("\(input) was accepted")
            } catch let error as IncidentFactError {
                #expect(error.exitStatus == .usage)
                #expect(error.summary.contains("impact-start"))
                #expect(error.hint?.contains("-15m") == true)
            } catch {
                Issue.record("\(input): \(error)")
            }
        }
        #expect(throws: IncidentFactError.self) { try parse("2026-12-05T03:00:00Z") }
        // 02:00 has not come yet tonight: it is the day before's.
        #expect(try parse("02:00") == declared.addingTimeInterval(-22 * 3600 - 600))
    }
}

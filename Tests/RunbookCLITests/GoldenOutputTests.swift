import Foundation
import RunbookTestSupport
import Testing

@Suite struct GoldenOutputTests {
    @Test func showRendersTheFixtureRunbook() throws {
        let result = try BuiltBinary.run(["show", "outage", "--runbooks", "Tests/RunbookCLITests/Fixtures/show"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        try Golden.check(result.stdout, against: "show-outage.txt")
    }

    @Test func lintReportsEveryBrokenRunbookWithFileAndLine() throws {
        let result = try BuiltBinary.run(["lint", "Tests/RunbookCLITests/Fixtures/broken"])
        #expect(result.status == 1)
        #expect(result.stderr == "")
        try Golden.check(result.stdout, against: "lint-broken.txt")
    }

    @Test func lintJSONIsForMachines() throws {
        let result = try BuiltBinary.run([
            "lint", "--format", "json", "Tests/RunbookCLITests/Fixtures/broken/escalation.md",
        ])
        #expect(result.status == 1)
        try Golden.check(result.stdout, against: "lint-escalation.json")
    }

    @Test func listShowsIDTitleSeverityAndSteps() throws {
        let result = try BuiltBinary.run(["list", "--runbooks", "Tests/RunbookCLITests/Fixtures/show"])
        #expect(result.status == 0)
        try Golden.check(result.stdout, against: "list-show-fixtures.txt")
    }
}

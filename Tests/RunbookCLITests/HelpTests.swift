import Foundation
import RunbookTestSupport
import Testing

@Suite struct HelpTests {
    @Test func helpDocumentsExitCodes() throws {
        let result = try BuiltBinary.run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("3 scripted input ended mid-step"))
    }

    @Test func unknownOptionIsAUsageError() throws {
        let result = try BuiltBinary.run(["--no-such-flag"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no-such-flag"))
    }
}

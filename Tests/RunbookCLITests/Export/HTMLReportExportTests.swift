import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// `runbook export --format html` end to end, without a browser: where the file goes, the rules for replacing
/// one, and the report without the replay bundle (compared with a golden file).
@Suite struct HTMLReportExportTests {
    /// No bundle, whatever sits next to the test binary: the report is then the same everywhere.
    static let noReplay = ["RUNBOOK_REPLAY_DIR": ""]

    @Test func withoutTheBundleTheReportMatchesTheGoldenFileAndSaysWhy() throws {
        let scratch = try ExportGoldenTests.sampleDatabase()
        let result = try scratch.run(["export", "1", "--format", "html", "-o", "-"], environment: Self.noReplay)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stderr
                == "note: the HTML report has no replay: RUNBOOK_REPLAY_DIR is set to an empty value, which turns "
                + "the replay off\n")
        #expect(result.stdout.contains("<p class=\"replay-note\">No replay: "))
        try Golden.check(result.stdout, against: "export.html")
    }

    @Test func aMissingBundleDirectoryIsNamedOnStandardErrorOnly() throws {
        let scratch = try ExportGoldenTests.sampleDatabase()
        let missing = scratch.directory + "/no-bundle-here"
        let result = try scratch.run(
            ["export", "1", "--format", "html", "-o", "-"], environment: ["RUNBOOK_REPLAY_DIR": missing])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("no replay bundle (replay.js, xterm.css) in \(missing)"), "\(result.stderr)")
        #expect(!result.stdout.contains(missing))
    }

    @Test func theReportGoesToTheDefaultPathAndReplacesOnlyAnExportWithoutForce() throws {
        let scratch = try ExportGoldenTests.sampleDatabase()
        let workdir = URL(fileURLWithPath: scratch.directory).appendingPathComponent("work")
        try FileManager.default.createDirectory(at: workdir, withIntermediateDirectories: true)
        var environment = Self.noReplay
        environment["RUNBOOK_DB"] = scratch.path
        let first = try BuiltBinary.run(
            ["export", "1", "--format", "html"], environment: environment, currentDirectory: workdir)
        #expect(first.status == 0, "\(first.stderr)")
        let relative = first.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(relative == "transcripts/2026-01-01-1-checkout-api-returning-502s.html")
        // Exported again: it was written by an export, so it is replaced.
        let again = try BuiltBinary.run(
            ["export", "1", "--format", "html"], environment: environment, currentDirectory: workdir)
        #expect(again.status == 0, "\(again.stderr)")

        let page = scratch.directory + "/page.html"
        try Data("<html><body>my own page</body></html>\n".utf8).write(to: URL(fileURLWithPath: page))
        let refused = try scratch.run(["export", "1", "--format", "html", "-o", page], environment: Self.noReplay)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("\(page) exists and was not written by runbook export"), "\(refused.stderr)")
        #expect(try String(contentsOfFile: page, encoding: .utf8) == "<html><body>my own page</body></html>\n")
        let forced = try scratch.run(
            ["export", "1", "--format", "html", "-o", page, "--force"], environment: Self.noReplay)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(
            try String(contentsOfFile: page, encoding: .utf8).contains(
                "<meta name=\"generator\" content=\"runbook export\">"))
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full"), "needs /dev/full"))
    func aFullDiskIsNamedWithItsReason() throws {
        let scratch = try ExportGoldenTests.sampleDatabase()
        let result = try scratch.run(
            ["export", "1", "--format", "html", "-o", "/dev/full"], environment: Self.noReplay)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("cannot write the export to /dev/full: No space left on device"))
    }
}

import Foundation
import RunbookTestSupport
import Testing

/// One count (`Runbook.stepCount`): `list`, `show`, the REPL's step header and `status` number the same steps
/// (commands, manual items and choices), and `status` counts across every runbook opened in the incident.
@Suite struct StepCountEndToEndTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/session").path

    @Test func listShowTheREPLAndStatusAgree() throws {
        // triage: a manual item, a choice and a command; outage: seven commands.
        let list = try BuiltBinary.run(["list", "--format", "json", "--runbooks", Self.fixtures])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(rows.first { $0["id"] as? String == "triage" }?["steps"] as? Int == 3)
        #expect(rows.first { $0["id"] as? String == "outage" }?["steps"] as? Int == 7)

        let show = try BuiltBinary.run(["show", "triage", "--runbooks", Self.fixtures])
        #expect(show.stdout.contains("[1/3] [ ] "), "\(show.stdout)")
        #expect(show.stdout.contains("[2/3] "), "\(show.stdout)")
        #expect(show.stdout.contains("[3/3] final-check"), "\(show.stdout)")
        #expect(show.stdout.contains("3 steps"), "\(show.stdout)")

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-count-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let session = try BuiltBinary.run(
            [
                "start", "triage", "--env", "staging", "--runbooks", Self.fixtures, "--db",
                directory.appendingPathComponent("t.sqlite3").path,
            ], stdin: "d\n1\nstatus\nq\n")
        #expect(session.status == 0, "\(session.stderr)")
        #expect(session.stdout.contains("[1/3] Tell people"), "\(session.stdout)")
        #expect(session.stdout.contains("[1/7] Check service status"), "\(session.stdout)")
        #expect(session.stdout.contains("current: [1/7] check-pods in outage"), "\(session.stdout)")
        #expect(
            session.stdout.contains("steps: 2 done, 0 skipped, 0 failed of 10 (triage 3, outage 7)"),
            "\(session.stdout)")
    }
}

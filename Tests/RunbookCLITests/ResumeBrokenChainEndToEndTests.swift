import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// `resume` verifies the incident's hash chain first: a tampered transcript is refused (exit 1) unless `--force`,
/// which is recorded; and a drill's clean-up deletes only a state directory runbook created.
@Suite struct ResumeBrokenChainEndToEndTests {
    static let root = BuiltBinary.packageRoot.path
    let directory: String
    var database: String { directory + "/drill.sqlite3" }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-chain-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "q\n".write(toFile: directory + "/first.answers", atomically: true, encoding: .utf8)
        let first = try BuiltBinary.run([
            "drill", "--scenario", Self.root + "/runbooks/simulator/scenarios/outage.yaml", "--simulate", "--speed",
            "60", "--answers", directory + "/first.answers", "--db", database, "--runbooks", Self.root + "/runbooks",
        ])
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
    }

    /// A private directory (0700, ours: what the old check accepted) with a file in it, recorded as the drill's
    /// simulator state by editing `incident.declared` behind the store's back.
    func tamper(pointingAt victim: String) throws {
        try FileManager.default.createDirectory(
            atPath: victim, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try "precious\n".write(toFile: victim + "/keep.txt", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [
            database,
            """
            DROP TRIGGER events_no_update;
            UPDATE events SET payload = json_set(payload, '$.drill_setup.simulation_state', '\(victim)')
            WHERE incident = 1 AND seq = 1;
            """,
        ]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    func resume(_ extra: [String], answers: String) throws -> BuiltBinary.Result {
        try BuiltBinary.run(
            ["resume", "1"] + extra + ["--db", database, "--runbooks", Self.root + "/runbooks"], stdin: answers)
    }

    @Test func aBrokenChainIsRefusedWithExitOneAndNothingIsTouched() throws {
        let victim = directory + "/victim"
        try tamper(pointingAt: victim)
        let count = try SQLiteTranscriptStore(path: database).events(incidentID: 1).count
        let refused = try resume([], answers: "abandon\n")
        #expect(refused.status == 1, "\(refused.stdout)\n\(refused.stderr)")
        #expect(refused.stderr.contains("incident #1's hash chain is broken at event #1"), "\(refused.stderr)")
        #expect(refused.stderr.contains("runbook resume 1 --force"))
        #expect(try SQLiteTranscriptStore(path: database).events(incidentID: 1).count == count)
        #expect(FileManager.default.fileExists(atPath: victim + "/keep.txt"))
    }

    @Test func forceIsRecordedAndAbandonDeletesOnlyWhatRunbookCreated() throws {
        let victim = directory + "/victim"
        try tamper(pointingAt: victim)
        let forced = try resume(["--force"], answers: "abandon\n")
        #expect(forced.status == 0, "\(forced.stdout)\n\(forced.stderr)")
        #expect(forced.stdout.contains("hash chain is broken at event #1"))
        #expect(forced.stdout.contains("its state was lost"))
        #expect(
            FileManager.default.fileExists(atPath: victim + "/keep.txt"),
            "abandon deleted a directory it did not create")
        let resumed = try #require(
            try SQLiteTranscriptStore(path: database).events(incidentID: 1).last { $0.type == .sessionResumed })
        #expect(resumed.payload["forced_past_broken_chain"]?["sequence"]?.intValue == 1)
    }

    @Test func aDirectoryUnderTheStateRootWithoutTheMarkerIsNeverDeleted() throws {
        let victim = DrillSimulation.stateRoot + "/drill-not-ours-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: victim) }
        try tamper(pointingAt: victim)
        let forced = try resume(["--force"], answers: "abandon\n")
        #expect(forced.status == 0, "\(forced.stdout)\n\(forced.stderr)")
        #expect(FileManager.default.fileExists(atPath: victim + "/keep.txt"))
    }
}

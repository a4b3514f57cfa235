import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// One driver per incident: `start`, `resume` and `drill` hold a lease on their incident, a second `resume` is
/// refused naming the holder, `--take-over` takes it after a typed confirmation, and a dead holder's lease is taken
/// at once.
@Suite struct SessionDriverLeaseEndToEndTests {
    let database: String
    let fixtures = SessionEndToEndTests.fixtures

    init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-lease-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        database = directory.appendingPathComponent("t.sqlite3").path
        // Incident #1, suspended at once: what the tests resume.
        let started = try BuiltBinary.run(
            ["start", "triage", "--env", "staging", "--runbooks", fixtures, "--db", database], stdin: "q\n")
        #expect(started.status == 0, "\(started.stdout)\(started.stderr)")
    }

    func resume(_ extra: [String] = [], answers: String) throws -> BuiltBinary.Result {
        try BuiltBinary.run(["resume", "1"] + extra + ["--runbooks", fixtures, "--db", database], stdin: answers)
    }

    func liveResume() throws -> LiveRunbook {
        let live = try LiveRunbook(["resume", "1", "--runbooks", fixtures, "--db", database])
        try waitUntil("the first resume to show its step") { live.text.contains("[1/3] Tell people") }
        return live
    }

    func events() throws -> [RecordedEvent] {
        try SQLiteTranscriptStore(path: database).events(incidentID: 1)
    }

    func sqlite(_ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [database, sql]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test func aSecondResumeIsRefusedNamingWhoDrivesItWhereAndSinceWhen() throws {
        let live = try liveResume()
        let before = try events().count
        let second = try resume(answers: "y\n")
        #expect(second.status == 5, "\(second.stdout)\(second.stderr)")
        let identity = ResponderIdentity.current()
        #expect(second.stderr.contains("error: incident #1 is driven by \(identity.actor)"), "\(second.stderr)")
        #expect(second.stderr.contains("(pid \(live.process.processIdentifier) on \(identity.host)) since "))
        #expect(second.stderr.contains("runbook resume 1 --take-over"))
        #expect(try events().count == before, "the refused resume recorded nothing")
        live.send("q")
        #expect(try live.finish() == 0, "\(live.text)")
        // Quitting released the lease: the next resume drives at once.
        let third = try resume(answers: "q\n")
        #expect(third.status == 0, "\(third.stdout)\(third.stderr)")
    }

    @Test func takeOverIsTypedRecordedAndTheFormerDriverStopsWithoutActing() throws {
        let live = try liveResume()
        let taken = try resume(["--take-over"], answers: "take over\nsev P3 calmer now\nresolve fixed elsewhere\n")
        #expect(taken.status == 0, "\(taken.stdout)\(taken.stderr)")
        #expect(taken.stdout.contains("incident #1 is driven by"))
        let takeOver = try #require(try events().first { $0.type == .sessionTakenOver })
        #expect(takeOver.payload["pid"]?.intValue == Int64(live.process.processIdentifier))
        #expect(takeOver.payload["from"]?.stringValue == ResponderIdentity.current().actor)
        let count = try events().count
        // The former driver's next action is refused: nothing more is recorded, and it exits 5.
        live.send("y")
        #expect(try live.finish() == 5, "\(live.text)")
        #expect(live.text.contains("incident #1 was taken over by"), "\(live.text)")
        #expect(try events().count == count)
        #expect(try events().contains { $0.type == .commandStarted } == false)
    }

    @Test func aTakeOverThatIsNotTypedIsRefused() throws {
        let live = try liveResume()
        let declined = try resume(["--take-over"], answers: "y\n")
        #expect(declined.status == 5, "\(declined.stdout)\(declined.stderr)")
        #expect(declined.stderr.contains("incident #1 was not taken over"))
        #expect(try events().contains { $0.type == .sessionTakenOver } == false)
        live.send("q")
        #expect(try live.finish() == 0, "\(live.text)")
    }

    @Test func aKilledDriversLeaseIsTakenAtOnceWithoutTakeOver() throws {
        let live = try liveResume()
        live.kill(SIGKILL)
        _ = try live.finish()
        let next = try resume(answers: "q\n")
        #expect(next.status == 0, "\(next.stdout)\(next.stderr)")
        #expect(try events().contains { $0.type == .sessionTakenOver } == false)
    }

    @Test func aHolderOnAnotherHostCountsWhileItsHeartbeatIsFreshAndIsTakenWhenStale() throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try sqlite(
            "UPDATE driver_leases SET host = 'far-away', holder = 'bob@far-away', pid = 77, released_ms = NULL, "
                + "heartbeat_ms = \(now)")
        let refused = try resume(answers: "q\n")
        #expect(refused.status == 5, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("is driven by bob@far-away (pid 77 on far-away) since "))
        try sqlite("UPDATE driver_leases SET heartbeat_ms = \(now - 60_000)")
        let taken = try resume(answers: "q\n")
        #expect(taken.status == 0, "\(taken.stdout)\(taken.stderr)")
    }
}

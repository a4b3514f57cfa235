import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// A write that fails during or after a command ends the session with exit 4 and the full-disk message: nothing
/// runs after it, and the next `y` does not run the same step again.
@Suite struct SessionFaultEndToEndTests {
    /// Mounting a small tmpfs needs root: elsewhere the test shows as skipped (docs/reliability.md says so).
    @Test(.enabled(if: getuid() == 0, "mounting a 1 MiB tmpfs needs root"))
    func aDiskThatFillsDuringACommandEndsTheSessionWithExitFourAndNothingAfterItRuns() throws {
        let scratch = try ProveScratch()
        let disk = try SmallDisk(in: scratch, size: "1m")
        defer { disk.unmount() }
        let mountPoint = disk.mountPoint
        let ran = scratch.directory + "/ran"
        // The step fills the disk holding the database, then prints 2 MB that do not compress: neither its output
        // nor `command.finished` fits.
        try scratch.write(
            "fill.md",
            """
            ---
            title: Fill
            ---
            # Fill

            ## Fill the disk

            ```bash {id=fill risk=change}
            echo run >> \(ran); head -c 4000000 /dev/zero > \(mountPoint)/filler; head -c 1500000 /dev/urandom | base64
            ```

            ## After

            ```bash {id=after risk=change}
            echo after >> \(ran)
            ```

            """)
        let database = mountPoint + "/runbook.sqlite3"
        let live = try LiveRunbook(
            ["start", "fill", "--env", "staging", "--runbooks", scratch.runbooks, "--db", database],
            environment: ["RUNBOOK_DB_TIMEOUT": "2"])
        try waitUntil("the step to be shown") { live.text.contains("[1/2] Fill the disk") }
        live.send("y")
        let message = "the disk holding the transcript database is full"
        try waitUntil("the full disk to be reported", timeout: 60) { live.text.contains(message) }
        // It ends by itself, stdin still open: before, it kept waiting for the next answer (and a `y` once the disk
        // had room again ran the same step a second time).
        try waitUntil("runbook to end after the lost write", timeout: 20) { !live.process.isRunning }
        let status = try live.finish(timeout: 60)
        #expect(status == 4, "\(live.text.suffix(3000))")
        #expect(live.text.contains(database + ": " + message), "\(live.text.suffix(3000))")
        // The step ran once; neither it nor the next step ran again.
        #expect(try String(contentsOfFile: ran, encoding: .utf8) == "run\n")
        try? FileManager.default.removeItem(atPath: mountPoint + "/filler")
        let events = try SQLiteTranscriptStore(path: database).events(incidentID: 1)
        #expect(events.filter { $0.type == .commandStarted }.count == 1)
        #expect(try BuiltBinary.run(["verify", "--all", "--db", database]).status == 0)
    }
}

import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

@testable import RunbookPostgres

/// Two responders in two processes share one incident on PostgreSQL (docs/team.md): alice drives and runs a step;
/// bob follows and sees its output while it runs; bob's note reaches alice's next prompt; alice hands off to bob,
/// which moves the driver lease; bob resumes on his own terminal, acknowledges and exports; the chain verifies. Every wait reads a process's
/// output with a deadline that fails the test.
@Suite(
    .enabled(
        if: ProcessInfo.processInfo.environment["RUNBOOK_TEST_POSTGRES"].map { !$0.isEmpty } ?? false,
        "RUNBOOK_TEST_POSTGRES is not set: no PostgreSQL server to test against (.ci/run starts one)"),
    .ownThreads)
struct TeamModeEndToEndTests {
    var baseURL: String { ProcessInfo.processInfo.environment["RUNBOOK_TEST_POSTGRES"] ?? "" }

    func freshSchema() throws -> String {
        let schema = "team_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try PostgresTranscriptStore(location: PostgresLocation(url: baseURL), redactor: nil)
            .execute(sql: "CREATE SCHEMA \(schema)")
        return baseURL + "&options=-c%20search_path%3D\(schema)"
    }

    /// A runbook whose first step prints a line, then enough to pass the store's redaction hold-back, then waits for
    /// `flag`: its first line must reach the follower while it still runs.
    func runbooks(flag: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-team-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let text = """
            ---
            title: Ping (fixture)
            severity: P2
            environments: [staging]
            ---
            # Ping

            ## Look

            ```bash {id=look risk=read}
            echo first-line; seq 1 6000 >/dev/stderr; seq 1 6000; while [ ! -e \(flag) ]; do sleep 0.02; done; echo last-line
            ```

            ## Done

            ```bash {id=done risk=read}
            echo all good
            ```

            """
        try text.write(toFile: directory + "/ping.md", atomically: true, encoding: .utf8)
        return directory
    }

    @Test func aDriverAndAFollowerShareOneIncidentThenHandOff() throws {
        let url = try freshSchema()
        let flag = FileManager.default.temporaryDirectory.appendingPathComponent("team-flag-\(UUID())").path
        let directory = try runbooks(flag: flag)
        let host = ResponderIdentity.current().host
        let alice = ["USER": "alice", "LOGNAME": "alice", "RUNBOOK_DB": "", "RUNBOOK_ESCALATOR": "off"]
        let bob = ["USER": "bob", "LOGNAME": "bob", "RUNBOOK_DB": "", "RUNBOOK_ESCALATOR": "off"]

        // alice drives.
        let driver = try LiveRunbook(
            ["start", "ping", "--env", "staging", "--runbooks", directory, "--db", url], environment: alice)
        try waitUntil("alice's session to show its first step") { driver.text.contains("[1/2] Look") }
        let store = try PostgresTranscriptStore(location: PostgresLocation(url: url), redactor: nil)
        let id = try #require(try store.incidents(openOnly: true, drillsOnly: false).first?.id)
        #expect(try store.driverLease(incidentID: id)?.holder == "alice@\(host)")

        // bob follows from his own terminal.
        let follower = try RunningBinary(["follow", String(id), "--db", url], environment: bob, deadline: 120)
        _ = try FollowEndToEndTests.readUntil(follower, "the declaration") { $0.contains("incident.declared") }

        // alice runs the step; bob sees its first line while it still runs (it waits for the flag).
        driver.send("y")
        let live = try FollowEndToEndTests.readUntil(follower, "the step's first line") { $0 == "    │ first-line" }
        #expect(live.contains { $0.contains("command.started") }, "\(live)")
        #expect(!FileManager.default.fileExists(atPath: flag), "the step is still running")
        #expect(try store.events(incidentID: id).contains { $0.type == .commandFinished } == false)
        FileManager.default.createFile(atPath: flag, contents: nil)
        _ = try FollowEndToEndTests.readUntil(follower, "the step's end") { $0.contains("command.finished") }
        try waitUntil("alice's next prompt") { driver.text.contains("[2/2] Done") }

        // bob adds a note; alice sees it at her next prompt, attributed to bob.
        let note = try BuiltBinary.run(
            ["note", String(id), "dashboards", "are", "green", "--db", url], environment: bob)
        #expect(note.status == 0, "\(note.stderr)")
        driver.send("status")
        try waitUntil("bob's note at alice's next prompt") {
            driver.text.contains("note from bob@\(host): dashboards are green")
        }

        // alice hands off to bob: her session ends and the lease is released.
        driver.send("handoff bob --note over to you")
        #expect(try driver.finish() == 0, "\(driver.text)")
        let released = try #require(try store.driverLease(incidentID: id))
        #expect(released.holder == "alice@\(host)" && released.releasedAt != nil)

        // bob resumes on his own terminal: the recap says who handed it over; he now holds the lease.
        let resumed = try BuiltBinary.run(
            ["resume", String(id), "--runbooks", directory, "--db", url], stdin: "note taking over\nq\n",
            environment: bob)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(resumed.stdout.contains("handed over by alice@\(host) to bob"), "\(resumed.stdout)")
        let lease = try #require(try store.driverLease(incidentID: id))
        #expect(lease.holder == "bob@\(host)")
        #expect(lease.token == released.token + 1)
        #expect(
            try store.events(incidentID: id).contains {
                $0.type == .noteAdded && $0.actor == "bob@\(host)" && $0.payload["text"] == "taking over"
            })

        // The follower saw the handoff and bob's session as they were recorded.
        _ = try FollowEndToEndTests.readUntil(follower, "bob's note in the session") { $0.contains("taking over") }
        follower.kill(SIGKILL)
        #expect(follower.wait() == 128 + SIGKILL)

        // bob acknowledges from his terminal, and exports the timeline, both from the PostgreSQL store.
        let ack = try BuiltBinary.run(
            ["ack", String(id), "--by", "bob", "--runbooks", directory, "--db", url], environment: bob)
        #expect(ack.status == 0, "\(ack.stdout)\(ack.stderr)")
        #expect(try store.incident(id)?.acknowledgedAt != nil)
        let export = try BuiltBinary.run(
            ["export", String(id), "--format", "json", "-o", "-", "--db", url], environment: bob)
        #expect(export.status == 0, "\(export.stderr)")
        let exported = try JSONValue(parsing: export.stdout)
        #expect(export.stdout.contains("dashboards are green") && export.stdout.contains("taking over"))
        #expect(exported["incident"]?["id"]?.intValue == id)

        let verify = try BuiltBinary.run(["verify", String(id), "--db", url], environment: bob)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("incident \(id): intact"), "\(verify.stdout)")
    }
}

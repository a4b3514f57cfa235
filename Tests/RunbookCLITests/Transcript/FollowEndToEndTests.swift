import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

@testable import RunbookPostgres

/// `runbook follow` in one process while other processes record: it prints the timeline, then each event and each
/// line of output as it is stored (before the command ends), and exits 0 when the incident is resolved. Every wait
/// reads the follower's stdout through a pipe, with a deadline (the watchdog of `RunningBinary`) that fails the test.
@Suite(.ownThreads) struct FollowEndToEndTests {
    /// Reads lines until one satisfies `match`; records an issue with what it saw when the output ends first.
    static func readUntil(_ follower: RunningBinary, _ what: String, _ match: (String) -> Bool) throws -> [String] {
        var seen: [String] = []
        while let line = follower.readLine() {
            seen.append(line)
            if match(line) { return seen }
        }
        Issue.record("the follower's output ended before \(what); it printed:\n\(seen.joined(separator: "\n"))")
        throw FollowerEnded()
    }

    struct FollowerEnded: Error {}

    @Test func followShowsTheTimelineThenNotesAndLiveOutputFromOtherProcessesUntilTheResolution() throws {
        let database = ScratchDatabase()
        let id = try database.declare()
        let flag = database.directory + "/go-on"
        let follower = try RunningBinary(
            ["follow", String(id)], environment: ["RUNBOOK_DB": database.path], deadline: 90)
        let history = try Self.readUntil(follower, "the declaration") { $0.contains("incident.declared") }
        #expect(history.first == "Incident \(id): Checkout API down", "\(history)")

        let note = try database.run(["note", String(id), "replica", "lag", "is", "3", "s"])
        #expect(note.status == 0, "\(note.stderr)")
        let actor = ResponderIdentity.current().actor
        let noted = try Self.readUntil(follower, "the note") { $0.contains("note.added") }
        #expect(noted.last?.hasSuffix("  \(actor)  replica lag is 3 s") == true, "\(noted)")

        // A command that prints, then waits for the test: its first line must reach the follower while it runs. The
        // store holds output once enough follows it to rule out a secret split across reads (StreamingRedactor's
        // hold-back, 8 KiB and more), so it prints 30 KB first.
        let recording = try RunningBinary(
            [
                "record", "--incident", String(id), "--",
                "echo first-line; echo password=hunter2x; seq 1 6000; while [ ! -e \(flag) ]; do sleep 0.02; done; "
                    + "echo last-line",
            ], environment: ["RUNBOOK_DB": database.path], deadline: 90)
        let live = try Self.readUntil(follower, "the first line of output") { $0 == "    │ first-line" }
        #expect(live.contains { $0.contains("command.started") }, "\(live)")
        FileManager.default.createFile(atPath: flag, contents: nil)
        let rest = try Self.readUntil(follower, "the command's end") { $0.contains("command.finished") }
        #expect(recording.wait() == 0)
        #expect(rest.contains("    │ last-line"), "\(rest)")
        let everything = (history + noted + live + rest).joined(separator: "\n")
        #expect(!everything.contains("hunter2x"), "the follower shows only what the store holds: redacted")
        #expect(everything.contains("password=[REDACTED"), "\(everything)")

        let resolved = try database.run(["status", String(id), "resolved", "rolled", "back"])
        #expect(resolved.status == 0, "\(resolved.stderr)")
        #expect(resolved.stdout.hasSuffix("incident \(id): open → resolved\n"), "\(resolved.stdout)")
        let end = try Self.readUntil(follower, "the resolution") { $0.contains("incident.resolved") }
        #expect(end.last?.hasSuffix("  \(actor)  rolled back") == true, "\(end)")
        #expect(follower.wait() == 0, "the follower ends with the incident")
    }

    /// A quiet command (a few lines, then waiting, as `kubectl get pods -w` does): its lines reach the follower,
    /// redacted, while it runs, once its output has paused; a line not yet ended waits for its end.
    @Test func aQuietCommandsLinesReachTheFollowerWhileItRuns() throws {
        let database = ScratchDatabase()
        let id = try database.declare()
        let flag = database.directory + "/go-on"
        let follower = try RunningBinary(
            ["follow", String(id), "--no-history"], environment: ["RUNBOOK_DB": database.path], deadline: 60)
        let recording = try RunningBinary(
            [
                "record", "--incident", String(id), "--",
                "echo 'api-1   0/1   CrashLoopBackOff'; echo password=hunter2x; printf 'waiting'; "
                    + "while [ ! -e \(flag) ]; do sleep 0.02; done; echo ' done'",
            ], environment: ["RUNBOOK_DB": database.path], deadline: 60)
        let live = try Self.readUntil(follower, "the redacted second line") { $0.hasPrefix("    │ password=") }
        #expect(live.contains("    │ api-1   0/1   CrashLoopBackOff"), "\(live)")
        #expect(live.last == "    │ password=[REDACTED:password]", "\(live)")
        #expect(!live.contains { $0.hasPrefix("    │ waiting") }, "a partial line waits: \(live)")
        FileManager.default.createFile(atPath: flag, contents: nil)
        let rest = try Self.readUntil(follower, "the command's end") { $0.contains("command.finished") }
        #expect(recording.wait() == 0)
        #expect(rest.contains("    │ waiting done"), "\(rest)")
        #expect(!(live + rest).joined().contains("hunter2x"))
        #expect(try database.run(["status", String(id), "resolved"]).status == 0)
        _ = try Self.readUntil(follower, "the resolution") { $0.contains("incident.resolved") }
        #expect(follower.wait() == 0)
    }

    @Test func jsonFollowPrintsOneObjectPerLineAndNoHistorySkipsThePast() throws {
        let database = ScratchDatabase()
        let id = try database.declare()
        _ = try database.run(["note", String(id), "before"])
        let follower = try RunningBinary(
            ["follow", String(id), "--no-history", "--format", "json"], environment: ["RUNBOOK_DB": database.path],
            deadline: 60)
        // Nothing is printed until something new is recorded: the first line must be the new note.
        let sev = try database.run(["sev", String(id), "p0", "all", "regions"])
        #expect(sev.status == 0, "\(sev.stderr)")
        let line = try #require(follower.readLine())
        let object = try JSONValue(parsing: line)
        #expect(object["kind"] == "event")
        #expect(object["type"] == "severity.changed")
        #expect(object["seq"]?.intValue == 3)
        #expect(object["payload"]?["reason"] == "all regions")
        #expect(object["payload"]?["to"] == "P0")
        // It follows until stopped (the test runner's children inherit an ignored SIGINT, so SIGTERM here).
        // It follows until the incident ends.
        #expect(try database.run(["status", String(id), "resolved"]).status == 0)
        let rest = try Self.readUntil(follower, "the resolution") { $0.contains("\"type\":\"incident.resolved\"") }
        #expect(try rest.allSatisfy { try JSONValue(parsing: $0)["kind"] == "event" }, "\(rest)")
        #expect(follower.wait() == 0)
    }

    @Test func badInputIsAnErrorWithTheDocumentedStatus() throws {
        let database = ScratchDatabase()
        let missing = try database.run(["follow", "1"])
        #expect(missing.status == 4, "a missing database is not created: \(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: database.path))
        let id = try database.declare()
        let unknown = try database.run(["follow", String(id + 1)])
        #expect(unknown.status == 2, "\(unknown.stderr)")
        #expect(unknown.stderr.contains("\(id + 1)"), "\(unknown.stderr)")
        let both = try database.run(["follow", String(id), "--since", "1", "--no-history"])
        #expect(both.status == 2)
        let badSeverity = try database.run(["sev", String(id), "P7"])
        #expect(badSeverity.status == 2)
        #expect(badSeverity.stderr.contains("severity must be P0, P1, P2 or P3"), "\(badSeverity.stderr)")
        let abandonReal = try database.run(["status", String(id), "abandoned"])
        #expect(abandonReal.status == 2)
        #expect(abandonReal.stderr.contains("only a drill can be abandoned"), "\(abandonReal.stderr)")
        let shown = try database.run(["status", String(id)])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.hasPrefix("incident \(id): open · P1 · Checkout API down\n"), "\(shown.stdout)")
        #expect(shown.stdout.split(separator: "\n").dropFirst().first?.hasPrefix("declared      20") == true)
        #expect(try database.run(["status", String(id), "resolved"]).status == 0)
        let again = try database.run(["sev", String(id), "P0"])
        #expect(again.status == 5, "a resolved incident changes no more: \(again.stderr)")
        // Following a resolved incident prints its timeline and ends at once.
        let closed = try database.run(["follow", String(id)])
        #expect(closed.status == 0, "\(closed.stderr)")
        #expect(closed.stdout.contains("incident.resolved"), "\(closed.stdout)")
    }
}

/// The same on PostgreSQL: the follower LISTENs, `note`, `sev` and `status` come from other processes, and a
/// command's output is appended by this test process as a driver on another machine would.
@Suite(
    .enabled(
        if: ProcessInfo.processInfo.environment["RUNBOOK_TEST_POSTGRES"].map { !$0.isEmpty } ?? false,
        "RUNBOOK_TEST_POSTGRES is not set: no PostgreSQL server to test against (.ci/run starts one)"),
    .ownThreads)
struct PostgresFollowEndToEndTests {
    var baseURL: String { ProcessInfo.processInfo.environment["RUNBOOK_TEST_POSTGRES"] ?? "" }

    func freshSchema() throws -> String {
        let schema = "follow_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try PostgresTranscriptStore(location: PostgresLocation(url: baseURL), redactor: nil)
            .execute(sql: "CREATE SCHEMA \(schema)")
        return baseURL + "&options=-c%20search_path%3D\(schema)"
    }

    @Test func followOnPostgresSeesNotesChangesAndLiveOutputFromOtherProcesses() throws {
        let url = try freshSchema()
        let driver = try PostgresTranscriptStore(location: PostgresLocation(url: url))
        let (incident, _) = try driver.declareIncident(
            IncidentDeclaration(
                title: "Checkout API down", runbook: "checkout", environment: "production", severity: .p2,
                isDrill: false, host: "bastion", user: "alice"),
            actor: "alice@bastion", at: Date())
        let id = String(incident.id)
        let follower = try RunningBinary(["follow", id, "--db", url], environment: ["RUNBOOK_DB": ""], deadline: 90)
        _ = try FollowEndToEndTests.readUntil(follower, "the declaration") { $0.contains("incident.declared") }

        let note = try BuiltBinary.run(
            ["note", id, "replica lag is 3 s", "--db", url], environment: ["RUNBOOK_DB": ""])
        #expect(note.status == 0, "\(note.stderr)")
        let actor = ResponderIdentity.current().actor
        let noted = try FollowEndToEndTests.readUntil(follower, "the note") { $0.contains("note.added") }
        #expect(noted.last?.hasSuffix("  \(actor)  replica lag is 3 s") == true, "\(noted)")

        let sev = try BuiltBinary.run(["sev", id, "P1", "--db", url], environment: ["RUNBOOK_DB": ""])
        #expect(sev.status == 0, "\(sev.stderr)")
        _ = try FollowEndToEndTests.readUntil(follower, "the severity change") { $0.contains("severity.changed") }

        // The driver runs a command: its output reaches the follower before the command finishes.
        let started = try driver.append(
            EventDraft(.commandStarted, stepID: "pods", payload: ["command": "kubectl get pods"]), to: incident.id,
            actor: "alice@bastion", at: Date())
        let writer = TranscriptOutputWriter(store: driver, incidentID: incident.id, commandSequence: started.sequence)
        writer.receive(Data("pod-1 Running\npassword=hunter2x\n".utf8), offset: 0.1)
        _ = try writer.finish()
        let live = try FollowEndToEndTests.readUntil(follower, "the output") { $0.contains("password=") }
        #expect(live.contains("    │ pod-1 Running"), "\(live)")
        #expect(!live.joined().contains("hunter2x"), "redacted by the store, so by the follower")
        _ = try driver.append(
            EventDraft(
                .commandFinished, stepID: "pods", payload: ["exit_code": 0, "command_sequence": .int(started.sequence)]),
            to: incident.id, actor: "alice@bastion", at: Date())
        _ = try FollowEndToEndTests.readUntil(follower, "the finish") { $0.contains("command.finished") }

        let resolved = try BuiltBinary.run(["status", id, "resolved", "--db", url], environment: ["RUNBOOK_DB": ""])
        #expect(resolved.status == 0, "\(resolved.stderr)")
        _ = try FollowEndToEndTests.readUntil(follower, "the resolution") { $0.contains("incident.resolved") }
        #expect(follower.wait() == 0)
        #expect(try driver.incident(incident.id)?.severity == .p1)
        #expect(try driver.verify(incidentID: incident.id).isIntact)
    }
}

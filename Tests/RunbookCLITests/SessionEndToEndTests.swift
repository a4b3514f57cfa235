import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// Drives the built `runbook` binary in scripted mode over the fixture runbooks, and reads back what it recorded.
@Suite struct SessionEndToEndTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/session").path

    /// A fresh directory with a database path in it.
    func temporaryDatabase() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-session-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("t.sqlite3").path
    }

    func start(_ arguments: [String], database: String, answers: String) throws -> BuiltBinary.Result {
        try BuiltBinary.run(
            ["start"] + arguments + ["--runbooks", Self.fixtures, "--db", database], stdin: answers)
    }

    func events(_ database: String, incident: Int64 = 1) throws -> [RecordedEvent] {
        try SQLiteTranscriptStore(path: database).events(incidentID: incident)
    }

    @Test func triageToOutageWithEditSkipNoteCaptureFailureBranchSeverityAndResolve() throws {
        let database = try temporaryDatabase()
        let answers = """
            d
            1

            y
            y
            y
            o
            e
            echo "restarting $POD gently"
            y

            n customers report 502s
            sev P1 customers affected
            s not needed in staging
            tok-5ecret-123
            y
            resolve restarted web-2

            """
        let result = try start(["triage", "--env", "staging"], database: database, answers: answers)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("[1/3] Tell people"))
        #expect(result.stdout.contains("pods in fixture-staging: web-1 Running"))
        #expect(result.stdout.contains("captured POD=web-2"))
        #expect(result.stdout.contains("✗ exit 1 (expected 0)"))
        #expect(result.stdout.contains("restarting web-2 gently"))
        // The answer is echoed masked; the screen shows the command's real output, only storage is redacted.
        #expect(result.stdout.contains("API token (API_TOKEN): ••••••"))

        let events = try events(database)
        let types = events.map(\.type)
        #expect(types.first == .incidentDeclared)
        #expect(types.last == .incidentResolved)
        #expect(events.contains { $0.type == .manualDone && $0.stepID == "notify-incident-response" })
        #expect(events.contains { $0.type == .choiceMade && $0.payload["target"] == "outage.md" })
        #expect(
            events.contains { $0.type == .variableSet && $0.payload["name"] == "POD" && $0.payload["value"] == "web-2" }
        )
        let healthFinished = try #require(events.first { $0.type == .commandFinished && $0.stepID == "check-health" })
        #expect(healthFinished.payload["exit_code"] == 1)
        #expect(healthFinished.payload["expected"] == false)
        #expect(
            events.contains { $0.type == .runbookOpened && $0.payload["via"] == "on-fail" && $0.stepID == "restart" })
        let edit = try #require(events.first { $0.type == .stepEdited })
        #expect(edit.payload["before"] == "echo \"restarting $POD in $NAMESPACE\"")
        #expect(edit.payload["after"] == "echo \"restarting $POD gently\"")
        #expect(
            events.contains {
                $0.type == .stepSkipped && $0.stepID == "rollback" && $0.payload["reason"] == "not needed in staging"
            })
        #expect(events.contains { $0.type == .noteAdded && $0.payload["text"] == "customers report 502s" })
        #expect(
            events.contains { $0.type == .severityChanged && $0.payload["from"] == "P2" && $0.payload["to"] == "P1" })
        #expect(
            events.contains {
                $0.type == .variableSet && $0.payload["name"] == "API_TOKEN" && $0.payload["secret"] == true
            })
        // Every step shown was committed before it was answered; the commands ran only after approval.
        for started in events where started.type == .commandStarted {
            let approved = events.last { $0.sequence < started.sequence && $0.type == .stepApproved }
            #expect(approved?.stepID == started.stepID)
        }
        // The secret never reached the database, neither in events nor in output.
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: database + suffix) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: database + suffix))
            #expect(bytes.range(of: Data("tok-5ecret-123".utf8)) == nil, "secret found in \(database + suffix)")
        }
        let verify = try #require(events.first { $0.type == .commandStarted && $0.stepID == "verify" })
        let output = try SQLiteTranscriptStore(path: database).output(incidentID: 1, commandSequence: verify.sequence)
        #expect(String(decoding: output.flatMap(\.data), as: UTF8.self).contains("[REDACTED:API_TOKEN]"))
    }

    @Test func killedMidIncidentResumesAtTheRightStepWithTheRightVariables() throws {
        let database = try temporaryDatabase()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltBinary.path)
        process.arguments = ["start", "outage", "--env", "production", "--runbooks", Self.fixtures, "--db", database]
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = nil
        environment["RUNBOOK_ESCALATOR"] = "off"
        process.environment = environment
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Answers for the first two steps; stdin stays open, as with a responder who is still there.
        ProcessRunner.ignoreBrokenPipes()
        input.fileHandleForWriting.write(Data("custom-ns\ny\ny\n".utf8))
        // Read until the third step is on the screen; give up (and fail) if it never comes.
        let screen = ScreenText()
        let reached = DispatchSemaphore(value: 0)
        let reader = output.fileHandleForReading
        DispatchQueue.global().async {
            while true {
                let chunk = DescriptorReading.read(reader)
                if chunk.isEmpty { break }
                screen.append(String(decoding: chunk, as: UTF8.self))
                if screen.text.contains("[3/7] Check health") { break }
            }
            reached.signal()
        }
        let arrived = reached.wait(timeout: .now() + 60) == .success
        let seen = screen.text
        #expect(arrived, "the third step never appeared: \(seen)")
        #expect(seen.contains("captured POD=web-2"))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)

        let resumed = try BuiltBinary.run(
            ["resume", "--runbooks", Self.fixtures, "--db", database], stdin: "vars\nq\n")
        #expect(resumed.status == 0, "\(resumed.stdout)\n\(resumed.stderr)")
        #expect(resumed.stdout.contains("resumed incident #1"))
        #expect(resumed.stdout.contains("[3/7] Check health"))
        #expect(resumed.stdout.contains("variables: POD=web-2"))
        #expect(resumed.stdout.contains("NAMESPACE=custom-ns"))
        let types = try events(database).map(\.type)
        #expect(types.contains(.sessionResumed))
        #expect(types.last == .sessionSuspended)
    }

    @Test func destructiveStepInProductionIsRefusedWithoutTheTypedName() throws {
        let database = try temporaryDatabase()
        let result = try start(
            ["outage", "--env", "production"], database: database, answers: "\ngoto rollback\n\ny\nproduction\nq\n")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("Type 'fixture-prod' to run it"))
        #expect(result.stdout.contains("nothing ran"))
        #expect(!result.stdout.contains("rolling back web-production"))
        let events = try events(database)
        #expect(events.contains { $0.type == .stepRefused && $0.stepID == "rollback" })
        #expect(!events.contains { $0.type == .commandStarted && $0.stepID == "rollback" })
    }

    @Test func destructiveStepInProductionRunsAfterTheTypedName() throws {
        let database = try temporaryDatabase()
        let result = try start(
            ["outage", "--env", "production"], database: database,
            answers: "\ngoto rollback\n\ny\nfixture-prod\ntoken\nq\n")
        #expect(result.status == 0)
        #expect(result.stdout.contains("rolling back web-production in fixture-prod"))
    }

    @Test func inputEndingMidStepExitsThree() throws {
        let database = try temporaryDatabase()
        let result = try start(["outage", "--env", "staging"], database: database, answers: "\n")
        #expect(result.status == 3)
        #expect(try events(database).last?.type == .sessionSuspended)
    }

    @Test func usageErrorsExitTwo() throws {
        let database = try temporaryDatabase()
        #expect(
            try start(["outage", "--env", "staging", "--severity", "P9"], database: database, answers: "").status == 2)
        let wrongEnvironment = try start(["outage", "--env", "development"], database: database, answers: "")
        #expect(wrongEnvironment.status == 2)
        #expect(wrongEnvironment.stderr.contains("may not run in environment 'development'"))
        #expect(!wrongEnvironment.stderr.contains("did you mean"), "\(wrongEnvironment.stderr)")
        // A prefix or a typo of an allowed environment gets a "did you mean".
        for (typed, meant) in [("prod", "production"), ("stagign", "staging"), ("PROD", "production")] {
            let mistyped = try start(["outage", "--env", typed], database: database, answers: "")
            #expect(mistyped.status == 2)
            #expect(mistyped.stderr.contains("hint: did you mean `\(meant)`? use one of: "), "\(mistyped.stderr)")
        }
        #expect(try start(["nope", "--env", "staging"], database: database, answers: "").status == 2)
    }

    @Test func scriptedModeWithoutEnvRefusesARunbookOfSeveralEnvironmentsAndRecordsNothing() throws {
        let database = try temporaryDatabase()
        // The answer `s` once became the environment: the incident ran in environment "s".
        let result = try start(["outage", "--severity", "P0"], database: database, answers: "s\n\nq\n")
        #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("scripted mode needs --env: runbook outage runs in production, staging"))
        #expect(result.stderr.contains("pass --env production"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: database))

        let answersFile = URL(fileURLWithPath: database).deletingLastPathComponent().appendingPathComponent("a.txt")
        try "staging\nq\n".write(to: answersFile, atomically: true, encoding: .utf8)
        let fromFile = try start(["outage", "--answers", answersFile.path], database: database, answers: "")
        #expect(fromFile.status == 2, "\(fromFile.stdout)\n\(fromFile.stderr)")
        #expect(fromFile.stderr.contains("needs --env"))
        #expect(!FileManager.default.fileExists(atPath: database))
    }

    @Test func answersFileAtATerminalWithoutEnvIsRefusedOnTheScreen() throws {
        let database = try temporaryDatabase()
        let directory = URL(fileURLWithPath: database).deletingLastPathComponent()
        let answers = directory.appendingPathComponent("answers.txt")
        try "s\nq\n".write(to: answers, atomically: true, encoding: .utf8)
        let command = [
            BuiltBinary.path, "start", "outage", "--answers", answers.path, "--runbooks", Self.fixtures, "--db",
            database,
        ].map(TmuxSession.quote).joined(separator: " ")
        let tmux = try TmuxSession(command, directory: directory.path, environment: ["TERM": "screen"])
        defer { tmux.kill() }
        let screen = try tmux.waitFor("[exited 2]") { $0.contains("[exited 2]") }
        #expect(screen.contains("scripted mode needs --env: runbook outage runs in production, staging"), "\(screen)")
        #expect(!screen.contains("incident #1 declared"), "\(screen)")
        #expect(!FileManager.default.fileExists(atPath: database))
    }

    @Test func scriptedModeWithEnvDeclaresInThatEnvironment() throws {
        let database = try temporaryDatabase()
        let result = try start(
            ["outage", "--env", "staging", "--severity", "P0"], database: database, answers: "\nq\n")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let declared = try #require(try events(database).first)
        #expect(declared.payload["environment"] == "staging")
        #expect(declared.payload["severity"] == "P0")
    }

    @Test func dryRunRecordsEveryStepAsShownAndRunsNothing() throws {
        let database = try temporaryDatabase()
        let result = try start(["outage", "--env", "staging", "--dry-run"], database: database, answers: "")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("7 items shown"))
        let events = try events(database)
        #expect(events.filter { $0.type == .stepShown && $0.payload["dry_run"] == true }.count == 7)
        #expect(!events.contains { $0.type == .commandStarted })
    }

    @Test func answersFileDrivesTheSameLoop() throws {
        let database = try temporaryDatabase()
        let answers = (database as NSString).deletingLastPathComponent + "/answers.txt"
        try "\ny\nresolve done\n".write(toFile: answers, atomically: true, encoding: .utf8)
        let result = try BuiltBinary.run(
            [
                "start", "outage", "--env", "staging", "--answers", answers, "--runbooks", Self.fixtures, "--db",
                database,
            ])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(try events(database).last?.type == .incidentResolved)
    }

    @Test func resumeWithoutOpenIncidentIsRefused() throws {
        let database = try temporaryDatabase()
        let result = try BuiltBinary.run(["resume", "--runbooks", Self.fixtures, "--db", database], stdin: "")
        #expect(result.status == 5)
        #expect(result.stderr.contains("no open incident to resume"))
    }
}

import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// `runbook drill` through the built binary in scripted mode, against the bundled runbooks and simulator.
@Suite struct DrillEndToEndTests {
    static let root = BuiltBinary.packageRoot.path
    static let answersDirectory = root + "/runbooks/simulator/drills"

    static func array(_ value: JSONValue?) -> [JSONValue] {
        if case .array(let items)? = value { return items }
        return []
    }

    func temporaryDirectory() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-drill-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.path
    }

    /// Runs a drill with `arguments` and the committed answers of `scenario`; returns the result and the database.
    func drill(_ arguments: [String], answersFile: String) throws -> (BuiltBinary.Result, String) {
        let database = try temporaryDirectory() + "/drill.sqlite3"
        let result = try BuiltBinary.run(
            ["drill"] + arguments + ["--answers", answersFile, "--db", database, "--runbooks", Self.root + "/runbooks"])
        return (result, database)
    }

    /// The exit codes of the finished commands of `step` (in any runbook), in order.
    func exitCodes(_ events: [RecordedEvent], step: String) -> [Int64?] {
        events.filter { $0.type == .commandFinished && $0.stepID == step }.map { $0.payload["exit_code"]?.intValue }
    }

    func output(_ store: SQLiteTranscriptStore, _ events: [RecordedEvent], step: String) throws -> [String] {
        try events.filter { $0.type == .commandStarted && $0.stepID == step }.map { started in
            let chunks = try store.output(incidentID: started.incidentID, commandSequence: started.sequence)
            return String(decoding: chunks.reduce(into: Data()) { $0.append($1.data) }, as: UTF8.self)
        }
    }

    /// The debrief recorded at the end must be what the recorded events say.
    func expectDebriefMatchesEvents(_ incident: Incident, _ events: [RecordedEvent]) throws {
        let debrief = try #require(events.last { $0.type == .drillDebrief })
        func since(_ type: EventType, _ match: (RecordedEvent) -> Bool = { _ in true }) -> Double? {
            events.first { $0.type == type && match($0) }.map { $0.timestamp.timeIntervalSince(incident.declaredAt) }
        }
        func expectClose(_ key: String, _ expected: Double?) {
            let recorded = debrief.payload[key]?.doubleValue
            if let expected, let recorded {
                #expect(abs(recorded - expected) < 0.002, "\(key): \(recorded) vs \(expected)")
            } else {
                #expect(recorded == nil && expected == nil, "\(key): \(String(describing: recorded))")
            }
        }
        expectClose("time_to_acknowledge_seconds", since(.ackReceived))
        expectClose("time_to_first_command_seconds", since(.commandStarted))
        expectClose("time_to_mitigation_seconds", since(.statusChanged) { $0.payload["to"] == "mitigated" })
        expectClose("time_to_resolve_seconds", since(.incidentResolved))
        #expect(debrief.payload["time_to_acknowledge_seconds"]?.doubleValue != nil)
        #expect(debrief.payload["time_to_mitigation_seconds"]?.doubleValue != nil)
        let skipped = events.filter { $0.type == .stepSkipped }
        #expect(Self.array(debrief.payload["steps_skipped"]).count == skipped.count)
        for event in skipped {
            let reason = event.payload["reason"]?.stringValue ?? "no reason given"
            #expect(
                Self.array(debrief.payload["steps_skipped"]).contains(
                    .string("\(event.payload["runbook"]?.stringValue ?? "")/\(event.stepID ?? ""): \(reason)")))
        }
        #expect(debrief.payload["injects_shown"]?.intValue == Int64(events.filter { $0.type == .drillInject }.count))
        // Response times come from the escalation matrix the drill recorded as its policy snapshot.
        let responses = Self.array(debrief.payload["response_times"])
        #expect(!responses.isEmpty)
        #expect(incident.policySnapshot != nil)
    }

    @Test func productionIsRefusedWithExitFiveAndTheReasonBeforeAnythingIsRecorded() throws {
        let database = try temporaryDirectory() + "/drill.sqlite3"
        let result = try BuiltBinary.run(["drill", "--env", "production", "--db", database], stdin: "y\n")
        #expect(result.status == 5)
        #expect(result.stderr.contains("drills never run in production"))
        #expect(result.stderr.contains("hint: rehearse in staging"))
        #expect(!FileManager.default.fileExists(atPath: database))

        let scenario = try temporaryDirectory() + "/prod.yaml"
        try """
        title: Prod
        runbook: triage
        environment: production
        severity: P1
        simulate: outage
        injects: []
        """.write(toFile: scenario, atomically: true, encoding: .utf8)
        let fromFile = try BuiltBinary.run(["drill", "--scenario", scenario, "--db", database])
        #expect(fromFile.status == 5, "\(fromFile.stderr)")
        #expect(fromFile.stderr.contains("prod.yaml:3:14: error: drills never run in production"))
    }

    @Test func outageDrillRollbackMakesTheFailingHealthCheckPass() throws {
        let (result, database) = try drill(
            ["--scenario", Self.root + "/runbooks/simulator/scenarios/outage.yaml", "--simulate", "--speed", "60"],
            answersFile: Self.answersDirectory + "/outage.answers")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("DRILL · incident #1 declared: Drill: backend-api crash-loops"))
        #expect(result.stdout.contains("DRILL DEBRIEF (resolved; drill time)"))
        let store = try SQLiteTranscriptStore(path: database)
        let incident = try #require(try store.incident(1))
        #expect(incident.isDrill)
        #expect(incident.environment == "staging")
        #expect(incident.status == .resolved)
        let events = try store.events(incidentID: 1)
        // Before the rollback /health fails (curl -f exits 22); after it, the same check passes.
        #expect(exitCodes(events, step: "check-website-health") == [22])
        #expect(exitCodes(events, step: "helm-rollback") == [0])
        #expect(exitCodes(events, step: "verify-website-health") == [0])
        let rollback = try #require(events.firstIndex { $0.type == .commandFinished && $0.stepID == "helm-rollback" })
        let verify = try #require(
            events.firstIndex { $0.type == .commandFinished && $0.stepID == "verify-website-health" })
        #expect(rollback < verify)
        try expectDebriefMatchesEvents(incident, events)
        // Issue #20: `d` on triage's `{ack}` item is the acknowledgement (no `ack` answer), recorded before the item.
        let ack = try #require(events.firstIndex { $0.type == .ackReceived })
        let firstManual = try #require(events.firstIndex { $0.type == .manualDone })
        #expect(ack < firstManual)
        #expect(events[firstManual].payload["acknowledged"] == true)
        // The health checks' 22 is a finding (`expect=0,7,22`): no `c` was needed to carry on.
        #expect(
            events.contains {
                $0.type == .commandFinished && $0.stepID == "check-api-health" && $0.payload["expected"] == true
            })
        // The verification repeats triage's exact check: the screen says when it ran and what it returned.
        #expect(result.stdout.contains("already ran"), "\(result.stdout)")
        #expect(result.stdout.contains("in triage/check-website-health: exit 22"), "\(result.stdout)")
        // Against the simulator the context line names the simulated cluster, never a real one.
        #expect(result.stdout.contains("simulated cluster (outage) · namespace candlefish-staging"), "\(result.stdout)")
        #expect(!result.stdout.contains("kube context"), "\(result.stdout)")
        let answers = try String(contentsOfFile: Self.answersDirectory + "/outage.answers", encoding: .utf8)
        #expect(answers.split(separator: "\n", omittingEmptySubsequences: false).count - 1 == 19)
    }

    @Test func aResumedDrillKeepsItsClockItsSimulatedClusterAndItsRemainingInjects() throws {
        let directory = try temporaryDirectory()
        let database = directory + "/drill.sqlite3"
        let lines = try String(contentsOfFile: Self.answersDirectory + "/outage.answers", encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
        // The committed answers up to the rollback (it runs), then quit.
        let upToRollback = lines.prefix { $0 != "goto verify-website-health" }.joined(separator: "\n")
        try (upToRollback + "\nq\n").write(toFile: directory + "/first.answers", atomically: true, encoding: .utf8)
        let scenario = Self.root + "/runbooks/simulator/scenarios/outage.yaml"
        let first = try BuiltBinary.run([
            "drill", "--scenario", scenario, "--simulate", "--speed", "60", "--answers", directory + "/first.answers",
            "--db", database, "--runbooks", Self.root + "/runbooks",
        ])
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        let store = try SQLiteTranscriptStore(path: database)
        let declared = try #require(try store.events(incidentID: 1).first)
        let setup = try #require(DrillSetup(payload: declared.payload["drill_setup"]))
        #expect(setup.speed == 60)
        #expect(setup.simulation == "outage")
        #expect(setup.scenarioPath == scenario)
        // Suspended, not over: the simulated cluster (rolled back) is kept for the resume.
        let state = try #require(setup.simulationState)
        #expect(FileManager.default.fileExists(atPath: state))
        let before = try store.events(incidentID: 1)
        let injectsBefore = before.filter { $0.type == .drillInject }.count

        try "goto verify-website-health\ny\nresolve verified after resume\n".write(
            toFile: directory + "/second.answers", atomically: true, encoding: .utf8)
        let second = try BuiltBinary.run([
            "resume", "--answers", directory + "/second.answers", "--db", database, "--runbooks",
            Self.root + "/runbooks",
        ])
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        #expect(second.stdout.contains("DRILL · clock ×60 · simulator: outage"))
        // Preflight looks on the drill's PATH (the simulator's tools), not the machine's.
        #expect(!second.stdout.contains("not on PATH"), "\(second.stdout)")
        #expect(!first.stdout.contains("not on PATH"), "\(first.stdout)")
        // Resumed, it is still sealed off the network, as recorded.
        #expect(setup.isolation == "network namespace")
        #expect(second.stdout.contains("SIMULATED, commands sealed off the network"))
        #expect(second.stdout.contains("DRILL SIMULATED #1"))
        #expect(!second.stdout.contains("its state was lost"))
        #expect(second.stdout.contains("DRILL DEBRIEF (resolved; drill time)"))
        let events = try store.events(incidentID: 1)
        // The drill clock went on at 60x: no event after the resume is stamped before one recorded earlier.
        for (earlier, later) in zip(events, events.dropFirst()) {
            #expect(earlier.timestamp <= later.timestamp, "#\(later.sequence) is stamped before #\(earlier.sequence)")
        }
        // The rollback done before the quit is still in the simulated cluster: /health passes.
        #expect(exitCodes(events, step: "verify-website-health") == [0])
        // Injects already delivered are not delivered again.
        let injects = events.filter { $0.type == .drillInject }.compactMap { $0.payload["at_seconds"]?.doubleValue }
        #expect(Set(injects).count == injects.count)
        #expect(injects.count >= injectsBefore)
        // The drill is over: its simulated cluster is gone.
        #expect(!FileManager.default.fileExists(atPath: state))
    }

    @Test func databaseDrillRestartMakesConnectionsWorkAgain() throws {
        let (result, database) = try drill(
            ["--scenario", Self.root + "/runbooks/simulator/scenarios/database.yaml", "--simulate", "--speed", "60"],
            answersFile: Self.answersDirectory + "/database.answers")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let store = try SQLiteTranscriptStore(path: database)
        let incident = try #require(try store.incident(1))
        let events = try store.events(incidentID: 1)
        #expect(exitCodes(events, step: "check-api-health") == [22])
        #expect(exitCodes(events, step: "restart-database-pod") == [0])
        #expect(exitCodes(events, step: "verify-api-health") == [0])
        #expect(try output(store, events, step: "check-database-pod").first?.contains("CrashLoopBackOff") == true)
        #expect(exitCodes(events, step: "wait-for-database") == [0])
        try expectDebriefMatchesEvents(incident, events)
    }

    @Test func highLoadDrillScalingBringsCPUDown() throws {
        let (result, database) = try drill(
            ["--scenario", Self.root + "/runbooks/simulator/scenarios/high-load.yaml", "--simulate", "--speed", "60"],
            answersFile: Self.answersDirectory + "/high-load.answers")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let store = try SQLiteTranscriptStore(path: database)
        let incident = try #require(try store.incident(1))
        let events = try store.events(incidentID: 1)
        #expect(exitCodes(events, step: "scale-website") == [0])
        #expect(exitCodes(events, step: "scale-backend-api") == [0])
        let before = try #require(try output(store, events, step: "check-load").first)
        let after = try #require(try output(store, events, step: "verify-top-pods").first)
        #expect(before.contains("968m"))
        #expect(!after.contains("968m"))
        try expectDebriefMatchesEvents(incident, events)
    }

    @Test func injectsAreRecordedBeforeTheyAreShownAtTheirDrillTime() throws {
        let directory = try temporaryDirectory()
        let scenario = directory + "/injects.yaml"
        try """
        title: "Drill: injects"
        runbook: triage
        environment: staging
        severity: P2
        simulate: outage
        injects:
          - at: 0s
            message: "PagerDuty pages the on-call"
          - at: 1m
            message: "Error rate 30 %"
          - at: 1000h
            message: "never within this drill"
        """.write(toFile: scenario, atomically: true, encoding: .utf8)
        let answers = directory + "/answers"
        try "ack\nnote looking\nabandon practice over\n".write(toFile: answers, atomically: true, encoding: .utf8)
        // At 100000x a drill minute is 0.6 ms, so the 1m inject is due by the second answer; 1000h never is.
        let (result, database) = try drill(
            ["--scenario", scenario, "--simulate", "--speed", "100000"], answersFile: answers)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let banner = try #require(lines.firstIndex { $0.contains("DRILL INJECT T+0s") })
        let firstStep = try #require(lines.firstIndex { $0.contains("Acknowledge the alert in PagerDuty") })
        #expect(banner < firstStep, "the T+0s inject is shown before the first step")
        #expect(lines[banner].hasSuffix("PagerDuty pages the on-call"))
        #expect(!result.stdout.contains("never within this drill"))
        #expect(result.stdout.contains("DRILL DEBRIEF (abandoned; drill time)"))

        let store = try SQLiteTranscriptStore(path: database)
        let events = try store.events(incidentID: 1)
        let injects = events.filter { $0.type == .drillInject }
        #expect(
            injects.map { $0.payload["message"]?.stringValue } == ["PagerDuty pages the on-call", "Error rate 30 %"])
        #expect(injects.map { $0.payload["at"]?.stringValue } == ["0s", "1m"])
        // Recorded before anything else happened in the drill, and never before its time on the drill clock.
        #expect(events.firstIndex { $0.type == .drillInject }! < events.firstIndex { $0.type == .stepShown }!)
        for inject in injects {
            let at = try #require(inject.payload["at_seconds"]?.doubleValue)
            let drillTime = try #require(inject.payload["drill_time"]?.doubleValue)
            #expect(drillTime >= at)
            let recorded = inject.timestamp.timeIntervalSince(try #require(try store.incident(1)).declaredAt)
            #expect(recorded >= drillTime - 0.002, "the event is stamped after its drill time was read")
        }
        let status = try #require(events.last { $0.type == .statusChanged })
        #expect(status.payload["to"] == "abandoned")
        #expect(events.last?.type == .drillDebrief)

        let listed = try BuiltBinary.run(["incidents", "--drill", "--db", database])
        #expect(listed.stdout.contains("Drill: injects"))
        let export = try BuiltBinary.run(["export", "1", "--format", "markdown", "-o", "-", "--db", database])
        #expect(export.stdout.contains("# Postmortem (DRILL): Drill: injects"))
        #expect(export.stdout.contains("## Drill debrief"))
        #expect(export.stdout.contains("**outcome:** abandoned"))
        #expect(export.stdout.contains("**time_to_acknowledge_seconds:**"))
        // The inject's text is its `message`, in the timeline and in the replay.
        #expect(export.stdout.contains("| Drill inject: PagerDuty pages the on-call |"), "\(export.stdout)")
        #expect(!export.stdout.contains("Drill inject: ?"))
        let cast = try BuiltBinary.run(["export", "1", "--format", "asciicast", "-o", "-", "--db", database])
        #expect(cast.stdout.contains("Drill inject: Error rate 30 %"), "\(cast.stdout)")
        #expect(!cast.stdout.contains("Drill inject: ?"))
    }

    @Test func unknownSimulationAndBadSpeedAreUsageErrors() throws {
        let database = try temporaryDirectory() + "/drill.sqlite3"
        let unknown = try BuiltBinary.run(["drill", "--simulate", "meteor", "--db", database])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("the simulator has no scenario 'meteor'"))
        let speed = try BuiltBinary.run(["drill", "--speed", "0", "--db", database])
        #expect(speed.status == 2)
        #expect(speed.stderr.contains("--speed must be a number above 0"))
    }
}

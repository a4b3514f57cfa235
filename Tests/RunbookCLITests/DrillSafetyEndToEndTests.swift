import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// Issue #15, "drills never touch the real world", through the built binary: a scenario's `simulate:` applies,
/// simulated drills are sealed off the network, production is a class of names, and `--speed` is bounded.
@Suite struct DrillSafetyEndToEndTests {
    static let root = BuiltBinary.packageRoot.path

    func temporaryDirectory() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-safety-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.path
    }

    /// A runbooks directory with the bundled simulator and `files` (name → text).
    func runbooksDirectory(_ files: [String: String]) throws -> String {
        let directory = try temporaryDirectory() + "/runbooks"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: directory + "/simulator", withDestinationPath: Self.root + "/runbooks/simulator")
        for (name, text) in files {
            try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        }
        return directory
    }

    /// An executable script `name` in a fresh directory; returns the directory (to put first on PATH).
    func fakeProgram(_ name: String, script: String) throws -> String {
        let directory = try temporaryDirectory()
        let path = directory + "/" + name
        try ("#!/bin/sh\n" + script + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return directory
    }

    func output(_ database: String, step: String) throws -> String {
        let store = try SQLiteTranscriptStore(path: database)
        let started = try #require(
            try store.events(incidentID: 1).first { $0.type == .commandStarted && $0.stepID == step })
        let chunks = try store.output(incidentID: 1, commandSequence: started.sequence)
        return String(decoding: chunks.reduce(into: Data()) { $0.append($1.data) }, as: UTF8.self)
    }

    func drillSetup(_ database: String) throws -> JSONValue? {
        try SQLiteTranscriptStore(path: database).events(incidentID: 1).first?.payload["drill_setup"]
    }

    // MARK: - A scenario's `simulate:`

    @Test func aScenarioFilesSimulateAppliesWithoutTheFlag() throws {
        let database = try temporaryDirectory() + "/drill.sqlite3"
        // The command in database.yaml's own comment, with the committed answers: no --simulate.
        let result = try BuiltBinary.run([
            "drill", "--scenario", Self.root + "/runbooks/simulator/scenarios/database.yaml", "--answers",
            Self.root + "/runbooks/simulator/drills/database.answers", "--db", database, "--runbooks",
            Self.root + "/runbooks",
        ])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("simulator: database · SIMULATED, commands sealed off the network"))
        #expect(result.stdout.contains("DRILL SIMULATED #1 P1"))
        #expect(!result.stdout.contains("connection to the server"))
        let setup = try #require(try drillSetup(database))
        #expect(setup["simulation"] == "database")
        #expect(setup["isolation"] == "network namespace")
        // The simulated cluster answered, not a real kubectl.
        #expect(try output(database, step: "check-database-pod").contains("CrashLoopBackOff"))
    }

    // MARK: - Sealed off the network

    /// A runbook whose steps try to reach `receiver` by absolute paths, and print the cloud configuration.
    func reachRunbook(_ receiver: HTTPReceiver) -> String {
        let url = receiver.baseURL.absoluteString
        return """
            ---
            title: Reach a local server
            id: reach
            shell: bash
            ---

            # Reach a local server

            ## With curl by its absolute path

            ```bash {id=reach-curl risk=read}
            /usr/bin/curl -sS -X POST -H 'Content-Type: application/json' -d '{"from":"curl"}' \(url)/curl; echo "curl exit $?"
            ```

            ## With Python

            ```bash {id=reach-python risk=read}
            /usr/bin/python3 -c 'import urllib.request as u; u.urlopen(u.Request("\(url)/python", data=b"{}", headers={"Content-Type": "application/json"}))' 2>/dev/null; echo "python exit $?"
            ```

            ## Where the clusters and clouds are configured

            ```bash {id=configuration risk=read}
            for name in KUBECONFIG AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE CLOUDSDK_CONFIG AZURE_CONFIG_DIR HELM_CONFIG_HOME; do case "${!name}" in "$RUNBOOK_SIM_STATE"/*) echo "$name sealed";; *) echo "$name OPEN: ${!name}";; esac; done
            ```

            """
    }

    @Test func simulatedDrillCommandsCannotReachAServerOn127001() throws {
        let receiver = try HTTPReceiver(statuses: ["200"])
        let runbooks = try runbooksDirectory(["reach.md": reachRunbook(receiver)])
        let database = try temporaryDirectory() + "/drill.sqlite3"
        let result = try BuiltBinary.run(
            ["drill", "reach", "--simulate", "outage", "--db", database, "--runbooks", runbooks],
            stdin: "y\ny\ny\nresolve done\n", environment: ["AWS_PROFILE": "real-account"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(try output(database, step: "reach-curl").contains("curl exit 7"))
        #expect(try output(database, step: "reach-python").contains("python exit 1"))
        let configuration = try output(database, step: "configuration")
        #expect(!configuration.contains("OPEN"), "\(configuration)")
        #expect(configuration.components(separatedBy: "sealed").count == 7)
        #expect(try receiver.requests().isEmpty)
        #expect(try drillSetup(database)?["isolation"] == "network namespace")
    }

    @Test func noIsolationLetsTheSameStepsReachTheServerAndIsRecorded() throws {
        let receiver = try HTTPReceiver(statuses: ["200"])
        let runbooks = try runbooksDirectory(["reach.md": reachRunbook(receiver)])
        let database = try temporaryDirectory() + "/drill.sqlite3"
        let result = try BuiltBinary.run(
            ["drill", "reach", "--simulate", "outage", "--no-isolation", "--db", database, "--runbooks", runbooks],
            stdin: "y\ny\ny\nresolve done\n")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("SIMULATED, commands NOT sealed off the network (--no-isolation)"))
        #expect(try output(database, step: "reach-curl").contains("curl exit 0"))
        #expect(try receiver.requests().map(\.path).sorted() == ["/curl", "/python"])
        #expect(try drillSetup(database)?["isolation"] == "none (--no-isolation)")
    }

    @Test func aSimulatedDrillIsRefusedWithExitFiveWhenTheSystemRefusesANetworkNamespace() throws {
        let refusing = try fakeProgram(
            "unshare", script: "echo 'unshare: unshare failed: Operation not permitted' >&2; exit 1")
        let environment = ["PATH": refusing + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
        let database = try temporaryDirectory() + "/drill.sqlite3"
        let result = try BuiltBinary.run(
            ["drill", "--simulate", "--db", database, "--runbooks", Self.root + "/runbooks"], stdin: "q\n",
            environment: environment)
        #expect(result.status == 5, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("cannot be sealed off the network"))
        #expect(result.stderr.contains("Operation not permitted"))
        #expect(result.stderr.contains("--no-isolation"))
        #expect(!FileManager.default.fileExists(atPath: database))

        let unsealed = try BuiltBinary.run(
            ["drill", "--simulate", "--no-isolation", "--db", database, "--runbooks", Self.root + "/runbooks"],
            stdin: "resolve done\n", environment: environment)
        #expect(unsealed.status == 0, "\(unsealed.stdout)\n\(unsealed.stderr)")
        #expect(try drillSetup(database)?["isolation"] == "none (--no-isolation)")
    }

    @Test func aRealDrillNamesItsEnvironmentAndKubeContext() throws {
        let kubectl = try fakeProgram(
            "kubectl", script: #"[ "$1 $2" = "config current-context" ] && echo test-context-7 || exit 1"#)
        let environment = ["PATH": kubectl + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
        let database = try temporaryDirectory() + "/drill.sqlite3"
        let result = try BuiltBinary.run(
            ["drill", "--env", "Staging", "--db", database, "--runbooks", Self.root + "/runbooks"],
            stdin: "resolve done\n", environment: environment)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("REAL target: Staging, kube context test-context-7"))
        #expect(result.stdout.contains("DRILL REAL kube:test-context-7 #1"))
        #expect(try drillSetup(database)?["isolation"] == "none (not simulated)")
    }

    // MARK: - Production is a class

    @Test(arguments: ["production", "Production", "PROD", "prod", "production ", " live", "PRD"])
    func drillsRefuseEveryProductionSpellingFromTheFlag(_ environment: String) throws {
        let database = try temporaryDirectory() + "/drill.sqlite3"
        let result = try BuiltBinary.run(
            ["drill", "--env", environment, "--db", database, "--runbooks", Self.root + "/runbooks"], stdin: "y\n")
        #expect(result.status == 5, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("drills never run in production"))
        #expect(!FileManager.default.fileExists(atPath: database))
    }

    @Test(arguments: ["PROD", "Production", "\"production \"", "live"])
    func drillsRefuseEveryProductionSpellingFromAScenarioFile(_ environment: String) throws {
        let directory = try temporaryDirectory()
        try """
        title: Prod
        runbook: triage
        environment: \(environment)
        severity: P1
        simulate: outage
        injects: []
        """.write(toFile: directory + "/prod.yaml", atomically: true, encoding: .utf8)
        let result = try BuiltBinary.run([
            "drill", "--scenario", directory + "/prod.yaml", "--db", directory + "/drill.sqlite3", "--runbooks",
            Self.root + "/runbooks",
        ])
        #expect(result.status == 5, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("prod.yaml:3:14: error: drills never run in production"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/drill.sqlite3"))
    }

    @Test func aRunbooksDirectoryAddsProductionEnvironmentsForDrillsAndDeclare() throws {
        let runbooks = try runbooksDirectory([
            "triage.md": try String(contentsOfFile: Self.root + "/runbooks/triage.md", encoding: .utf8),
            "environments.yaml": "production_environments: [customer-facing]\n",
        ])
        let database = try temporaryDirectory() + "/drill.sqlite3"
        let drill = try BuiltBinary.run(
            ["drill", "--env", " Customer-Facing", "--db", database, "--runbooks", runbooks], stdin: "y\n")
        #expect(drill.status == 5, "\(drill.stdout)\n\(drill.stderr)")
        #expect(drill.stderr.contains("`Customer-Facing` is a production environment"))
        let declare = try BuiltBinary.run([
            "declare", "--title", "t", "--severity", "P2", "--env", "customer-facing", "--drill", "--db", database,
            "--runbooks", runbooks,
        ])
        #expect(declare.status == 5, "\(declare.stdout)\n\(declare.stderr)")
        #expect(!FileManager.default.fileExists(atPath: database))
    }

    @Test(arguments: ["Live", " prod ", "PRD", "Production"])
    func declareRefusesADrillInEveryProductionSpelling(_ environment: String) throws {
        let database = try temporaryDirectory() + "/t.sqlite3"
        let result = try BuiltBinary.run([
            "declare", "--title", "t", "--severity", "P2", "--env", environment, "--drill", "--db", database,
            "--runbooks", Self.root + "/runbooks",
        ])
        #expect(result.status == 5, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("drills never run in production"))
        #expect(!FileManager.default.fileExists(atPath: database))
    }

    static let wipeRunbook = """
        ---
        title: Wipe the cache
        id: wipe
        shell: bash
        environments: [production, prod, live, staging, customer-facing]
        ---

        # Wipe the cache

        ## Wipe it

        ```bash {id=wipe risk=destructive}
        echo "WIPED-$((40 + 2))"
        ```

        """

    @Test(arguments: [("prod", "prod"), ("Production", "Production"), ("PROD ", "PROD"), ("live", "live")])
    func aDestructiveStepInEveryProductionSpellingNeedsTheTypedName(_ environment: String, typed: String) throws {
        let runbooks = try runbooksDirectory(["wipe.md": Self.wipeRunbook])
        let database = try temporaryDirectory() + "/t.sqlite3"
        let result = try BuiltBinary.run(
            ["start", "wipe", "--env", environment, "--db", database, "--runbooks", runbooks], stdin: "y\ny\nq\n")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("Type '\(typed)' to run it"))
        #expect(!result.stdout.contains("WIPED-42"))
        let events = try SQLiteTranscriptStore(path: database).events(incidentID: 1)
        #expect(events.contains { $0.type == .stepRefused && $0.stepID == "wipe" })
        #expect(!events.contains { $0.type == .commandStarted })
    }

    @Test func anAddedProductionEnvironmentNeedsTheTypedNameAndStagingDoesNot() throws {
        let runbooks = try runbooksDirectory([
            "wipe.md": Self.wipeRunbook, "environments.yaml": "production_environments: [Customer-Facing]\n",
        ])
        let database = try temporaryDirectory() + "/t.sqlite3"
        let added = try BuiltBinary.run(
            ["start", "wipe", "--env", "customer-facing", "--db", database, "--runbooks", runbooks],
            stdin: "y\ny\nq\n")
        #expect(added.status == 0, "\(added.stdout)\n\(added.stderr)")
        #expect(added.stdout.contains("Type 'customer-facing' to run it"))
        #expect(!added.stdout.contains("WIPED-42"))
        // The allow-list `[…, staging, …]` takes ` Staging ` as staging, which runs on a plain y.
        let staging = try BuiltBinary.run(
            ["start", "wipe", "--env", " Staging ", "--db", database, "--runbooks", runbooks], stdin: "y\nq\n")
        #expect(staging.status == 0, "\(staging.stdout)\n\(staging.stderr)")
        #expect(staging.stdout.contains("WIPED-42"))
    }

    // MARK: - --speed

    @Test(arguments: ["1e300", "nan", "inf", "-inf", "0", "-5", "100001"])
    func speedOutsideItsBoundsIsAUsageError(_ speed: String) throws {
        let database = try temporaryDirectory() + "/drill.sqlite3"
        let result = try BuiltBinary.run(
            ["drill", "--speed=\(speed)", "--db", database, "--runbooks", Self.root + "/runbooks"], stdin: "q\n")
        #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("--speed must be a number above 0 and at most 100000"))
        #expect(!FileManager.default.fileExists(atPath: database))
    }
}

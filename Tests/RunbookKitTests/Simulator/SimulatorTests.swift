import Foundation
import Testing

/// The drill simulator's stand-ins, run as real child processes with the bundled runbooks' own step commands.
@Suite struct SimulatorTests {
    // MARK: outage

    @Test func outageShowsCrashLoopingBackendAfterABadRelease() throws {
        let sim = try SimulatorHarness(scenario: "outage")
        defer { sim.tearDown() }

        let pods = try sim.runStep("outage.md", "check-pods")
        let health = try sim.runStep("outage.md", "check-website-health")
        let history = try sim.runStep("outage.md", "helm-history")
        let logs = try sim.run(
            #"kubectl logs "$(kubectl get pods -n "$NAMESPACE" | awk '/^backend-api/ {print $1; exit}')" -n "$NAMESPACE" --previous"#
        )

        #expect(pods.status == 0)
        #expect(
            pods.stdout.split(separator: "\n").filter { $0.hasPrefix("backend-api-") }.allSatisfy {
                $0.contains("CrashLoopBackOff")
            })
        let websitePods = pods.stdout.split(separator: "\n").filter { $0.hasPrefix("website-") }
        #expect(!websitePods.isEmpty && websitePods.allSatisfy { $0.contains("Running") })
        #expect(health.status == 22)
        #expect(health.stderr.contains("curl: (22) The requested URL returned error: 503"))
        let latest = try #require(history.stdout.split(separator: "\n").last)
        #expect(latest.hasPrefix("5 ") && latest.contains("deployed") && latest.contains("2.5.0"))
        #expect(logs.stdout.contains("ValidationError"))
    }

    @Test func helmRollbackEndsTheOutage() throws {
        let sim = try SimulatorHarness(scenario: "outage")
        defer { sim.tearDown() }
        #expect(try sim.runStep("rollback.md", "verify-website-health").status == 22)

        let rollback = try sim.runStep("rollback.md", "helm-rollback")

        #expect(rollback.status == 0)
        #expect(rollback.stdout.contains("Rollback was a success!"))
        #expect(try sim.runStep("rollback.md", "verify-website-health").status == 0)
        #expect(try sim.runStep("rollback.md", "verify-api-health").status == 0)
        let pods = try sim.runStep("rollback.md", "check-pods-after-rollback").stdout
        #expect(!pods.contains("CrashLoopBackOff"))
        let history = try sim.runStep("rollback.md", "helm-history").stdout
        #expect(history.contains("Rollback to 4"))
    }

    @Test func helmRollbackToTheBadRevisionDoesNotHelp() throws {
        var sim = try SimulatorHarness(scenario: "outage")
        sim.variables["REVISION"] = "5"
        defer { sim.tearDown() }

        #expect(try sim.runStep("rollback.md", "helm-rollback-to-revision").status == 0)

        #expect(try sim.runStep("rollback.md", "verify-website-health").status == 22)
    }

    @Test func rolloutUndoOfBackendApiEndsTheOutage() throws {
        let sim = try SimulatorHarness(scenario: "outage")
        defer { sim.tearDown() }
        #expect(try sim.runStep("rollback.md", "rollout-status").status != 0)

        let undo = try sim.runStep("rollback.md", "rollout-undo")

        #expect(undo.stdout == "deployment.apps/backend-api rolled back\n")
        #expect(try sim.runStep("rollback.md", "rollout-status").status == 0)
        #expect(try sim.runStep("outage.md", "verify-website-health").status == 0)
        let history = try sim.runStep("rollback.md", "rollout-history").stdout
        #expect(history.contains("8 "), "the undo is recorded as a new revision")
    }

    @Test func undoingTheWebsiteLeavesTheBackendBroken() throws {
        var sim = try SimulatorHarness(scenario: "outage")
        sim.variables["DEPLOYMENT"] = "website"
        defer { sim.tearDown() }

        #expect(try sim.runStep("rollback.md", "rollout-undo").status == 0)

        #expect(try sim.runStep("outage.md", "verify-website-health").status == 22)
    }

    @Test func emergencyRollbackLoopEndsTheOutage() throws {
        let sim = try SimulatorHarness(scenario: "outage")
        defer { sim.tearDown() }

        let loop = try sim.runStep("rollback.md", "emergency-rollback")

        #expect(loop.status == 0)
        #expect(loop.stdout.contains("EMERGENCY ROLLBACK INITIATED"))
        #expect(loop.stdout.contains("deployment \"paintbox-service\" successfully rolled out"))
        #expect(try sim.runStep("outage.md", "verify-api-health").status == 0)
    }

    @Test func redeployingTheBadChartBringsTheOutageBack() throws {
        let sim = try SimulatorHarness(scenario: "outage")
        defer { sim.tearDown() }
        try sim.runStep("rollback.md", "helm-rollback")
        #expect(try sim.runStep("outage.md", "verify-website-health").status == 0)

        let upgrade = try sim.runStep("deploy.md", "helm-upgrade")

        #expect(upgrade.status == 1)
        #expect(try sim.runStep("outage.md", "verify-website-health").status == 22)
    }

    @Test func deployScriptRollbackUsesTheSimulatedHelm() throws {
        let sim = try SimulatorHarness(scenario: "outage")
        defer { sim.tearDown() }

        let rollback = try sim.runStep("rollback.md", "deploy-script-rollback")

        #expect(rollback.status == 0)
        #expect(try sim.runStep("outage.md", "verify-website-health").status == 0)
        let log = try String(
            contentsOf: sim.stateDirectory.appendingPathComponent("commands.log"), encoding: .utf8)
        #expect(log.contains("helm rollback candlefish-staging -n candlefish-staging"))
    }

    // MARK: database

    @Test func databaseScenarioRefusesConnections() throws {
        let sim = try SimulatorHarness(scenario: "database")
        defer { sim.tearDown() }

        let pod = try sim.runStep("database.md", "check-database-pod")
        let logs = try sim.runStep("database.md", "database-logs")
        let connection = try sim.runStep("database.md", "check-connection")
        let api = try sim.runStep("database.md", "verify-api-health")

        #expect(pod.stdout.contains("candlefish-postgresql-0") && pod.stdout.contains("CrashLoopBackOff"))
        #expect(logs.stdout.contains("FATAL"))
        #expect(connection.status == 1)
        #expect(connection.stderr.contains("Connection refused"))
        #expect(api.status == 22)
    }

    @Test func connectionTestReadsTheURLFromStandardInputOnly() throws {
        let sim = try SimulatorHarness(scenario: "high-load")
        defer { sim.tearDown() }

        let withURL = try sim.runStep("database.md", "check-connection")
        let withoutStdin = try sim.run(
            #"kubectl exec -n "$NAMESPACE" deployment/backend-api -- python -c "import sys, psycopg2; psycopg2.connect(sys.stdin.read().strip()); print('connection OK')""#
        )

        #expect(withURL.stdout == "connection OK\n")
        #expect(withoutStdin.status == 1)
        #expect(withoutStdin.stderr.contains("/var/run/postgresql/.s.PGSQL.5432"))
    }

    @Test func restartingTheDatabasePodRestoresConnections() throws {
        let sim = try SimulatorHarness(scenario: "database")
        defer { sim.tearDown() }
        #expect(try sim.runStep("database.md", "wait-for-database").status == 1)

        let restart = try sim.runStep("database.md", "restart-database-pod")

        #expect(restart.stdout == "pod \"candlefish-postgresql-0\" deleted\n")
        #expect(try sim.runStep("database.md", "wait-for-database").status == 0)
        #expect(try sim.runStep("database.md", "verify-connection").stdout == "connection OK\n")
        #expect(try sim.runStep("database.md", "verify-api-health").status == 0)
        #expect(try sim.runStep("database.md", "check-database-pod").stdout.contains("Running"))
    }

    @Test func rolloutRestartOfTheStatefulSetAlsoRestoresTheDatabase() throws {
        let sim = try SimulatorHarness(scenario: "database")
        defer { sim.tearDown() }

        #expect(try sim.run(#"kubectl rollout restart statefulset/candlefish-postgresql -n "$NAMESPACE""#).status == 0)

        #expect(try sim.runStep("database.md", "check-connection").status == 0)
    }

    @Test func readOnlyModeKeepsTheAPIAnsweringWhileTheDatabaseIsDown() throws {
        let sim = try SimulatorHarness(scenario: "database")
        defer { sim.tearDown() }

        let readOnly = try sim.runStep("database.md", "enable-read-only")

        #expect(readOnly.stdout == "deployment.apps/backend-api env updated\n")
        let api = try sim.runStep("database.md", "verify-api-health")
        #expect(api.status == 0)
        #expect(api.stdout.contains(#""read_only":true"#))
        #expect(try sim.runStep("database.md", "verify-connection").status == 1)

        try sim.runStep("database.md", "disable-read-only")
        #expect(try sim.runStep("database.md", "verify-api-health").status == 22)
    }

    // MARK: high load

    @Test func highLoadShowsSaturatedPodsAndAutoscalersAtTheirMaximum() throws {
        let sim = try SimulatorHarness(scenario: "high-load")
        defer { sim.tearDown() }

        let hpa = try sim.runStep("high-load.md", "check-hpa").stdout
        let latency = try sim.runStep("high-load.md", "p95-latency").stdout

        for (name, max) in [("website", "6"), ("backend-api", "8")] {
            let row = try #require(hpa.split(separator: "\n").first { $0.hasPrefix(name + " ") })
            let columns = row.split(separator: " ")
            #expect(columns[5] == max && columns[6] == max, "\(name) at its maximum: \(row)")
            let usage = try #require(Int(columns[3].dropLast(5)))  // "96%/70%" → 96
            #expect(usage > 90)
        }
        #expect(try p95(latency) > 2)
    }

    @Test func scalingWebsiteAndBackendRelievesTheLoad() throws {
        let sim = try SimulatorHarness(scenario: "high-load")
        defer { sim.tearDown() }

        try sim.runStep("high-load.md", "raise-website-hpa-max")
        try sim.runStep("high-load.md", "raise-backend-api-hpa-max")
        #expect(try sim.runStep("high-load.md", "scale-website").stdout == "deployment.apps/website scaled\n")
        #expect(try sim.runStep("high-load.md", "scale-backend-api").status == 0)

        #expect(try p95(sim.runStep("high-load.md", "verify-p95-latency").stdout) < 2)
        let hpa = try sim.runStep("high-load.md", "check-hpa").stdout
        #expect(hpa.contains("cpu: 56%/70%") && hpa.contains(" 20 "))
        let pods = try sim.runStep("high-load.md", "verify-top-pods").stdout
        #expect(pods.split(separator: "\n").filter { $0.hasPrefix("backend-api-") }.count == 20)
        #expect(!pods.contains("968m"))
    }

    @Test func scalingOnlyTheWebsiteLeavesLatencyAboveTheThreshold() throws {
        let sim = try SimulatorHarness(scenario: "high-load")
        defer { sim.tearDown() }

        try sim.runStep("high-load.md", "scale-website")

        #expect(try p95(sim.runStep("high-load.md", "verify-p95-latency").stdout) > 2)
    }

    // MARK: every scenario

    @Test(arguments: ["outage", "database", "high-load"])
    func everyBundledStepIsSimulated(scenario: String) throws {
        let sim = try SimulatorHarness(scenario: scenario)
        defer { sim.tearDown() }
        let runbooks = try FileManager.default.contentsOfDirectory(atPath: SimulatorHarness.runbooksDirectory.path)
            .filter { $0.hasSuffix(".md") }.sorted()
        var ran = 0
        for runbook in runbooks {
            for step in try SimulatorHarness.steps(in: runbook) {
                var stepSim = sim
                if step.command.contains("POD_NAME") {
                    stepSim.variables["POD_NAME"] = try sim.run(
                        #"kubectl get pods -n "$NAMESPACE" | awk 'NR > 1 { print $1; exit }'"#
                    ).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                }
                let result = try stepSim.run(step.command)
                #expect(result.status != 127, "\(runbook) \(step.id): \(result.stderr)")
                #expect(!result.stderr.contains("is not simulated"), "\(runbook) \(step.id): \(result.stderr)")
                ran += 1
            }
        }
        #expect(ran > 80)
    }

    @Test func unknownCommandsAreNotSimulated() throws {
        let sim = try SimulatorHarness(scenario: "outage")
        defer { sim.tearDown() }

        let unknown = try sim.run("kubectl get secrets -A")

        #expect(unknown.status == 127)
        #expect(unknown.stderr.hasPrefix("simulator: 'kubectl get secrets -A' is not simulated in scenario outage\n"))
        for command in [
            "helm list -A", "curl -f https://example.com/", "aws s3 ls", "psql", "terraform destroy",
            "docker run nginx", "trivy fs .", "kubectl drain node-1",
        ] {
            let result = try sim.run(command)
            #expect(result.status == 127, "\(command)")
            #expect(result.stderr.contains("'\(command)' is not simulated in scenario outage"), "\(command)")
        }
    }

    @Test func refusesToRunWithoutAScenario() throws {
        let none = try SimulatorHarness(scenario: nil)
        let wrong = try SimulatorHarness(scenario: "meteor")
        defer {
            none.tearDown()
            wrong.tearDown()
        }

        let withoutScenario = try none.run("kubectl get pods -n candlefish-staging")
        let unknownScenario = try wrong.run("kubectl get pods -n candlefish-staging")

        #expect(withoutScenario.status == 125)
        #expect(withoutScenario.stderr.contains("RUNBOOK_SIM_SCENARIO is not set"))
        #expect(unknownScenario.status == 125)
        #expect(unknownScenario.stderr.contains("unknown scenario 'meteor'"))
    }

    @Test func eachStateDirectoryIsItsOwnWorld() throws {
        let first = try SimulatorHarness(scenario: "outage")
        let second = try SimulatorHarness(scenario: "outage")
        defer {
            first.tearDown()
            second.tearDown()
        }

        try first.runStep("rollback.md", "helm-rollback")

        #expect(try first.runStep("outage.md", "verify-website-health").status == 0)
        #expect(try second.runStep("outage.md", "verify-website-health").status == 22)
        let mode = try FileManager.default.attributesOfItem(atPath: first.stateDirectory.path)[.posixPermissions]
        #expect(mode as? Int == 0o700)
    }

    @Test func deployScriptRefusesToRunOutsideADrill() throws {
        let sim = try SimulatorHarness(scenario: nil)
        defer { sim.tearDown() }

        let result = try sim.run("./deployment/scripts/deploy.sh -e staging -r")

        #expect(result.status == 125)
        #expect(result.stderr.contains("drill simulator's stand-in"))
    }

    /// The value of a one-sample Prometheus vector.
    private func p95(_ json: String) throws -> Double {
        let data = try #require(json.data(using: .utf8))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let result = (object?["data"] as? [String: Any])?["result"] as? [[String: Any]]
        let value = try #require(result?.first?["value"] as? [Any])
        return try #require(Double(value[1] as? String ?? ""))
    }
}

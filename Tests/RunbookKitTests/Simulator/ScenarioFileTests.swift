import Foundation
import RunbookKit
import Testing
import Yams

/// The bundled drill scenario files follow the documented format (runbooks/simulator/README.md).
@Suite struct ScenarioFileTests {
    static let scenarios = ["outage", "database", "high-load"]

    @Test(arguments: scenarios)
    func scenarioFileNamesARunbookAStagingEnvironmentAndItsSimulation(name: String) throws {
        let url = SimulatorHarness.simulatorDirectory.appendingPathComponent("scenarios/\(name).yaml")
        let scenario = try #require(try Yams.load(yaml: String(contentsOf: url, encoding: .utf8)) as? [String: Any])

        #expect(Set(scenario.keys) == ["title", "runbook", "environment", "severity", "simulate", "injects"])
        let runbook = try #require(scenario["runbook"] as? String)
        #expect(
            FileManager.default.fileExists(
                atPath: SimulatorHarness.runbooksDirectory.appendingPathComponent("\(runbook).md").path))
        #expect(scenario["environment"] as? String == "staging", "drills refuse production")
        #expect(Severity(parsing: scenario["severity"] as? String ?? "") != nil)
        #expect(scenario["simulate"] as? String == name)
        #expect(!(scenario["title"] as? String ?? "").isEmpty)

        let injects = try #require(scenario["injects"] as? [[String: Any]])
        #expect(!injects.isEmpty)
        var previous: TimeInterval = 0
        for inject in injects {
            #expect(Set(inject.keys) == ["at", "message"])
            let at = try #require(parseTimeout(inject["at"] as? String ?? ""), "at: \(inject["at"] ?? "")")
            #expect(at > previous, "injects are in time order")
            previous = at
            #expect(!(inject["message"] as? String ?? "").isEmpty)
        }
    }

    @Test(arguments: scenarios)
    func scenarioRunbookStartsInTheBrokenStateOfItsSimulation(name: String) throws {
        let sim = try SimulatorHarness(scenario: name)
        defer { sim.tearDown() }

        // Triage's own checks must show something wrong in every scenario, or the drill has nothing to find.
        let website = try sim.runStep("triage.md", "check-website-health")
        let api = try sim.runStep("triage.md", "check-api-health")
        let database = try sim.runStep("triage.md", "check-database-pod")
        let load = try sim.runStep("triage.md", "check-load")

        switch name {
        case "outage": #expect(website.status == 22 && api.status == 22)
        case "database":
            #expect(api.status == 22)
            #expect(database.stdout.contains("CrashLoopBackOff"))
        default:
            #expect(website.status == 0 && api.status == 0)
            #expect(load.stdout.contains("968m"))
        }
    }
}

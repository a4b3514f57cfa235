import Foundation
import RunbookKit
import Testing

/// Scenario files: what they set, and errors that say where and what to do.
@Suite struct DrillScenarioTests {
    static let valid = """
        title: "Drill: the API is down"
        runbook: triage
        environment: staging
        severity: P0
        simulate: outage
        injects:
          - at: 0s
            message: "PagerDuty pages the on-call"
          - at: 2m
            message: "Error rate 30 %, customers complaining on Twitter"
          - at: 1h30m
            message: "The CTO asks for an update"
        """

    @Test func validScenarioSetsEveryFieldAndInjectTimesInDrillSeconds() throws {
        let scenario = try DrillScenario.parse(yaml: Self.valid, path: "s.yaml")
        #expect(scenario.title == "Drill: the API is down")
        #expect(scenario.runbook == "triage")
        #expect(scenario.environment == "staging")
        #expect(scenario.severity == .p0)
        #expect(scenario.simulate == "outage")
        #expect(scenario.injects.map(\.at) == [0, 120, 5400])
        #expect(scenario.injects[1].message == "Error rate 30 %, customers complaining on Twitter")
        #expect(scenario.injects.map(\.label) == ["T+0s", "T+2m", "T+1h30m"])
    }

    @Test(arguments: ["outage", "database", "high-load"])
    func bundledScenarioFilesParse(name: String) throws {
        let path = BundledPaths.runbooks + "/simulator/scenarios/\(name).yaml"
        let scenario = try DrillScenario.load(path: path)
        #expect(scenario.simulate == name)
        #expect(!scenario.injects.isEmpty)
    }

    @Test func productionIsRefusedAtItsLine() throws {
        let yaml = Self.valid.replacingOccurrences(of: "environment: staging", with: "environment: production")
        let error = try #require(throws: DrillError.self) { try DrillScenario.parse(yaml: yaml, path: "s.yaml") }
        #expect(error.location == RunbookKit.SourceLocation(file: "s.yaml", line: 3, column: 14))
        #expect(error.description.contains("s.yaml:3:14: error: drills never run in production"))
        #expect(error.hint?.contains("staging") == true)
        #expect(error.exitStatus == .refused)
    }

    @Test func badInjectTimeNamesTheLineAndTheSyntax() throws {
        let yaml = Self.valid.replacingOccurrences(of: "at: 2m", with: "at: soon")
        let error = try #require(throws: ConfigurationError.self) {
            try DrillScenario.parse(yaml: yaml, path: "s.yaml")
        }
        #expect(error.location?.line == 9)
        #expect(error.summary.contains("`soon`"))
        #expect(error.hint?.contains("1h30m") == true)
    }

    @Test func injectsOutOfOrderAreAnError() throws {
        let yaml = Self.valid.replacingOccurrences(of: "at: 1h30m", with: "at: 1m")
        let error = try #require(throws: ConfigurationError.self) {
            try DrillScenario.parse(yaml: yaml, path: "s.yaml")
        }
        #expect(error.location?.line == 11)
        #expect(error.summary.contains("time order"))
    }

    @Test func unknownAndMissingKeysAreNamed() throws {
        let unknown = try #require(throws: ConfigurationError.self) {
            try DrillScenario.parse(yaml: Self.valid + "\nspeed: 60\n", path: "s.yaml")
        }
        #expect(unknown.summary == "unknown key `speed` in s.yaml")
        #expect(unknown.location?.line == 13)

        let missing = try #require(throws: ConfigurationError.self) {
            try DrillScenario.parse(
                yaml: Self.valid.replacingOccurrences(of: "severity: P0\n", with: ""), path: "s.yaml")
        }
        #expect(missing.summary == "the scenario has no `severity`")
    }

    @Test func invalidYAMLPointsAtTheProblem() throws {
        let error = try #require(throws: ConfigurationError.self) {
            try DrillScenario.parse(yaml: "title: [unclosed\nrunbook: triage\n", path: "s.yaml")
        }
        #expect(error.summary.hasPrefix("s.yaml is not valid YAML"))
        #expect(error.location?.file == "s.yaml")
    }

    @Test func missingFileIsUnreadableWithAHint() throws {
        let error = try #require(throws: DrillError.self) { try DrillScenario.load(path: "/nonexistent/x.yaml") }
        #expect(error.exitStatus == .usage)
        #expect(error.hint?.contains("runbooks/simulator/scenarios") == true)
    }
}

/// Paths of the bundled runbooks, from this file's location.
enum BundledPaths {
    static let runbooks = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("runbooks").path
}

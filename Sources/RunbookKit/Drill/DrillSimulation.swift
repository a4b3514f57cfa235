import Foundation

/// Points a drill's commands at the bundled simulator (runbooks/simulator): its stand-ins first on `PATH`, the
/// scenario and a private state directory in the environment, and the simulator's workspace as working directory.
///
/// Only drill commands get this environment; runbook's own process environment is never changed.
public struct DrillSimulation: Sendable {
    /// The simulator scenarios that exist.
    public static let scenarios = ["outage", "database", "high-load"]

    /// The scenario (`outage`, `database`, `high-load`).
    public let scenario: String
    /// `runbooks/simulator`.
    public let root: String
    /// The per-drill state directory (0700), removed by `cleanUp()`.
    public let stateDirectory: String

    /// Checks the scenario and the simulator directory and creates a fresh 0700 state directory.
    public init(scenario: String, runbooksDirectory: String) throws {
        guard Self.scenarios.contains(scenario) else {
            throw DrillError.unknownSimulation(scenario, available: Self.scenarios)
        }
        let root = URL(fileURLWithPath: runbooksDirectory).appendingPathComponent("simulator").standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root + "/bin", isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw DrillError.simulatorMissing(path: root)
        }
        let state = FileManager.default.temporaryDirectory
            .appendingPathComponent("runbook-drill-\(getpid())-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(
            atPath: state, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        self.scenario = scenario
        self.root = root
        self.stateDirectory = state
    }

    /// Directories to put first on the PATH of drill commands.
    public var path: [String] { [root + "/bin"] }
    /// Environment added to drill commands.
    public var environment: [String: String] {
        ["RUNBOOK_SIM_SCENARIO": scenario, "RUNBOOK_SIM_STATE": stateDirectory]
    }
    /// Where drill commands run, so that `./deployment/scripts/deploy.sh` resolves.
    public var workingDirectory: String { root + "/workspace" }

    /// Removes the state directory: the simulated cluster lives only as long as the drill.
    public func cleanUp() {
        try? FileManager.default.removeItem(atPath: stateDirectory)
    }
}

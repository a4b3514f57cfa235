import Foundation
import RunbookTestSupport

/// Runs commands against the drill simulator (`runbooks/simulator/bin`) the way a drill does: real bash, the
/// stand-ins first on PATH, a fresh state directory, and the simulator's workspace as the working directory.
struct SimulatorHarness {
    static let simulatorDirectory = BuiltBinary.packageRoot.appendingPathComponent("runbooks/simulator")
    static let runbooksDirectory = BuiltBinary.packageRoot.appendingPathComponent("runbooks")

    /// The values a staging incident gives the bundled runbooks' variables.
    static let stagingVariables: [String: String] = [
        "ENVIRONMENT": "staging", "NAMESPACE": "candlefish-staging", "RELEASE": "candlefish-staging",
        "BASE_URL": "https://staging.candlefish.ai", "API_URL": "https://api.staging.candlefish.ai",
        "PROMETHEUS_URL": "https://prometheus.candlefish.ai",
        "VALUES_FILE": "deployment/helm/candlefish/values-staging.yaml", "DEPLOYMENT": "backend-api",
        "REVISION": "4", "ROLLOUT_REVISION": "6", "NODE_NAME": "ip-10-0-1-23.us-west-2.compute.internal",
        "DATABASE_URL": "postgresql://candlefish:secret@candlefish-postgresql:5432/candlefish",
        "COST_START": "2026-10-01", "COST_END": "2026-11-01",
    ]

    /// What a finished command printed and how it ended.
    typealias Result = BuiltBinary.Result

    let scenario: String?
    let stateDirectory: URL
    var variables: [String: String]

    /// A fresh simulated world for `scenario` (nil leaves `RUNBOOK_SIM_SCENARIO` unset).
    init(scenario: String?, variables: [String: String] = stagingVariables) throws {
        self.scenario = scenario
        self.variables = variables
        stateDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "runbook-sim-\(UUID().uuidString)")
    }

    /// Runs `command` with `bash -c`, as a step's command runs.
    @discardableResult
    func run(_ command: String, stdin: String = "") throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", command]
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] =
            Self.simulatorDirectory.appendingPathComponent("bin").path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["RUNBOOK_SIM_STATE"] = stateDirectory.path
        environment["RUNBOOK_SIM_SCENARIO"] = scenario
        for (name, value) in variables { environment[name] = value }
        process.environment = environment
        process.currentDirectoryURL = Self.simulatorDirectory.appendingPathComponent("workspace")
        return try ProcessRunner.collect(process, stdin: Data(stdin.utf8))
    }

    /// Runs the step `id` of the bundled runbook `runbook` exactly as written there.
    @discardableResult
    func runStep(_ runbook: String, _ id: String) throws -> Result {
        try run(Self.command(of: id, in: runbook))
    }

    /// Removes the state directory.
    func tearDown() {
        try? FileManager.default.removeItem(at: stateDirectory)
    }

    /// The text of the shell block whose info string carries `id=<id>`.
    static func command(of id: String, in runbook: String) throws -> String {
        try steps(in: runbook).first { $0.id == id }.map(\.command)
            ?? { throw MissingStep(runbook: runbook, id: id) }()
    }

    /// Every shell block of a bundled runbook with its `id` attribute and full info string.
    static func steps(in runbook: String) throws -> [(id: String, info: String, command: String)] {
        let text = try String(contentsOf: runbooksDirectory.appendingPathComponent(runbook), encoding: .utf8)
        var steps: [(String, String, String)] = []
        var current: (id: String, info: String, lines: [String])?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if var open = current {
                if line.hasPrefix("```") {
                    steps.append((open.id, open.info, open.lines.joined(separator: "\n")))
                    current = nil
                } else {
                    open.lines.append(line)
                    current = open
                }
            } else if line.hasPrefix("```bash {"),
                let range = line.range(of: #"id=[a-z0-9-]+"#, options: .regularExpression)
            {
                current = (String(line[range].dropFirst(3)), line, [])
            }
        }
        return steps
    }

    /// A step id the test names is not in the runbook.
    struct MissingStep: Error, CustomStringConvertible {
        var runbook: String
        var id: String
        var description: String { "runbooks/\(runbook) has no step with id=\(id)" }
    }
}

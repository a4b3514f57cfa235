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

    /// Whether `init(resuming:…)` found the recorded state directory (else the simulated cluster starts again from
    /// the scenario's broken state).
    public private(set) var keptState = true

    /// The directory every drill's state directory is created in: `$TMPDIR/runbook-drills-UID` (0700).
    public static var stateRoot: String {
        FileManager.default.temporaryDirectory.appendingPathComponent("runbook-drills-\(getuid())").path
    }

    /// The file inside a state directory that says runbook created it: nothing without it is ever deleted.
    public static let stateMarker = ".runbook-drill-state"

    /// Checks the scenario and the simulator directory and creates a fresh 0700 state directory under
    /// `stateRoot`, with the marker file inside.
    public init(scenario: String, runbooksDirectory: String) throws {
        let root = try Self.checkedRoot(scenario: scenario, runbooksDirectory: runbooksDirectory)
        let manager = FileManager.default
        try manager.createDirectory(
            atPath: Self.stateRoot, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let state = Self.stateRoot + "/drill-\(getpid())-\(UUID().uuidString.prefix(8))"
        try manager.createDirectory(
            atPath: state, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        guard
            manager.createFile(
                atPath: state + "/" + Self.stateMarker, contents: Data("runbook drill state\n".utf8),
                attributes: [.posixPermissions: 0o600])
        else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: state]) }
        self.scenario = scenario
        self.root = root
        self.stateDirectory = state
    }

    /// The simulation of a resumed drill: the recorded state directory when runbook created it (`isOwnState`);
    /// otherwise a fresh one (`keptState` is then false).
    public init(resuming scenario: String, stateDirectory: String?, runbooksDirectory: String) throws {
        if let stateDirectory, Self.isOwnState(stateDirectory) {
            self.init(
                scenario: scenario,
                root: try Self.checkedRoot(scenario: scenario, runbooksDirectory: runbooksDirectory),
                stateDirectory: stateDirectory)
        } else {
            try self.init(scenario: scenario, runbooksDirectory: runbooksDirectory)
            keptState = false
        }
    }

    private init(scenario: String, root: String, stateDirectory: String) {
        self.scenario = scenario
        self.root = root
        self.stateDirectory = stateDirectory
    }

    /// Whether runbook created `path` as a drill's state directory: a private directory of this user (not a link)
    /// directly under `stateRoot` (itself a private directory, not a link), holding the marker file. A recorded path
    /// that fails any of these (a tampered `drill_setup.simulation_state`) is never used and never deleted.
    public static func isOwnState(_ path: String) -> Bool {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        guard url.deletingLastPathComponent().path == URL(fileURLWithPath: stateRoot).standardizedFileURL.path,
            url.lastPathComponent.hasPrefix("drill-"), isPrivateDirectory(stateRoot), isPrivateDirectory(url.path)
        else { return false }
        var info = stat()
        return lstat(url.path + "/" + stateMarker, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
            && info.st_uid == getuid()
    }

    private static func isPrivateDirectory(_ path: String) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { return false }
        return (info.st_mode & S_IFMT) == S_IFDIR && info.st_uid == getuid() && (info.st_mode & 0o077) == 0
    }

    private static func checkedRoot(scenario: String, runbooksDirectory: String) throws -> String {
        guard Self.scenarios.contains(scenario) else {
            throw DrillError.unknownSimulation(scenario, available: Self.scenarios)
        }
        let root = URL(fileURLWithPath: runbooksDirectory).appendingPathComponent("simulator").standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root + "/bin", isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw DrillError.simulatorMissing(path: root)
        }
        return root
    }

    /// Directories to put first on the PATH of drill commands.
    public var path: [String] { [root + "/bin"] }
    /// Environment added to drill commands: the scenario and its state, and the configuration of the real cluster
    /// and cloud CLIs pointed into the state directory (where none exists), so that a real `kubectl`, `aws`,
    /// `gcloud`, `az` or `helm` reached by an absolute path finds no cluster, context or credentials.
    public var environment: [String: String] {
        let config = stateDirectory + "/real-cli-config"
        return [
            "RUNBOOK_SIM_SCENARIO": scenario, "RUNBOOK_SIM_STATE": stateDirectory,
            "KUBECONFIG": config + "/kubeconfig", "AWS_CONFIG_FILE": config + "/aws/config",
            "AWS_SHARED_CREDENTIALS_FILE": config + "/aws/credentials", "CLOUDSDK_CONFIG": config + "/gcloud",
            "AZURE_CONFIG_DIR": config + "/azure", "HELM_CONFIG_HOME": config + "/helm/config",
            "HELM_CACHE_HOME": config + "/helm/cache", "HELM_DATA_HOME": config + "/helm/data",
        ]
    }

    /// Variables of runbook's own environment that drill commands must not inherit: they name a real cluster,
    /// account or credential directly, whatever the configuration files say.
    public static let removedEnvironment = [
        "KUBECONTEXT", "HELM_KUBECONTEXT", "HELM_KUBETOKEN", "HELM_KUBEAPISERVER", "AWS_PROFILE", "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_DEFAULT_PROFILE", "GOOGLE_APPLICATION_CREDENTIALS",
        "CLOUDSDK_CORE_PROJECT", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_TENANT_ID",
        "AZURE_SUBSCRIPTION_ID",
    ]
    /// Where drill commands run, so that `./deployment/scripts/deploy.sh` resolves.
    public var workingDirectory: String { root + "/workspace" }

    /// Removes the state directory: the simulated cluster lives only as long as the drill. Only a directory runbook
    /// created (`isOwnState`) is removed; `false` when the directory was not one and was left alone.
    @discardableResult
    public func cleanUp() -> Bool {
        guard Self.isOwnState(stateDirectory) else { return false }
        try? FileManager.default.removeItem(atPath: stateDirectory)
        return true
    }
}

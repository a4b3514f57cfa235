import Foundation
import RunbookKit

/// Everything that decides how an incident session starts: shared by `start`, `resume` and (later) `drill`.
public struct SessionLaunchOptions {
    /// The runbook to open (`triage` by default).
    public var runbookID: String = "triage"
    /// The environment; `nil` asks for it.
    public var environment: String?
    /// `nil` takes the runbook's front matter, else P2.
    public var severity: Severity?
    public var title: String?
    /// Read answers from this file instead of stdin.
    public var answersPath: String?
    /// Show and record every step, run nothing.
    public var dryRun = false
    /// A drill: recorded as such (the drill issue adds its rules).
    public var isDrill = false
    /// The incident clock (a `ScaledClock` for drills at speed).
    public var clock: any Clock = SystemClock()
    /// Directories put first on the PATH of commands (the drill simulator's stand-ins).
    public var extraPath: [String] = []
    /// Extra environment for commands.
    public var extraEnvironment: [String: String] = [:]
    /// Variables of this process's environment that commands do not get.
    public var removedEnvironment: [String] = []
    /// Where commands run: `.network` seals them off the network (simulated drills, unless `--no-isolation`).
    public var isolation: CommandIsolation = .none
    /// Working directory of commands; `nil` is the current directory.
    public var workingDirectory: String?
    /// The runbooks directory.
    public var runbooksDirectory: String = "runbooks"
    /// `--db`, when given.
    public var databasePath: String?
    /// `resume --take-over`: take the driver lease from a live holder, after a typed confirmation.
    public var takeOver = false
    /// `resume --force`: resume an incident whose hash chain is broken (recorded in `session.resumed`).
    public var force = false
    /// Most bytes of one command's output stored: `RUNBOOK_OUTPUT_LIMIT` (bytes), else 64 MiB.
    public var outputLimit: Int = {
        let text = ProcessInfo.processInfo.environment["RUNBOOK_OUTPUT_LIMIT"] ?? ""
        return Int(text).flatMap { $0 >= 0 ? $0 : nil } ?? OutputLimiter.defaultLimit
    }()

    /// Creates options with the defaults above.
    public init() {}

    /// Points drill commands at the simulator: its stand-ins first on PATH, its environment (the real clusters' and
    /// clouds' configuration pointed into its state directory), its workspace; with `isolated`, in a network
    /// namespace of their own.
    public mutating func apply(_ simulation: DrillSimulation, isolated: Bool) {
        extraPath = simulation.path
        extraEnvironment.merge(simulation.environment) { _, new in new }
        removedEnvironment = DrillSimulation.removedEnvironment
        workingDirectory = simulation.workingDirectory
        isolation = isolated ? .network : .none
    }

    /// The environment commands start from: this process's, with `extraPath` first on PATH and `extraEnvironment`.
    public func baseEnvironment(_ process: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        var environment = process
        for key in removedEnvironment { environment[key] = nil }
        for (key, value) in extraEnvironment { environment[key] = value }
        if !extraPath.isEmpty {
            environment["PATH"] = (extraPath + [environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"])
                .joined(separator: ":")
        }
        return environment
    }
}

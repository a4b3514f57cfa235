import ArgumentParser
import Foundation
import RunbookKit

/// `runbook drill`: rehearse an incident in staging or against the bundled simulator, recorded as a drill.
public struct DrillCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "drill",
        abstract: "Rehearse an incident: a real runbook in the real REPL, recorded as a drill, with a debrief.",
        discussion: """
            Opens RUNBOOK (default: triage) in ENV (default: staging) as a drill. RUNBOOK is an id or a path, \
            as for `runbook start`. Drills never run in \
            a production environment (production, prod, prd, live in any case, and those listed in the \
            runbooks' environments.yaml): exit status 5; there is no flag to override that.

            --simulate [SCENARIO] runs the drill's commands against the bundled simulator (outage, \
            database or high-load; default: the scenario file's, else outage). --scenario FILE takes the \
            runbook, environment, severity, simulation, title and timed injects from a scenario file \
            (docs/drills.md); its `simulate:` applies as --simulate does. A simulated drill's commands run \
            in a network namespace of their own, with the clusters' and clouds' configuration pointed into \
            the simulator: if this system cannot make one, the drill is refused (exit status 5) unless \
            --no-isolation is given. --speed N (above 0, at most 100000) runs the drill clock N times \
            faster: an inject at 2m arrives after 2 seconds at --speed 60.

            When the drill is resolved (`resolve`) or abandoned (`abandon`), a debrief is printed and \
            recorded. Exit status as for `runbook start`, plus 5 when the drill is refused.
            """)

    @OptionGroup public var global: GlobalOptions

    @Argument(
        help: "The runbook to open (default: triage, or the scenario file's).", completion: ShellCompletion.runbookIDs)
    public var runbook: String?

    @Option(name: .long, help: ArgumentHelp("Environment (default: staging; never production).", valueName: "env"))
    public var env: String?

    @Option(name: .long, help: ArgumentHelp("Run the drill clock N times faster.", valueName: "N"))
    public var speed: Double = 1

    @Option(
        name: .long, defaultAsFlag: "", parsing: .next,
        help: ArgumentHelp(
            "Run commands against the simulator: outage, database or high-load (default: the scenario file's, else outage).",
            valueName: "scenario"))
    public var simulate: String? = nil

    @Option(name: .long, help: ArgumentHelp("A drill scenario file (YAML, see docs/drills.md).", valueName: "file"))
    public var scenario: String?

    @Flag(
        name: .long,
        help: "Run a simulated drill's commands with this machine's network (recorded in the drill's setup).")
    public var noIsolation = false

    @Option(name: .long, help: ArgumentHelp("Read answers from FILE, one per line.", valueName: "file"))
    public var answers: String?

    @Option(
        name: .long,
        help: ArgumentHelp("Severity P0-P3 (default: the scenario's, else the runbook's).", valueName: "P0-P3"),
        completion: ShellCompletion.severities)
    public var severity: String?

    @Option(
        name: .long,
        help: ArgumentHelp("Incident title (default: the scenario's, else the runbook's).", valueName: "text"))
    public var title: String?

    public init() {}

    public func validate() throws {
        if let severity, Severity(parsing: severity) == nil {
            throw ValidationError("--severity must be P0, P1, P2 or P3, not '\(severity)'")
        }
        // NaN, infinities, 0, negatives and absurd speeds (1e300 overflowed the clock's arithmetic) are usage errors.
        guard DrillError.isValidSpeed(speed) else {
            let error = DrillError.invalidSpeed(speed)
            throw ValidationError(error.summary + " (" + (error.hint ?? "") + ")")
        }
    }

    public func run() throws {
        // Refused before anything else is read or recorded: a drill never touches production.
        let given = try runbook.map { try RunbookAddress.resolve($0, runbooksDirectory: global.runbooksDirectory) }
        let production = try ProductionEnvironments.load(
            runbooksDirectory: given?.root ?? global.runbooksDirectory)
        if let env, production.contains(env) {
            throw DrillError.productionRefused(environment: EnvironmentName.trimmed(env))
        }
        let scenarioFile = try scenario.map { try DrillScenario.load(path: $0, production: production) }

        var options = SessionLaunchOptions()
        let address =
            try given
            ?? RunbookAddress.resolve(scenarioFile?.runbook ?? "triage", runbooksDirectory: global.runbooksDirectory)
        options.runbookID = address.id
        let environment = EnvironmentName.trimmed(env ?? scenarioFile?.environment ?? "staging")
        if production.contains(environment) { throw DrillError.productionRefused(environment: environment) }
        options.environment = environment
        options.severity = severity.flatMap(Severity.init(parsing:)) ?? scenarioFile?.severity
        options.title = title ?? scenarioFile?.title
        options.answersPath = answers
        options.isDrill = true
        let clock = ScaledClock(speed: speed)
        options.clock = clock
        options.runbooksDirectory = address.root
        options.databasePath = global.db

        // A scenario file's `simulate:` applies exactly as `--simulate` does; `--simulate NAME` wins over it.
        let simulationName =
            simulate.map { $0.isEmpty ? (scenarioFile?.simulate ?? "outage") : $0 }
            ?? scenarioFile?.simulate
        let isolated = simulationName != nil && !noIsolation
        if isolated {
            do {
                try CommandIsolation.checkNetworkNamespace()
            } catch ExecutionError.isolationUnavailable(let reason) {
                throw DrillError.isolationUnavailable(reason: reason)
            }
        }
        let simulation = try simulationName.map {
            try DrillSimulation(scenario: $0, runbooksDirectory: global.runbooksDirectory)
        }
        // The simulated cluster outlives a suspended drill (for `runbook resume`); it goes when the drill ends.
        var ended = true
        defer { if ended { simulation?.cleanUp() } }
        if let simulation { options.apply(simulation, isolated: isolated) }
        var plan = DrillPlan(
            speed: speed, simulation: simulation?.scenario, injects: scenarioFile?.injects ?? [])
        plan.setup = DrillSetup(
            speed: speed, clockOrigin: clock.origin, simulation: simulation?.scenario,
            simulationState: simulation?.stateDirectory,
            scenarioPath: scenario.map { URL(fileURLWithPath: $0).standardizedFileURL.path },
            isolation: simulation == nil
                ? DrillSetup.realTargetDescription
                : isolated ? DrillSetup.isolatedDescription : DrillSetup.notIsolatedDescription)
        let outcome = try SessionLauncher(options: options).startDrill(plan)
        ended = outcome.ended
        if outcome.status != .success { throw ExitCode(outcome.status.rawValue) }
    }
}

/// What a drill adds to an incident start: its speed, its simulation and its injects.
public struct DrillPlan {
    /// Drill seconds per real second.
    public var speed: Double
    /// The simulator scenario, when commands run against the simulator.
    public var simulation: String?
    /// Timed injects from the scenario file.
    public var injects: [DrillInject]
    /// What is recorded for `resume` (clock, simulator state, scenario file).
    public var setup: DrillSetup?

    /// Creates a plan.
    public init(speed: Double, simulation: String?, injects: [DrillInject]) {
        self.speed = speed
        self.simulation = simulation
        self.injects = injects
    }
}

/// How a drill session ended: its exit status, and whether the drill is over (resolved or abandoned) rather than
/// suspended for a later `runbook resume`.
public struct DrillOutcome: Equatable {
    /// The process exit status.
    public var status: ExitStatus
    /// Resolved or abandoned: its simulated cluster can go.
    public var ended: Bool
}

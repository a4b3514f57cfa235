import Foundation

/// What stops a drill from starting: the environment, an unreadable scenario file, the simulator. A scenario file
/// that is readable but wrong is a `ConfigurationError`.
public enum DrillError: UserFacingError, Equatable {
    /// The fastest drill clock: a day of drill time in under a second of real time.
    public static let maximumSpeed: Double = 100_000

    /// Whether `speed` is a usable drill clock speed: a finite number above 0 and at most `maximumSpeed`.
    public static func isValidSpeed(_ speed: Double) -> Bool {
        speed.isFinite && speed > 0 && speed <= maximumSpeed
    }

    /// Drills never run in a production environment (see `ProductionEnvironments`); there is no override.
    case productionRefused(environment: String)
    /// A scenario file names a production environment as the drill's environment.
    case productionInScenario(environment: String, location: SourceLocation)
    /// `--speed` must be a number above 0 and at most `maximumSpeed`.
    case invalidSpeed(Double)
    /// A simulated drill's commands must be sealed off the network, and this system cannot do that.
    case isolationUnavailable(reason: String)
    /// The scenario file could not be read.
    case unreadableScenario(path: String, reason: String)
    /// `--simulate` named a scenario the simulator does not have.
    case unknownSimulation(String, available: [String])
    /// The simulator's directory is missing from the runbooks directory.
    case simulatorMissing(path: String)

    public var summary: String {
        switch self {
        case .productionRefused(let environment):
            return
                "drills never run in production: `\(environment)` is a production environment, and a drill is "
                + "practice, which must not touch customers"
        case .invalidSpeed(let speed):
            return "--speed must be a number above 0 and at most \(Int(Self.maximumSpeed)), not \(speed)"
        case .isolationUnavailable(let reason):
            return "the simulated drill cannot be sealed off the network: \(reason)"
        case .unreadableScenario(let path, let reason): return "cannot read the scenario file \(path): \(reason)"
        case .productionInScenario(let environment, _):
            return "drills never run in production: the scenario file says `\(environment)`, a production environment"
        case .unknownSimulation(let name, let available):
            return "the simulator has no scenario '\(name)' (it has \(available.joined(separator: ", ")))"
        case .simulatorMissing(let path): return "the drill simulator is not at \(path)"
        }
    }

    public var location: SourceLocation? {
        switch self {
        case .productionInScenario(_, let location): return location
        default: return nil
        }
    }

    public var hint: String? {
        switch self {
        case .productionRefused:
            return
                "rehearse in staging (the default) or with --simulate; for a real production incident use `runbook start`"
                + " (production environments: production, prod, prd, live and those in the runbooks' environments.yaml)"
        case .invalidSpeed: return "for example --speed 60 makes a minute pass every second"
        case .isolationUnavailable:
            return
                "run as root or where user namespaces are allowed (`unshare --net true` must work), or pass "
                + "--no-isolation to run the drill's commands unsealed (recorded in drill_setup)"
        case .unreadableScenario: return "check the path; the bundled ones are in runbooks/simulator/scenarios/"
        case .productionInScenario:
            return "write `environment: staging`; a drill is practice and must not touch customers"
        case .unknownSimulation(_, let available): return "use --simulate " + available.joined(separator: "|")
        case .simulatorMissing: return "pass --runbooks pointing at the bundled runbooks directory"
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .productionRefused, .productionInScenario, .isolationUnavailable: return .refused
        default: return .usage
        }
    }
}

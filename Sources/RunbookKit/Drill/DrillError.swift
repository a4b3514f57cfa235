import Foundation

/// What stops a drill from starting: the environment, the scenario file, the simulator.
public enum DrillError: UserFacingError, Equatable {
    /// Drills never run in production; there is no override.
    case productionRefused
    /// A scenario file names production as the drill's environment.
    case productionInScenario(location: SourceLocation)
    /// `--speed` must be a positive number.
    case invalidSpeed(Double)
    /// The scenario file could not be read.
    case unreadableScenario(path: String, reason: String)
    /// The scenario file is readable but wrong.
    case invalidScenario(String, location: SourceLocation, hint: String)
    /// `--simulate` named a scenario the simulator does not have.
    case unknownSimulation(String, available: [String])
    /// The simulator's directory is missing from the runbooks directory.
    case simulatorMissing(path: String)

    public var summary: String {
        switch self {
        case .productionRefused:
            return "drills never run in production: a drill is practice, and practice must not touch customers"
        case .invalidSpeed(let speed): return "--speed must be a number above 0, not \(speed)"
        case .unreadableScenario(let path, let reason): return "cannot read the scenario file \(path): \(reason)"
        case .invalidScenario(let problem, _, _): return problem
        case .productionInScenario: return "drills never run in production: the scenario file says production"
        case .unknownSimulation(let name, let available):
            return "the simulator has no scenario '\(name)' (it has \(available.joined(separator: ", ")))"
        case .simulatorMissing(let path): return "the drill simulator is not at \(path)"
        }
    }

    public var location: SourceLocation? {
        switch self {
        case .invalidScenario(_, let location, _), .productionInScenario(let location): return location
        default: return nil
        }
    }

    public var hint: String? {
        switch self {
        case .productionRefused:
            return
                "rehearse in staging (the default) or with --simulate; for a real production incident use `runbook start`"
        case .invalidSpeed: return "for example --speed 60 makes a minute pass every second"
        case .unreadableScenario: return "check the path; the bundled ones are in runbooks/simulator/scenarios/"
        case .invalidScenario(_, _, let hint): return hint
        case .productionInScenario:
            return "write `environment: staging`; a drill is practice and must not touch customers"
        case .unknownSimulation(_, let available): return "use --simulate " + available.joined(separator: "|")
        case .simulatorMissing: return "pass --runbooks pointing at the bundled runbooks directory"
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .productionRefused, .productionInScenario: return .refused
        default: return .usage
        }
    }
}

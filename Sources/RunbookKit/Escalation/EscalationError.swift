import Foundation

/// Why an escalation command cannot be carried out, for the person at the terminal.
public enum EscalationError: UserFacingError, Equatable {
    /// The incident is already resolved: there is nothing to acknowledge or escalate.
    case alreadyResolved(incidentID: Int64)
    /// No incident with this id.
    case unknownIncident(incidentID: Int64)
    /// Timers kept changing under us (another process firing them); nothing was recorded.
    case busy(incidentID: Int64)

    public var summary: String {
        switch self {
        case .alreadyResolved(let id): return "incident \(id) is already resolved"
        case .unknownIncident(let id): return "there is no incident \(id)"
        case .busy(let id): return "incident \(id)'s timers kept changing while recording; nothing was recorded"
        }
    }

    public var hint: String? {
        switch self {
        case .alreadyResolved: return "`runbook transcript ID` shows what happened"
        case .unknownIncident: return "`runbook incidents --open` lists the open incidents and their ids"
        case .busy: return "try again"
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .alreadyResolved: return .refused
        case .unknownIncident: return .usage
        case .busy: return .database
        }
    }
}

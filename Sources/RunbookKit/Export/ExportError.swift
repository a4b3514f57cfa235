import Foundation

/// Why an export could not be produced, written for the person at the terminal.
public enum ExportError: UserFacingError, Equatable {
    /// No incident with this id in the transcript.
    case unknownIncident(Int64)
    /// The destination could not be written.
    case cannotWrite(path: String, reason: String)

    public var summary: String {
        switch self {
        case .unknownIncident(let id): return "no incident \(id) in the transcript"
        case .cannotWrite(let path, let reason): return "cannot write the export to \(path): \(reason)"
        }
    }

    public var hint: String? {
        switch self {
        case .unknownIncident: return "check the incident id and the transcript database (--db or $RUNBOOK_DB)"
        case .cannotWrite: return "choose another path with -o PATH, or -o - to print to standard output"
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .unknownIncident: return .usage
        case .cannotWrite: return .usage
        }
    }
}

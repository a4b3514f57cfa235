import RunbookKit

/// Errors of the command line itself (files it cannot read, answers it cannot use).
public enum CLIError: UserFacingError, Equatable {
    /// A file named on the command line that cannot be read.
    case unreadableFile(path: String, reason: String)
    /// An option value that does not parse.
    case invalidOption(option: String, value: String, expected: String)
    /// Scripted input ended before a required answer (the environment, for one).
    case inputEnded(while: String)
    /// Scripted mode without `--env` for a runbook that runs in more than one environment (or in any).
    case environmentRequired(runbook: String, allowed: [String])
    /// Scripted `resolve` of a production incident without a summary (the incident stays open).
    case summaryRequired(incidentID: Int64, environment: String)
    /// A first word that names no subcommand (`runbook strat`): the close ones, else every one.
    case unknownCommand(String, close: [String], all: [String])
    /// `runbook start --incident ID` with an option that would change what the incident already is.
    case conflictsWithIncident(option: String, incidentID: Int64, reason: String, hint: String)

    public var summary: String {
        switch self {
        case .unreadableFile(let path, let reason): return "\(path): \(reason)"
        case .invalidOption(let option, let value, let expected): return "\(option) '\(value)' is not \(expected)"
        case .inputEnded(let activity): return "input ended while \(activity)"
        case .environmentRequired(let runbook, let allowed):
            let choices = allowed.isEmpty ? "any environment" : allowed.joined(separator: ", ")
            return "scripted mode needs --env: runbook \(runbook) runs in \(choices)"
        case .summaryRequired(let id, let environment):
            return "resolve needs a summary in \(environment): incident #\(id) stays open"
        case .unknownCommand(let word, _, _): return "`\(word)` is not a runbook command"
        case .conflictsWithIncident(let option, _, let reason, _):
            return "\(option) cannot be used with --incident: \(reason)"
        }
    }

    public var hint: String? {
        switch self {
        case .unreadableFile: return "check the path and its permissions"
        case .invalidOption(let option, _, _): return "see `runbook start --help` for \(option)"
        case .inputEnded: return "give the answer in the answers file, or pass it as an option (--env)"
        case .environmentRequired(_, let allowed):
            return "pass --env \(allowed.first ?? "NAME") (answers are never taken as the environment)"
        case .summaryRequired(let id, _):
            return "write the summary after the word: `resolve rolled back 2.5.0`, then `runbook resume \(id)`"
        case .unknownCommand(_, let close, let all):
            if !close.isEmpty {
                return "did you mean " + close.map { "`\($0)`" }.joined(separator: " or ")
                    + "? `runbook --help` lists the commands"
            }
            return "the commands are: " + all.joined(separator: ", ")
        case .conflictsWithIncident(_, _, _, let hint): return hint
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .inputEnded: return .inputEnded
        default: return .usage
        }
    }
}

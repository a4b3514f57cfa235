/// Why the session refused an action, written for the responder at the prompt.
public enum SessionError: UserFacingError, Equatable {
    /// A runbook id that the loader does not know.
    case runbookNotFound(id: String, available: [String])
    /// A step id that is not in the current runbook.
    case stepNotFound(id: String, runbook: String)
    /// The action needs a current step of another kind (running a manual step, choosing on a step…).
    case wrongItemKind(expected: String, actual: String)
    /// There is no current item: the runbook is finished.
    case noCurrentItem
    /// A command cannot run before these variables have values.
    case variablesMissing([String])
    /// A value that the variable's choices or pattern reject.
    case invalidValue(name: String, reason: String)
    /// A choice option number outside the menu.
    case noSuchOption(Int, count: Int)
    /// A link the REPL cannot follow (`https://…`).
    case notNavigable(String)
    /// The environment is not one the runbook allows.
    case environmentNotAllowed(String, allowed: [String], runbook: String)
    /// The incident is resolved; nothing more can happen in it.
    case incidentClosed(id: Int64)
    /// The incident to resume does not exist.
    case incidentNotFound(id: Int64)
    /// No open incident to resume.
    case noOpenIncident
    /// `back` on the first item.
    case atFirstItem
    /// The step has no `on-fail` target.
    case noFailureTarget(step: String)
    /// A severity or other word that does not parse.
    case invalidArgument(String)
    /// A destructive step in production is confirmed by typing a variable's value, and that value is blank.
    case emptyConfirmationTarget(variable: String)
    /// A target given to `goto`, `open` or `on-fail` that `LinkTarget.parse` refused (`other.md#`).
    case badTarget(LinkTargetError)

    public var summary: String {
        switch self {
        case .runbookNotFound(let id, _): return "no runbook named '\(id)'"
        case .stepNotFound(let id, let runbook): return "no step '\(id)' in runbook '\(runbook)'"
        case .wrongItemKind(let expected, let actual): return "the current item is a \(actual), not a \(expected)"
        case .noCurrentItem: return "the runbook is finished; there is no current step"
        case .variablesMissing(let names): return "no value yet for \(names.joined(separator: ", "))"
        case .invalidValue(let name, let reason): return "invalid value for \(name): \(reason)"
        case .noSuchOption(let number, let count): return "no option \(number); choose 1-\(count)"
        case .notNavigable(let target): return "'\(target)' is not a runbook or heading, so it cannot be opened here"
        case .environmentNotAllowed(let environment, _, let runbook):
            return "runbook '\(runbook)' may not run in environment '\(environment)'"
        case .incidentClosed(let id): return "incident #\(id) is resolved"
        case .incidentNotFound(let id): return "no incident #\(id) in this database"
        case .noOpenIncident: return "no open incident to resume"
        case .atFirstItem: return "already at the first step"
        case .noFailureTarget(let step): return "step '\(step)' has no on-fail target"
        case .invalidArgument(let text): return text
        case .badTarget(let error): return error.message
        case .emptyConfirmationTarget(let variable):
            return
                "\(variable) is empty: this destructive step is confirmed by typing \(variable)'s value, so it does not run"
        }
    }

    public var hint: String? {
        switch self {
        case .runbookNotFound(_, let available) where !available.isEmpty:
            return "available: \(available.joined(separator: ", "))"
        case .runbookNotFound: return "check --runbooks DIR or $RUNBOOK_DIR"
        case .stepNotFound: return "`steps` lists the step ids"
        case .variablesMissing(let names): return "set them with `set \(names[0])=VALUE`"
        case .environmentNotAllowed(_, let allowed, _): return "use one of: \(allowed.joined(separator: ", "))"
        case .incidentClosed: return "start a new incident with `runbook start`"
        case .incidentNotFound, .noOpenIncident: return "`runbook incidents --open` lists open incidents"
        case .emptyConfirmationTarget(let variable):
            return "give it a value with `set \(variable)=VALUE`, then run the step"
        case .badTarget(let error): return error.hint
        default: return nil
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .incidentClosed, .incidentNotFound, .noOpenIncident: return .refused
        default: return .usage
        }
    }
}

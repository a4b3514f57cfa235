import Foundation

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
    /// The step's command was started and never finished (its result is unknown): `rerun` or skip, never `y`.
    case resultUnknown(step: String, startedAt: Date)
    /// The incident's hash chain is broken: its events were changed or removed, so `resume` does not act on them.
    case brokenChain(id: Int64, sequence: Int64, reason: String)
    /// Another live process drives the incident (`start`, `resume`, `drill` hold its driver lease).
    case incidentDriven(DriverLease)
    /// `resume --take-over` was not confirmed.
    case takeOverDeclined(incidentID: Int64)
    /// Another process took this session's driver lease (`resume --take-over`): this one stops driving.
    case driverLeaseLost(incidentID: Int64, holder: DriverLease?)
    /// Another process resolved or abandoned the incident while this session drove it.
    case closedElsewhere(id: Int64, status: IncidentStatus)
    /// A target given to `goto`, `open` or `on-fail` that `LinkTarget.parse` refused (`other.md#`).
    case badTarget(LinkTargetError)
    /// An incident declared without a runbook (no alert named one) has nothing to resume on.
    case noRunbook(id: Int64)
    /// `runbook start --incident` on an incident whose session already began: it is resumed, not started.
    case alreadyStarted(id: Int64, runbook: String)

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
        case .incidentDriven(let lease):
            return "incident #\(lease.incidentID) is driven by \(lease.description)"
        case .takeOverDeclined(let id): return "incident #\(id) was not taken over"
        case .brokenChain(let id, let sequence, let reason):
            return "incident #\(id)'s hash chain is broken at event #\(sequence) (\(reason)): its transcript was "
                + "changed, so it is not resumed"
        case .resultUnknown(let step, let startedAt):
            return "step '\(step)' was started at \(UTCTimestamp.text(startedAt)) and its result is unknown"
        case .driverLeaseLost(let id, let holder):
            return "incident #\(id) was taken over by \(holder?.description ?? "another process"); "
                + "this session no longer drives it and does nothing more"
        case .closedElsewhere(let id, let status):
            return "incident #\(id) was \(status.rawValue) by another process; this session does nothing more"
        case .badTarget(let error): return error.message
        case .noRunbook(let id): return "incident #\(id) has no runbook yet"
        case .alreadyStarted(let id, let runbook):
            return "incident #\(id) already has a session, on runbook \(runbook)"
        case .emptyConfirmationTarget(let variable):
            return
                "\(variable) is empty: this destructive step is confirmed by typing \(variable)'s value, so it does not run"
        }
    }

    /// The session can no longer drive its incident: the REPL ends rather than offering the next answer.
    public var endsDriving: Bool {
        switch self {
        case .driverLeaseLost, .closedElsewhere: return true
        default: return false
        }
    }

    public var hint: String? {
        switch self {
        case .runbookNotFound(_, let available) where !available.isEmpty:
            return "available: \(available.joined(separator: ", "))"
        case .runbookNotFound: return "check --runbooks DIR or $RUNBOOK_DIR"
        case .stepNotFound: return "`steps` lists the step ids"
        case .variablesMissing(let names): return "set them with `set \(names[0])=VALUE`"
        case .environmentNotAllowed(let environment, let allowed, _):
            // "did you mean": an allowed name the typed one begins (`prod`), or one a typo away (`stagign`).
            let typed = environment.lowercased()
            let prefixed = typed.isEmpty ? [] : allowed.filter { $0.lowercased().hasPrefix(typed) }
            let close =
                prefixed
                + RunbookCatalog.closest(to: environment, among: allowed).filter {
                    !prefixed.contains($0)
                }
            let guess = close.isEmpty ? "" : "did you mean " + close.map { "`\($0)`" }.joined(separator: " or ") + "? "
            return guess + "use one of: \(allowed.joined(separator: ", "))"
        case .incidentClosed: return "start a new incident with `runbook start`"
        case .incidentDriven(let lease):
            return "wait until it quits, or take it over: runbook resume \(lease.incidentID) --take-over"
        case .brokenChain(let id, _, _):
            return "`runbook verify \(id)` shows the break; `runbook resume \(id) --force` drives it anyway (recorded)"
        case .resultUnknown:
            return "check what it did, then type `rerun` to run it again or `s` to skip it"
        case .takeOverDeclined(let id): return "type `take over` to confirm: runbook resume \(id) --take-over"
        case .driverLeaseLost(let id, _), .closedElsewhere(let id, _):
            return "`runbook transcript \(id)` shows what happened"
        case .incidentNotFound, .noOpenIncident: return "`runbook incidents --open` lists open incidents"
        case .emptyConfirmationTarget(let variable):
            return "give it a value with `set \(variable)=VALUE`, then run the step"
        case .badTarget(let error): return error.hint
        case .noRunbook(let id):
            return "open one for it: runbook start RUNBOOK --incident \(id) (`runbook list` shows the runbooks)"
        case .alreadyStarted(let id, _):
            return "continue it with `runbook resume \(id)` (`open RUNBOOK` there walks another runbook)"
        default: return nil
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .incidentClosed, .incidentNotFound, .noOpenIncident, .incidentDriven, .takeOverDeclined,
            .driverLeaseLost, .closedElsewhere, .noRunbook, .alreadyStarted:
            return .refused
        case .brokenChain: return .findings
        default: return .usage
        }
    }
}

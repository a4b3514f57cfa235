import Foundation

/// Why an export could not be produced, written for the person at the terminal.
public enum ExportError: UserFacingError, Equatable {
    /// No incident with this id in the transcript.
    case unknownIncident(Int64)
    /// The destination could not be written.
    case cannotWrite(path: String, reason: String)
    /// The destination is a symbolic link: exports never write through one.
    case symbolicLink(path: String)
    /// The destination is a file an export did not write (it lacks the format's generator marker), and `--force`
    /// was not given.
    case notAnExport(path: String, marker: String)
    /// `export --update`: the file cannot be read or is not a Markdown export of this incident.
    case cannotUpdate(path: String, reason: String)
    /// `export --update`: a generated section was edited, or its markers are missing, duplicated or out of order.
    /// Nothing was written.
    case updateConflict(path: String, line: Int, section: String?, reason: String)

    public var summary: String {
        switch self {
        case .unknownIncident(let id): return "no incident \(id) in the transcript"
        case .cannotWrite(let path, let reason): return "cannot write the export to \(path): \(reason)"
        case .symbolicLink(let path):
            return "cannot write the export to \(path): it is a symbolic link, and exports never write through one"
        case .notAnExport(let path, let marker):
            return "\(path) exists and was not written by runbook export (its start lacks \(marker)); left unchanged"
        case .cannotUpdate(let path, let reason): return "cannot update \(path): \(reason)"
        case .updateConflict(_, _, let section, let reason):
            return "conflict in \(section.map { "section \($0)" } ?? "the file"): \(reason); nothing was written"
        }
    }

    public var location: SourceLocation? {
        guard case .updateConflict(let path, let line, _, _) = self else { return nil }
        return SourceLocation(file: path, line: line)
    }

    public var hint: String? {
        switch self {
        case .unknownIncident: return "check the incident id and the transcript database (--db or $RUNBOOK_DB)"
        case .cannotWrite: return "choose another path with -o PATH, or -o - to print to standard output"
        case .symbolicLink: return "give the file the link points to with -o, or choose another path"
        case .notAnExport: return "--force replaces it; or choose another path with -o PATH"
        case .cannotUpdate:
            return "--update takes a Markdown file this incident's export wrote; write one with -o PATH first"
        case .updateConflict:
            return "move your text outside the runbook:begin/end markers (or undo the edit there) and run "
                + "export --update again; or write a fresh export with -o NEW-PATH and copy your text over"
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .unknownIncident: return .usage
        case .cannotWrite, .symbolicLink, .notAnExport, .cannotUpdate: return .usage
        case .updateConflict: return .refused
        }
    }
}

import Foundation

/// Why the transcript database cannot be used, written for the person at the terminal.
///
/// Every case names the database path and says what to do. None of them is ever "fixed" by
/// overwriting the file: the transcript is evidence, so the user decides what happens to it.
public enum TranscriptError: UserFacingError, Equatable {
    /// The file is not an SQLite database, or SQLite found it damaged.
    case corrupt(path: String, detail: String)
    /// Another process held a write lock for longer than the busy timeout.
    case locked(path: String, timeout: TimeInterval)
    /// The file exists but this user may not read it, or SQLite could not open it.
    case unreadable(path: String, detail: String)
    /// A command that only reads found no database at the path (nothing was created there).
    case missingDatabase(path: String)
    /// The file exists but may not be written.
    case readOnlyFile(path: String)
    /// The directory may not be written (SQLite needs to create `-wal` and `-shm` files beside the database).
    case readOnlyDirectory(path: String, directory: String)
    /// The database was migrated by a newer `runbook`; this build does not know some of its migrations.
    case newerSchema(path: String, unknownMigrations: [String])
    /// The disk is full.
    case diskFull(path: String)
    /// Any other SQLite failure.
    case sqlite(path: String, detail: String)
    /// An event type this build does not know: a newer runbook recorded it.
    case unknownEventType(path: String, type: String, incidentID: Int64, sequence: Int64)
    /// No incident with this id.
    case unknownIncident(id: Int64, path: String)
    /// Output was offered for an event that is not a `command.started` event of the incident.
    case notACommand(incidentID: Int64, sequence: Int64)
    /// This process's escalator lease (token) was taken over by another escalator: it must not commit.
    case fenced(path: String, token: Int64, holder: Int64?)
    /// An event payload lacks a field the store needs (for example `to` on `severity.changed`).
    case invalidPayload(type: EventType, detail: String)
    /// A stored output chunk holds a value its writer never wrote (a forged size or offset, data that does not
    /// inflate, an unknown encoding): the row was changed after it was written.
    case corruptOutput(path: String, incidentID: Int64, commandSequence: Int64, chunkIndex: Int64, detail: String)
    /// An `incidents` row holds a value of the wrong type: it was changed after it was written.
    case corruptIncident(incidentID: Int64, detail: String)
    /// A declaration gave an `incident_key` another incident already has (two `runbook serve` processes declaring
    /// one alert group's incident at once): nothing was written.
    case duplicateIncidentKey(key: String)

    /// What went wrong, naming the database path.
    public var summary: String {
        switch self {
        case .corrupt(let path, let detail):
            return "\(path): the transcript database is corrupt or not an SQLite database (\(detail))"
        case .locked(let path, let timeout):
            return "\(path): the transcript database stayed locked by another process for more than "
                + "\(Self.seconds(timeout))"
        case .unreadable(let path, let detail):
            return "\(path): cannot read the transcript database (\(detail))"
        case .missingDatabase(let path):
            return "\(path): no transcript database here (nothing was created)"
        case .readOnlyFile(let path):
            return "\(path): the transcript database is read-only"
        case .readOnlyDirectory(let path, let directory):
            return "\(path): the directory \(directory) is not writable, and SQLite needs to create "
                + "the -wal and -shm files there"
        case .newerSchema(let path, let unknown):
            return "\(path): the transcript database was written by a newer runbook "
                + "(unknown migrations: \(unknown.joined(separator: ", ")))"
        case .diskFull(let path):
            return "\(path): the disk holding the transcript database is full"
        case .sqlite(let path, let detail):
            return "\(path): SQLite error: \(detail)"
        case .unknownEventType(let path, let type, let incidentID, let sequence):
            return "\(path): event #\(sequence) of incident \(incidentID) has the type \(type), "
                + "which this runbook does not know"
        case .unknownIncident(let id, let path):
            return "no incident \(id) in \(path)"
        case .notACommand(let incidentID, let sequence):
            return "event #\(sequence) of incident \(incidentID) is not a command.started event"
        case .invalidPayload(let type, let detail):
            return "invalid \(type.rawValue) payload: \(detail)"
        case .corruptOutput(let path, let incidentID, let commandSequence, let chunkIndex, let detail):
            return "\(path): output chunk \(chunkIndex) of the command at event #\(commandSequence) of incident "
                + "\(incidentID) cannot be read: \(detail)"
        case .corruptIncident(let incidentID, let detail):
            return "the row of incident \(incidentID) cannot be read: \(detail)"
        case .duplicateIncidentKey(let key):
            return "an incident with key \(key) already exists; this declaration recorded nothing"
        case .fenced(let path, let token, let holder):
            return "\(path): this escalator's lease (token \(token)) was taken over"
                + (holder.map { " by token \($0)" } ?? "") + "; it stops without committing"
        }
    }

    /// What to do about it.
    public var hint: String? {
        switch self {
        case .corrupt(let path, _):
            return "runbook never overwrites it. Keep it for the record (mv \(path) \(path).broken), "
                + "try `sqlite3 \(path) .recover`, or pass --db with another path."
        case .locked:
            return "find the process holding it (fuser or lsof on the file), let it finish, and retry; "
                + "RUNBOOK_DB_TIMEOUT=SECONDS waits longer."
        case .unreadable(let path, _):
            return "check the owner and mode of \(path) (ls -l), or pass --db with a database you can read."
        case .missingDatabase:
            return "check the path given with --db or $RUNBOOK_DB (without them: ./transcripts/, then the state "
                + "directory); `runbook start` or `runbook declare` creates the database."
        case .readOnlyFile(let path):
            return "make it writable (chmod u+w \(path)) or pass --db with another path; "
                + "it was not modified."
        case .readOnlyDirectory(_, let directory):
            return "make \(directory) writable for this user, or pass --db with a path in a writable directory."
        case .newerSchema, .unknownEventType:
            return "upgrade runbook to the version that wrote it; this version will not modify it."
        case .diskFull:
            return "free some space; every event committed so far is safe."
        case .sqlite:
            return "retry; if it persists, keep the file and report the message."
        case .unknownIncident:
            return "`runbook incidents` lists the incidents in this database; --db selects another database."
        case .notACommand, .invalidPayload:
            return nil
        case .corruptIncident(let incidentID, _):
            return "the row was changed after it was written; keep the file unchanged as evidence and run "
                + "`runbook verify \(incidentID)`."
        case .corruptOutput(_, let incidentID, _, _, _):
            return "the row was changed after it was written; keep the file unchanged as evidence and run "
                + "`runbook verify \(incidentID)`, which reports every change it can detect."
        case .duplicateIncidentKey:
            return
                "add to the incident that has the key (`runbook incidents` lists them) instead of declaring it again."
        case .fenced:
            return "another escalator runs for this store; `runbook escalator --status` shows it."
        }
    }

    /// 4 (database unusable) for database problems, 2 for a wrong incident id or payload.
    public var exitStatus: ExitStatus {
        switch self {
        case .unknownIncident: return .usage
        case .notACommand, .invalidPayload: return .usage
        case .duplicateIncidentKey: return .refused
        default: return .database
        }
    }

    private static func seconds(_ value: TimeInterval) -> String {
        value == value.rounded() ? "\(Int(value)) s" : String(format: "%.1f s", value)
    }
}

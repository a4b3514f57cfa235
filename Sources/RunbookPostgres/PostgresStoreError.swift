import PostgresNIO
import RunbookKit

/// What goes wrong with a PostgreSQL store. No case ever holds the password.
public enum PostgresStoreError: UserFacingError, Equatable {
    /// The `postgres://` URL cannot be used as written.
    case badURL(url: String, detail: String)
    /// The server cannot be reached or refused the connection (DNS, refused, authentication, TLS).
    case unreachable(location: String, detail: String)
    /// The server answered a statement with an error.
    case server(location: String, detail: String)
    /// The server's schema was written by a newer runbook.
    case newerSchema(location: String, unknownMigrations: [String])
    /// A command that only reads found no runbook schema in the database (and created none).
    case noTranscript(location: String)
    /// A feature that the PostgreSQL store does not have yet.
    case unsupported(feature: String, location: String)

    public var summary: String {
        switch self {
        case .badURL(let url, let detail): return "\(url): not a usable PostgreSQL URL: \(detail)"
        case .unreachable(let location, let detail): return "\(location): cannot connect to PostgreSQL: \(detail)"
        case .server(let location, let detail): return "\(location): PostgreSQL error: \(detail)"
        case .newerSchema(let location, let unknown):
            return "\(location): the transcript schema was written by a newer runbook (unknown migrations: "
                + "\(unknown.joined(separator: ", ")))"
        case .unsupported(let feature, let location):
            return "\(location): \(feature) is not supported on the PostgreSQL store yet"
        case .noTranscript(let location):
            return "\(location): no runbook transcript in this database (nothing was created)"
        }
    }

    public var hint: String? {
        switch self {
        case .badURL:
            return "write postgres://USER@HOST:PORT/DATABASE?sslmode=disable|require|verify-full; give the password "
                + "in PGPASSWORD or ~/.pgpass"
        case .unreachable:
            return "check the host and port, that the server listens there, the user's password (PGPASSWORD or "
                + "~/.pgpass) and pg_hba.conf, and sslmode"
        case .server: return "the statement was rolled back; nothing of it was recorded"
        case .newerSchema: return "use the newer runbook, or a database of your own"
        case .noTranscript:
            return "check --db / $RUNBOOK_DB (database, and options=-c search_path=… for a schema); a command that "
                + "records (note) creates the tables"
        case .unsupported:
            return "use an SQLite file for this (--db PATH); docs/team-store.md lists what the PostgreSQL store has"
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .badURL, .unsupported: return .usage
        case .unreachable, .server, .newerSchema, .noTranscript: return .database
        }
    }

    /// The reason in `error`, without anything it may carry of the query's bound values.
    static func reason(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return message + state
            }
            if let underlying = error.underlying { return "\(error.code): \(underlying)" }
            return "\(error.code)"
        }
        return "\(error)"
    }
}

import Foundation
import PostgresNIO
import RunbookKit

/// What goes wrong with a PostgreSQL store. No case ever holds the password.
public enum PostgresStoreError: UserFacingError, Equatable {
    /// The `postgres://` URL cannot be used as written.
    case badURL(url: String, detail: String)
    /// The server cannot be reached for a reason no `ConnectFailure` names (TLS set-up on this machine).
    case unreachable(location: String, detail: String)
    /// Connecting failed, and why: the host, the port, the credentials, TLS or the database.
    case cannotConnect(location: String, failure: ConnectFailure)
    /// The connection was lost and the server did not come back within the retry time (`RUNBOOK_DB_RETRY`).
    case gaveUp(location: String, seconds: Int, detail: String)
    /// The connection was lost after COMMIT was sent, and nothing tells whether the transaction committed.
    case commitUnknown(location: String)
    /// The server answered a statement with an error.
    case server(location: String, detail: String)
    /// The server's schema was written by a newer runbook.
    case newerSchema(location: String, unknownMigrations: [String])
    /// A command that only reads found no runbook schema in the database (and created none).
    case noTranscript(location: String)
    /// A feature that the PostgreSQL store does not have yet.
    case unsupported(feature: String, location: String)

    /// Why a connection could not be made, each with what to check.
    public enum ConnectFailure: Sendable, Equatable {
        /// The host name does not resolve.
        case unknownHost(host: String, detail: String)
        /// Nothing listens at the host and port.
        case refused(host: String, port: Int)
        /// No route to the host, or the connection attempt timed out.
        case noRoute(host: String, port: Int, detail: String)
        /// The server refused the user's credentials.
        case authentication(user: String, message: String)
        /// The server asks for a password and none was given.
        case noPassword(user: String)
        /// `sslmode=require` or `verify-full`, and the server does not offer TLS.
        case tlsNotOffered
        /// The TLS handshake failed (with `verify-full`: a certificate not valid for the host or not trusted).
        case tlsHandshake(detail: String)
        /// The database does not exist on the server.
        case noDatabase(database: String, message: String)
        /// The server is starting up or shutting down.
        case notReady(message: String)
        /// Anything else, as the server or the client library said it.
        case other(detail: String)
    }

    public var summary: String {
        switch self {
        case .badURL(let url, let detail): return "\(url): not a usable PostgreSQL URL: \(detail)"
        case .unreachable(let location, let detail): return "\(location): cannot connect to PostgreSQL: \(detail)"
        case .cannotConnect(let location, let failure):
            return "\(location): cannot connect to PostgreSQL: \(failure.reason)"
        case .gaveUp(let location, let seconds, let detail):
            return "\(location): the PostgreSQL server has been unreachable for \(seconds) s, giving up: \(detail)"
        case .commitUnknown(let location):
            return "\(location): the connection was lost while PostgreSQL committed a transaction, and whether it "
                + "committed cannot be told"
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
        case .cannotConnect(_, let failure): return failure.check
        case .gaveUp:
            return "nothing after the last recorded event was run; when the server is back, `runbook resume` the "
                + "incident (RUNBOOK_DB_RETRY sets how many seconds to keep retrying, default 600)"
        case .commitUnknown:
            return "run `runbook verify` on the incident and look at its last events before recording again"
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
        case .unreachable, .cannotConnect, .gaveUp, .commitUnknown, .server, .newerSchema, .noTranscript:
            return .database
        }
    }

    /// The reason in `error`, without anything it may carry of the query's bound values.
    static func reason(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return message + state
            }
            if let underlying = error.underlying { return "\(error.code): \(reason(underlying))" }
            return "\(error.code)"
        }
        return "\(error)"
    }

    /// Whether `error` says the connection is gone (closed, reset, the server shutting down or starting up), so
    /// the statement may be run again on a new connection, rather than that the server refused it.
    static func isConnectionLoss(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError else { return error is ChannelError || error is IOError }
        if let state = error.serverInfo?[.sqlState] {
            // 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now; class 08: connection exception.
            return ["57P01", "57P02", "57P03"].contains(state) || state.hasPrefix("08")
        }
        switch error.code {
        case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown: return true
        default: return false
        }
    }
}

extension PostgresStoreError.ConnectFailure {
    /// What went wrong, for the summary.
    public var reason: String {
        switch self {
        case .unknownHost(let host, let detail): return "the host name \(host) does not resolve (\(detail))"
        case .refused(let host, let port): return "connection refused: nothing listens on \(host) port \(port)"
        case .noRoute(let host, let port, let detail): return "\(host) port \(port) cannot be reached (\(detail))"
        case .authentication(let user, let message): return "authentication failed for user \(user): \(message)"
        case .noPassword(let user): return "the server asks for a password for user \(user), and none was given"
        case .tlsNotOffered: return "the server does not offer TLS, and sslmode requires it"
        case .tlsHandshake(let detail): return "the TLS handshake failed: \(detail)"
        case .noDatabase(_, let message): return message
        case .notReady(let message): return "the server is not accepting connections: \(message)"
        case .other(let detail): return detail
        }
    }

    /// What to check, for the hint.
    public var check: String {
        switch self {
        case .unknownHost:
            return "check the host name in --db / $RUNBOOK_DB (a typo?) and this machine's DNS (/etc/resolv.conf)"
        case .refused:
            return "is the server running, and listening on that address and port (listen_addresses and port in "
                + "postgresql.conf)? Check the port in the URL"
        case .noRoute:
            return "check the host and port, the network and any firewall between this machine and the server"
        case .authentication:
            return "check the user name and the password (PGPASSWORD, or the line for this host, port, database "
                + "and user in ~/.pgpass), and that pg_hba.conf lets this user connect from this machine"
        case .noPassword:
            return "give the password in PGPASSWORD or ~/.pgpass (host:port:database:user:password, mode 0600)"
        case .tlsNotOffered:
            return "turn TLS on on the server (ssl = on, with a certificate), or use sslmode=disable on a trusted "
                + "network"
        case .tlsHandshake:
            return "with sslmode=verify-full the server's certificate must be valid for the host name in the URL "
                + "and signed by an authority this machine trusts; sslmode=require encrypts without checking it"
        case .noDatabase(let database, _):
            return "check the database name in the URL, or create it: CREATE DATABASE \(database) OWNER …"
        case .notReady: return "wait until the server has started, then run the command again"
        case .other:
            return "check the host and port, that the server listens there, the user's password (PGPASSWORD or "
                + "~/.pgpass) and pg_hba.conf, and sslmode"
        }
    }

    /// Whether the failure may go away by itself (the server restarting), so a store that was connected retries.
    var isTransient: Bool {
        switch self {
        case .refused, .noRoute, .notReady: return true
        case .other(let detail): return detail.contains("closed") || detail.contains("reset")
        default: return false
        }
    }

    /// Classifies an error of `PostgresConnection.connect` to `location`.
    init(_ error: any Error, location: PostgresLocation) {
        if let error = error as? PSQLError {
            if let state = error.serverInfo?[.sqlState] {
                let message = error.serverInfo?[.message] ?? state
                switch state {
                case "28P01", "28000":
                    self = .authentication(user: location.user, message: message)
                case "3D000": self = .noDatabase(database: location.database, message: message)
                case "57P01", "57P02", "57P03": self = .notReady(message: message)
                default: self = .other(detail: "\(message) (SQLSTATE \(state))")
                }
                return
            }
            switch error.code {
            case .sslUnsupported:
                self = .tlsNotOffered
                return
            case .authMechanismRequiresPassword:
                self = .noPassword(user: location.user)
                return
            default: break
            }
            if let underlying = error.underlying {
                self.init(underlying, location: location)
                if case .other(let detail) = self { self = .other(detail: "\(error.code): \(detail)") }
                return
            }
            self = .other(detail: "\(error.code)")
            return
        }
        if let error = error as? NIOConnectionError {
            let refused = error.connectionErrors.contains { failure in
                (failure.error as? IOError)?.errnoCode == ECONNREFUSED
            }
            if refused {
                self = .refused(host: location.host, port: location.port)
            } else if let first = error.connectionErrors.first {
                self = .noRoute(host: location.host, port: location.port, detail: "\(first.error)")
            } else {
                let dns = error.dnsAError ?? error.dnsAAAAError
                self = .unknownHost(host: location.host, detail: dns.map { "\($0)" } ?? "no address found")
            }
            return
        }
        if let error = error as? SocketAddressError.UnknownHost {
            self = .unknownHost(host: location.host, detail: error.errorDescription)
            return
        }
        if let error = error as? IOError, error.errnoCode == ECONNREFUSED {
            self = .refused(host: location.host, port: location.port)
            return
        }
        if let error = error as? ChannelError, case .connectTimeout = error {
            self = .noRoute(host: location.host, port: location.port, detail: "the connection attempt timed out")
            return
        }
        if error is NIOSSLError || error is BoringSSLError {
            self = .tlsHandshake(detail: "\(error)")
            return
        }
        self = .other(detail: "\(error)")
    }
}

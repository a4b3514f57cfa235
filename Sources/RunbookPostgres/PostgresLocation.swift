import Foundation
import RunbookKit

/// A `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE?sslmode=…` URL, and the password that goes with it.
///
/// The password is the URL's, else `$PGPASSWORD`, else the first matching line of `$PGPASSFILE` (default
/// `~/.pgpass`, the libpq format `host:port:database:user:password`). `description` never shows it.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    /// How the connection uses TLS.
    public enum SSLMode: String, Sendable, Hashable {
        /// Plain TCP.
        case disable
        /// TLS, or the connection fails; the server's certificate is not checked (libpq's `require`).
        case require
        /// TLS, and the server's certificate must be valid for the host (libpq's `verify-full`).
        case verifyFull = "verify-full"
    }

    public var user: String
    public var host: String
    public var port: Int
    public var database: String
    public var sslMode: SSLMode
    /// `nil` when none is given anywhere (trust or peer authentication).
    public var password: String?
    /// libpq's `options` parameter (`?options=-c%20search_path%3Dteam_a`: a schema per team), sent at start-up.
    public var options: String?

    /// Whether `text` names a PostgreSQL store rather than an SQLite file.
    public static func isPostgresURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses `url`; the password comes from the URL, the environment or the password file.
    public init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard Self.isPostgresURL(url), let components = URLComponents(string: url), let host = components.host,
            !host.isEmpty
        else {
            throw PostgresStoreError.badURL(url: Self.withoutPassword(url), detail: "it needs a host")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard let user = components.user, !user.isEmpty else {
            throw PostgresStoreError.badURL(url: Self.withoutPassword(url), detail: "it needs a user name")
        }
        guard !database.isEmpty else {
            throw PostgresStoreError.badURL(url: Self.withoutPassword(url), detail: "it needs a database name")
        }
        self.user = user.removingPercentEncoding ?? user
        self.host = host
        self.port = components.port ?? 5432
        self.database = database.removingPercentEncoding ?? database
        let mode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        guard let sslMode = SSLMode(rawValue: mode) else {
            throw PostgresStoreError.badURL(
                url: Self.withoutPassword(url),
                detail: "sslmode=\(mode) is not supported (use disable, require or verify-full)")
        }
        self.sslMode = sslMode
        options = components.queryItems?.first { $0.name == "options" }?.value
        if let password = components.password {
            self.password = password.removingPercentEncoding ?? password
        } else if let password = environment["PGPASSWORD"], !password.isEmpty {
            self.password = password
        } else {
            self.password = Self.passwordFile(
                environment: environment, host: host, port: port, database: self.database, user: self.user)
        }
    }

    /// The URL without its password, for messages.
    public var description: String {
        "postgres://\(user)@\(host):\(port)/\(database)?sslmode=\(sslMode.rawValue)"
            + (options.map { "&options=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" } ?? "")
    }

    /// `url` with any password replaced by `***`.
    public static func withoutPassword(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? "postgres://…"
    }

    /// The password of the first line of the password file that matches (`*` matches anything), libpq's rules.
    static func passwordFile(
        environment: [String: String], host: String, port: Int, database: String, user: String
    ) -> String? {
        let path =
            environment["PGPASSFILE"]
            ?? ((environment["HOME"] ?? NSHomeDirectory()) as NSString).appendingPathComponent(".pgpass")
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) where !line.hasPrefix("#") {
            let fields = Self.fields(of: String(line))
            guard fields.count == 5 else { continue }
            let wanted = [host, String(port), database, user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    /// The colon-separated fields of a password-file line (`\:` and `\\` are escapes).
    private static func fields(of line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}

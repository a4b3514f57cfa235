import Foundation

/// A PostgreSQL server of one test's own (`scripts/pg-test-cluster start`), which the test may stop, start and
/// restart without disturbing the shared test server: the fault tests of the team store.
public final class PostgresTestCluster: @unchecked Sendable {
    /// The cluster's directory (data, log, Unix socket, env).
    public let directory: String
    /// `postgres://runbook_test@127.0.0.1:PORT/runbook_test?sslmode=disable`.
    public let url: String
    /// The password of `runbook_test` (what `PGPASSWORD` must hold).
    public let password: String
    /// The port the server listens on.
    public let port: Int

    /// Whether the machine can run one: the tests that need it run where `RUNBOOK_TEST_POSTGRES` is set.
    public static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: binaries + "/pg_ctl")
            && !(ProcessInfo.processInfo.environment["RUNBOOK_TEST_POSTGRES"] ?? "").isEmpty
    }

    static let binaries = "/usr/lib/postgresql/15/bin"

    /// Starts a new cluster (a second or two: initdb, then the server).
    public init() throws {
        let started = try Self.run(
            "/bin/bash", [BuiltBinary.packageRoot.appendingPathComponent("scripts/pg-test-cluster").path, "start"])
        directory = started.trimmingCharacters(in: .whitespacesAndNewlines)
        let environment = try String(contentsOfFile: directory + "/env", encoding: .utf8)
        func value(_ name: String) -> String {
            let line = environment.split(separator: "\n").first { $0.hasPrefix("export \(name)=") } ?? ""
            return String(line.dropFirst("export \(name)=".count)).trimmingCharacters(
                in: CharacterSet(charactersIn: "'"))
        }
        url = value("RUNBOOK_TEST_POSTGRES")
        password = value("PGPASSWORD")
        port = URLComponents(string: url)?.port ?? 0
    }

    deinit {
        _ = try? Self.run(
            "/bin/bash",
            [BuiltBinary.packageRoot.appendingPathComponent("scripts/pg-test-cluster").path, "stop", directory])
    }

    /// Stops the server (fast: open connections are closed) and waits until it is down.
    public func stop() throws {
        _ = try pgctl(["-D", directory + "/data", "-m", "fast", "-w", "stop"])
    }

    /// Starts the stopped server on the same port and waits until it accepts connections; `ssl: false` starts it
    /// without TLS.
    public func start(ssl: Bool = true) throws {
        _ = try pgctl([
            "-D", directory + "/data", "-l", directory + "/log", "-w", "-o",
            "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c fsync=off -c ssl=\(ssl ? "on" : "off")",
            "start",
        ])
    }

    /// Restarts the server (fast: every connection is closed) and waits until it accepts connections again.
    public func restart() throws {
        _ = try pgctl(["-D", directory + "/data", "-m", "fast", "-w", "restart"])
    }

    /// Runs SQL as the superuser on the cluster's Unix socket.
    public func admin(_ sql: String, database: String = "runbook_test") throws {
        _ = try asServerUser(
            "psql",
            [
                "-q", "-v", "ON_ERROR_STOP=1", "-h", directory, "-p", String(port), "-U", "postgres", "-d",
                database, "-c", sql,
            ])
    }

    private func pgctl(_ arguments: [String]) throws -> String {
        try asServerUser(Self.binaries + "/pg_ctl", arguments)
    }

    /// As root the server's files belong to `postgres`, and PostgreSQL refuses to run as root.
    private func asServerUser(_ executable: String, _ arguments: [String]) throws -> String {
        if getuid() == 0 { return try Self.run("/usr/sbin/runuser", ["-u", "postgres", "--", executable] + arguments) }
        return try Self.run("/usr/bin/env", [executable] + arguments)
    }

    /// Runs a tool to the end and returns its standard output; a failure throws with its output.
    ///
    /// Spawned and waited for directly (`posix_spawn`, `waitpid`), its output to files and no other descriptor
    /// inherited: the server it may start keeps running with what it inherited, and `Foundation.Process` was seen
    /// never noticing the exit of the script that started it.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let base = NSTemporaryDirectory() + "runbook-pg-tool-" + UUID().uuidString
        defer {
            unlink(base + ".out")
            unlink(base + ".err")
        }
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, base + ".out", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, base + ".err", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // Nothing else of the test's is inherited (bash closes every descriptor above 2, then runs the tool): a
        // server started here would hold, for its whole life, the write end of a pipe the test means to close (the
        // stdin of a `runbook` that waits for its end).
        let closing =
            #"for fd in /proc/$$/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done 2>/dev/null; exec "$@""#
        let argv = (["/bin/bash", "-c", closing, "run", executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/bash", &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw ClusterError(description: "\(executable): posix_spawn failed (\(String(cString: strerror(spawned))))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
        // WIFEXITED and WEXITSTATUS, which Swift does not import.
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            let error = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
            throw ClusterError(description: "\(executable) \(arguments.joined(separator: " ")): \(output)\(error)")
        }
        return output
    }

    struct ClusterError: Error, CustomStringConvertible {
        var description: String
    }
}

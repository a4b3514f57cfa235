import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// A scratch directory for the prove suites: a runbooks folder, a database path, and helpers that run the
/// built binary against them (optionally as `nobody`, since the tests run as root and root ignores file modes).
struct ProveScratch {
    let directory: String
    let runbooks: String
    let database: String

    init() throws {
        directory = NSTemporaryDirectory() + "runbook-prove-" + UUID().uuidString
        runbooks = directory + "/runbooks"
        database = directory + "/db/runbook.sqlite3"
        try FileManager.default.createDirectory(atPath: runbooks, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/db", withIntermediateDirectories: true)
        // `nobody` must be able to reach the files the unprivileged rows use.
        chmod(directory, 0o755)
        chmod(runbooks, 0o755)
    }

    /// Writes a runbook file named `name` into the runbooks folder and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let path = runbooks + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Runs `runbook` with `arguments`; as `nobody` when `unprivileged` and the tests run as root. Past `timeout`
    /// seconds it is killed and `ProcessRunner.TimedOut` is thrown.
    func run(
        _ arguments: [String], stdin: String? = nil, unprivileged: Bool = false,
        environment: [String: String] = [:], timeout: TimeInterval? = nil
    ) throws -> ProveResult {
        guard unprivileged, getuid() == 0 else {
            let result = try BuiltBinary.run(arguments, stdin: stdin, environment: environment, timeout: timeout)
            return ProveResult(status: result.status, stdout: result.stdout, stderr: result.stderr)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", "--", BuiltBinary.path] + arguments
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = nil
        env["RUNBOOK_ESCALATOR"] = "off"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        return try ProcessRunner.collect(process, stdin: nil, timeout: timeout)
    }

    /// The events of incident 1 (every prove scenario starts from an empty database).
    func events(incident: Int64 = 1) throws -> [RecordedEvent] {
        try SQLiteTranscriptStore(path: database).events(incidentID: incident)
    }

    /// `runbook verify --all` on the scratch database.
    func verifyAll() throws -> BuiltBinary.Result {
        try BuiltBinary.run(["verify", "--all", "--db", database])
    }
}

/// `chmod(2)` without the throwing ceremony; the prove suites check the effect themselves.
func chmod(_ path: String, _ mode: Int) {
    _ = Foundation.chmod(path, mode_t(mode))
}

/// The permission bits of the file at `path`.
func permissions(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return ((attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1) & 0o777
}

/// What a finished `runbook` printed and how it ended (`BuiltBinary.Result` has no public initializer).
typealias ProveResult = BuiltBinary.Result

/// A tmpfs of `size` mounted under the scratch directory, for the full-disk rows; unmounted by `unmount()`.
/// Needs root (the tests that use it are enabled only as root), and as root a refused mount is a failure.
struct SmallDisk {
    let mountPoint: String

    init(in scratch: ProveScratch, size: String) throws {
        mountPoint = scratch.directory + "/small"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", mountPoint]
        try mount.run()
        mount.waitUntilExit()
        try #require(mount.terminationStatus == 0, "mount -t tmpfs was refused")
    }

    func unmount() {
        let umount = Process()
        umount.executableURL = URL(fileURLWithPath: "/bin/umount")
        umount.arguments = [mountPoint]
        try? umount.run()
        umount.waitUntilExit()
    }
}

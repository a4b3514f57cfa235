import Foundation

/// Runs the built `runbook` executable, for end-to-end tests.
///
/// The binary sits next to the test bundle in the build directory, whatever the scratch path.
public enum BuiltBinary {
    /// Path of the `runbook` executable built alongside the tests (`$RUNBOOK_BIN` overrides).
    public static var path: String {
        if let override = ProcessInfo.processInfo.environment["RUNBOOK_BIN"] { return override }
        var url = URL(
            fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? CommandLine.arguments[0])
        while url.path != "/" {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("runbook").path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue {
                return candidate
            }
        }
        return ".build/debug/runbook"
    }

    /// The package root (for the bundled runbooks and the seed).
    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// What a finished process printed and how it ended.
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String

        public init(status: Int32, stdout: String, stderr: String) {
            self.status = status
            self.stdout = stdout
            self.stderr = stderr
        }
    }

    /// The environment a test's `runbook` runs with: this process's (output to a pipe is plain text; `NO_COLOR` and
    /// `TERM=dumb` are removed, since they turn the marks to ASCII and the tests read the default marks), and no detached
    /// escalator per test database unless the test asks for one (`RUNBOOK_ESCALATOR: "auto"`; the tests of
    /// escalation start theirs and stop it with `EscalatorProcess.stop`), no user configuration directory (an
    /// `escalation.md` in the tester's `~/.config/runbook` would change what a session says), then `environment`.
    public static func environment(adding environment: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = nil
        if env["TERM"] == "dumb" { env["TERM"] = nil }
        env["RUNBOOK_ESCALATOR"] = "off"
        // Never the developer's own signing key: a test that signs gives its own.
        env["RUNBOOK_SIGNING_KEY"] = "/nonexistent/runbook-tests/signing.key"
        env["XDG_CONFIG_HOME"] = "/nonexistent/runbook-tests-have-no-configuration"
        for (key, value) in environment { env[key] = value }
        return env
    }

    /// The note `runbook lint DIRECTORY` prints first for a directory without `escalation.md`, in the tests'
    /// environment (no user configuration directory).
    public static func noEscalationPolicyNote(_ directory: String) -> String {
        let configuration = "/nonexistent/runbook-tests-have-no-configuration/runbook"
        return "\(directory):1:1: note: no escalation policy (neither \(directory)/escalation.md nor "
            + "\(configuration)/escalation.md exists): incidents started from these runbooks are never escalated\n"
            + "  hint: write escalation.md with the escalation matrix (docs/escalation.md), in this directory or in "
            + "\(configuration)\n"
    }

    /// Runs `runbook` with `arguments`, feeding `stdin`, and waits for it; past `timeout` seconds it is killed and
    /// `ProcessRunner.TimedOut` is thrown.
    @discardableResult
    public static func run(
        _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
        currentDirectory: URL? = nil, timeout: TimeInterval? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = Self.environment(adding: environment)
        process.currentDirectoryURL = currentDirectory ?? packageRoot
        return try ProcessRunner.collect(process, stdin: Data((stdin ?? "").utf8), timeout: timeout)
    }
}

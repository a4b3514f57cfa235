import Foundation

/// Where a command runs. `.network` starts it as `unshare --net -- SHELL -c COMMAND`: in a network namespace of
/// its own, whose only interface is a loopback that is down, so no address (127.0.0.1 included) is reachable.
/// `unshare` execs the shell in the same process, so the session, process group and controlling terminal that
/// `cpty_spawn` sets up are the shell's.
public enum CommandIsolation: String, Sendable, Hashable {
    /// The command runs with runbook's own network.
    case none
    /// The command runs in a network namespace of its own.
    case network

    /// Where `unshare` is looked for after runbook's own `PATH`.
    static let systemDirectories = ["/usr/bin", "/bin", "/usr/sbin", "/sbin"]

    /// The `unshare` program: on runbook's own `PATH` (not the command's, which a simulator may change), else in
    /// the system directories.
    public static func unsharePath(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String? {
        let path = (environment["PATH"] ?? "").split(separator: ":", omittingEmptySubsequences: true).map(String.init)
        for directory in path + systemDirectories {
            let candidate = directory + "/unshare"
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
                access(candidate, X_OK) == 0
            {
                return candidate
            }
        }
        return nil
    }

    /// The program and arguments that run `shellPath -c command` with this isolation.
    func launch(shell: String, shellPath: String, command: String) throws -> (path: String, arguments: [String]) {
        switch self {
        case .none:
            return (shellPath, [shell, "-c", command])
        case .network:
            guard let unshare = Self.unsharePath() else {
                throw ExecutionError.isolationUnavailable(reason: "`unshare` (util-linux) was not found")
            }
            return (unshare, ["unshare", "--net", "--", shellPath, "-c", command])
        }
    }

    /// Checks once that a network namespace can be made here, by running `unshare --net true`; throws
    /// `ExecutionError.isolationUnavailable` saying why not.
    public static func checkNetworkNamespace() throws {
        guard let unshare = unsharePath() else {
            throw ExecutionError.isolationUnavailable(reason: "`unshare` (util-linux) was not found")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: unshare)
        process.arguments = ["--net", "--", "true"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw ExecutionError.isolationUnavailable(reason: "\(unshare) could not be started (\(error))")
        }
        let message = DescriptorReading.readToEnd(errors.fileHandleForReading)
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let text = String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw ExecutionError.isolationUnavailable(
                reason: "`unshare --net true` failed"
                    + (text.isEmpty ? " with status \(process.terminationStatus)" : ": \(text)"))
        }
    }
}

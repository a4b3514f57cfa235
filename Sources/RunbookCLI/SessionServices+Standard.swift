import Foundation
import RunbookKit

extension SessionServices {
    /// The real parts.
    // TEMPORARY (parts): `FallbackPipeRunner` and `SecretValueRedactor` stand in until the executor's
    // PTY/pipe runners and `Redactor` land on main.
    public static var standard: SessionServices {
        SessionServices(
            openStore: { flag, redactor in
                let environment = ProcessInfo.processInfo.environment
                let location = DatabaseLocation.resolve(
                    flag: flag, environment: environment, currentDirectory: FileManager.default.currentDirectoryPath)
                return try SQLiteTranscriptStore(
                    path: location.path, redactor: redactor,
                    busyTimeout: StoreOpener.busyTimeout(environment: environment))
            },
            loadRunbooks: { directory in try RunbookDirectoryLoader(directory: directory) },
            makeRunner: { _ in FallbackPipeRunner() }, makeRedactor: { SecretValueRedactor() },
            looksDestructive: { !DestructiveCommandDetector.reasons(for: $0).isEmpty })
    }
}

/// Runs `shell -c command` with stdout and stderr on one pipe, stdin from /dev/null, showing the output on
/// stdout as it arrives. Foundation's `Process` spawns with posix_spawn on Linux.
struct FallbackPipeRunner: CommandRunner {
    func run(_ request: CommandRequest, sink: any OutputSink) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [request.shell, "-c", request.command]
        process.environment = request.environment
        if let directory = request.workingDirectory {
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        let start = Date()
        try process.run()
        var timedOut = false
        let timer = request.timeout.map { timeout in
            DispatchWorkItem {
                timedOut = true
                process.terminate()
            }
        }
        if let timer, let timeout = request.timeout {
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: timer)
        }
        var bytes = 0
        while true {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            bytes += chunk.count
            FileHandle.standardOutput.write(chunk)
            sink.receive(chunk, offset: Date().timeIntervalSince(start))
        }
        process.waitUntilExit()
        timer?.cancel()
        let signaled = process.terminationReason == .uncaughtSignal
        return CommandResult(
            exitCode: signaled ? nil : process.terminationStatus, signal: signaled ? process.terminationStatus : nil,
            duration: Date().timeIntervalSince(start), timedOut: timedOut, outputBytes: bytes)
    }
}

/// Replaces the values of secret variables with `[REDACTED:NAME]`.
final class SecretValueRedactor: SecretRegistering, @unchecked Sendable {
    private let lock = NSLock()
    private var secrets: [(name: String, value: String)] = []

    func registerSecret(_ value: String, name: String) {
        guard value.count >= 2 else { return }
        lock.withLock { secrets.append((name, value)) }
    }

    func redact(_ text: String) -> String {
        lock.withLock {
            secrets.reduce(text) { $0.replacingOccurrences(of: $1.value, with: "[REDACTED:\($1.name)]") }
        }
    }
}

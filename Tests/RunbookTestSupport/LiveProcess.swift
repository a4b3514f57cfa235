import Foundation
import RunbookKit

/// Thrown by `waitUntil` when the condition did not come true in time: a wait never passes quietly.
public struct TimedOut: Error, CustomStringConvertible {
    public var what: String
    public var seconds: TimeInterval
    public var description: String { "timed out after \(seconds) s waiting for \(what)" }
}

/// Polls `condition` every 50 ms until it holds; throws `TimedOut` (naming `what`) after `timeout` seconds.
/// For end-to-end tests that wait for another process to do something observable, never for a timer of ours.
public func waitUntil(
    _ what: @autoclosure () -> String, timeout: TimeInterval = 15, _ condition: () throws -> Bool
) throws {
    let end = Date().addingTimeInterval(timeout)
    while true {
        if try condition() { return }
        if Date() >= end { throw TimedOut(what: what(), seconds: timeout) }
        Thread.sleep(forTimeInterval: 0.05)
    }
}

/// The built `runbook` running in the background, with its stdin held open: a REPL a test answers line by line,
/// kills, or leaves waiting.
public final class LiveRunbook: @unchecked Sendable {
    public let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let lock = NSLock()
    private var collected = Data()
    private let drained = DispatchSemaphore(value: 0)

    /// Starts `runbook arguments` (environment as `BuiltBinary.run` sets it, plus `environment`).
    public init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: BuiltBinary.path)
        process.arguments = arguments
        process.environment = BuiltBinary.environment(adding: environment)
        process.currentDirectoryURL = BuiltBinary.packageRoot
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let handle = output.fileHandleForReading
        DispatchQueue.global().async { [self] in
            while true {
                let data = DescriptorReading.read(handle)
                if data.isEmpty { break }
                lock.withLock { collected.append(data) }
            }
            drained.signal()
        }
    }

    /// Everything it printed so far (stdout and stderr).
    public var text: String { lock.withLock { String(decoding: collected, as: UTF8.self) } }

    /// Types `line` and Enter.
    public func send(_ line: String) {
        ProcessRunner.ignoreBrokenPipes()
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    /// Sends `signal` to the process.
    public func kill(_ signal: Int32) {
        Foundation.kill(process.processIdentifier, signal)
    }

    /// Closes stdin and waits for the exit; throws `TimedOut` after `timeout`.
    @discardableResult
    public func finish(timeout: TimeInterval = 30) throws -> Int32 {
        try? input.fileHandleForWriting.close()
        try waitUntil("runbook \(process.arguments?.first ?? "") to exit", timeout: timeout) { !process.isRunning }
        _ = drained.wait(timeout: .now() + 5)
        return process.terminationStatus
    }
}

/// The detached escalator of a test database: tests that start one stop it.
public enum EscalatorProcess {
    /// The pid in the store's lease, while its process runs.
    public static func pid(database: String) -> Int32? {
        let result = try? BuiltBinary.run(["escalator", "--status", "--db", database])
        guard let line = result?.stdout.split(separator: "\n").first, line.contains("running, pid ") else {
            return nil
        }
        let rest = line.split(separator: " ").drop { $0 != "pid" }.dropFirst().first
        return rest.flatMap { Int32($0) }
    }

    /// SIGTERMs the escalator holding `database`'s lease and waits for it to go.
    public static func stop(database: String) {
        guard let pid = pid(database: database) else { return }
        kill(pid, SIGTERM)
        try? waitUntil("escalator \(pid) to stop", timeout: 15) { isGone(pid) }
    }

    /// Whether `pid` has exited (gone, or a zombie nobody reaped yet).
    public static func isGone(_ pid: Int32) -> Bool {
        if kill(pid, 0) != 0 { return true }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return stat.contains(") Z ")
    }
}

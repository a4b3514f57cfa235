import Foundation
import RunbookKit

/// Runs a configured `Process` to completion, the one way every test helper does it.
public enum ProcessRunner {
    /// Writing to a child that has exited must fail with EPIPE, not kill the test process with SIGPIPE (which
    /// happened when the suite ran serially, before any test that ignores SIGPIPE for its own reasons had run).
    /// Every helper that writes to a child's stdin calls this first.
    public static func ignoreBrokenPipes() { _ = ignoringBrokenPipes }
    private static let ignoringBrokenPipes: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    /// A process that was still running at its deadline; it was killed, and the test fails with this.
    public struct TimedOut: Error, CustomStringConvertible {
        public var arguments: [String]
        public var seconds: TimeInterval
        public var stdout: String
        public var stderr: String

        public var description: String {
            "still running after \(Int(seconds)) s, killed: \(arguments.joined(separator: " "))\n\(stdout)\(stderr)"
        }
    }

    /// Starts `process`, writes `stdin` (or gives it /dev/null when `nil`) and drains stdout and stderr
    /// concurrently, so neither side ever blocks on a full pipe; then waits for the exit. With a `timeout`, a
    /// process still running then is killed (SIGKILL) and `TimedOut` is thrown: a hang fails loudly.
    public static func collect(_ process: Process, stdin: Data?, timeout: TimeInterval? = nil) throws
        -> BuiltBinary.Result
    {
        ignoreBrokenPipes()
        let input = Pipe()
        let output = Pipe()
        let error = Pipe()
        if stdin == nil {
            process.standardInput = FileHandle.nullDevice
        } else {
            process.standardInput = input
        }
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let killed = TimeoutFlag()
        if let timeout {
            let pid = process.processIdentifier
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                guard process.isRunning else { return }
                killed.set()
                kill(pid, SIGKILL)
            }
        }
        if let stdin {
            DispatchQueue(label: "stdin").async {
                // A child that exits without reading all of its input is a result to check, not a crash.
                try? input.fileHandleForWriting.write(contentsOf: stdin)
                try? input.fileHandleForWriting.close()
            }
        }
        nonisolated(unsafe) var errorData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errorData = DescriptorReading.readToEnd(error.fileHandleForReading)
            group.leave()
        }
        let outputData = DescriptorReading.readToEnd(output.fileHandleForReading)
        group.wait()
        process.waitUntilExit()
        if killed.isSet {
            throw TimedOut(
                arguments: process.arguments ?? [], seconds: timeout ?? 0,
                stdout: String(decoding: outputData, as: UTF8.self), stderr: String(decoding: errorData, as: UTF8.self))
        }
        return BuiltBinary.Result(
            status: process.terminationStatus, stdout: String(decoding: outputData, as: UTF8.self),
            stderr: String(decoding: errorData, as: UTF8.self))
    }
}

/// A flag set from the timeout's queue and read by the waiting thread.
private final class TimeoutFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

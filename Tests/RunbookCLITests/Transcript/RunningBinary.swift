import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// A `runbook` (or other) child process whose stdin and stdout a test drives line by line.
///
/// A watchdog kills the child (SIGKILL) after `deadline` seconds, so a read that waits for a line that never comes
/// ends at end of output instead of hanging the suite; `wait()` then records an issue saying so.
final class RunningBinary {
    let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let error = Pipe()
    private var buffered = Data()
    private let watchdog: DispatchWorkItem
    private let deadline: TimeInterval
    private let fired = Atomic(false)

    init(
        _ arguments: [String], executable: String = BuiltBinary.path, environment: [String: String] = [:],
        deadline: TimeInterval = 120
    ) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = BuiltBinary.environment(adding: environment)
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        self.deadline = deadline
        let (process, fired) = (process, fired)
        watchdog = DispatchWorkItem {
            guard process.isRunning else { return }
            fired.set(true)
            Foundation.kill(process.processIdentifier, SIGKILL)
        }
        try process.run()
        DispatchQueue.global().asyncAfter(deadline: .now() + deadline, execute: watchdog)
    }

    deinit {
        watchdog.cancel()
    }

    /// Writes to the child's stdin.
    func write(_ text: String) {
        ProcessRunner.ignoreBrokenPipes()
        input.fileHandleForWriting.write(Data(text.utf8))
    }

    /// Closes the child's stdin (end of input).
    func closeInput() {
        try? input.fileHandleForWriting.close()
    }

    /// The next line of stdout without its newline, or `nil` at end of output.
    func readLine() -> String? {
        while true {
            if let newline = buffered.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffered[buffered.startIndex..<newline], as: UTF8.self)
                buffered = Data(buffered[buffered.index(after: newline)...])
                return line
            }
            let more = DescriptorReading.read(output.fileHandleForReading)
            if more.isEmpty { return nil }
            buffered.append(more)
        }
    }

    /// Every remaining stdout line, up to end of output.
    func remainingLines() -> [String] {
        var lines: [String] = []
        while let line = readLine() { lines.append(line) }
        return lines
    }

    /// Everything on stderr (call after the process ended or closed it).
    func standardError() -> String {
        String(decoding: DescriptorReading.readToEnd(error.fileHandleForReading), as: UTF8.self)
    }

    /// Sends `signal` to the child.
    func kill(_ signal: Int32) {
        _ = Foundation.kill(process.processIdentifier, signal)
    }

    /// Waits for the child and returns its exit status (or 128 + signal).
    @discardableResult
    func wait() -> Int32 {
        process.waitUntilExit()
        watchdog.cancel()
        if fired.get() {
            Issue.record("\(process.arguments ?? []) was still running after \(deadline) s and was killed")
        }
        return process.terminationReason == .uncaughtSignal
            ? 128 + process.terminationStatus : process.terminationStatus
    }
}

/// A flag shared with the watchdog's queue.
final class Atomic<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func get() -> Value { lock.withLock { value } }
    func set(_ newValue: Value) { lock.withLock { value = newValue } }
}

/// A scratch directory with a database path inside, removed by the OS's temp cleaning.
struct ScratchDatabase {
    let directory: String
    let path: String

    init() {
        directory = NSTemporaryDirectory() + "runbook-cli-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory + "/runbook.sqlite3"
    }

    /// Runs `runbook` against this database.
    @discardableResult
    func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws
        -> BuiltBinary.Result
    {
        var env = environment
        env["RUNBOOK_DB"] = env["RUNBOOK_DB"] ?? path
        return try BuiltBinary.run(arguments, stdin: stdin, environment: env)
    }

    /// Declares an incident through the binary and returns its id.
    func declare(title: String = "Checkout API down") throws -> Int64 {
        let result = try run(["declare", "--title", title, "--severity", "P1", "--env", "production"])
        guard result.status == 0, let id = Int64(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw ScratchError(message: "declare failed: \(result.stderr)")
        }
        return id
    }

    /// Rewrites incident `incidentID`'s events as an attacker with write access would: each payload replaced by
    /// `transform`'s, every hash recomputed so that the links hold again (after dropping the update trigger).
    /// Returns the new head hash.
    @discardableResult
    func rewriteChain(incidentID: Int64 = 1, _ transform: (RecordedEvent) throws -> JSONValue) throws -> String {
        let events = try SQLiteTranscriptStore(path: path).events(incidentID: incidentID)
        var sql = "DROP TRIGGER events_no_update;"
        var previous = ""
        for event in events {
            let text = try transform(event).canonicalString
            let hash = EventHash.hash(
                previousHash: previous,
                canonical: EventHash.canonicalEncoding(
                    incidentID: incidentID, sequence: event.sequence,
                    timestampMilliseconds: Int64((event.timestamp.timeIntervalSince1970 * 1000).rounded()),
                    actor: event.actor, type: event.type.rawValue, stepID: event.stepID, payloadJSON: text))
            sql += """
                UPDATE events SET payload = '\(text.replacingOccurrences(of: "'", with: "''"))',
                    prev_hash = '\(previous)', hash = '\(hash)' WHERE incident = \(incidentID) AND seq = \(event.sequence);
                """
            previous = hash
        }
        try sqlite(sql)
        return previous
    }

    /// Runs the `sqlite3` CLI on this database.
    @discardableResult
    func sqlite(_ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [path, sql]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = DescriptorReading.readToEnd(output.fileHandleForReading)
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

struct ScratchError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

import Foundation
import RunbookKit

#if canImport(Glibc)
    import Glibc
#endif

/// A scratch directory removed when the test ends.
final class ScratchDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "runbook-exec-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// The environment of this test process, for requests that need PATH.
var testEnvironment: [String: String] {
    var environment = ProcessInfo.processInfo.environment
    environment["LC_ALL"] = "C"
    return environment
}

/// Whether a process is gone (or a zombie nobody reaped yet, which no longer runs).
func processIsGone(_ pid: Int32) -> Bool {
    if kill(pid, 0) != 0 { return true }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return true }
    let state = stat[stat.index(close, offsetBy: 2)]
    return state == "Z" || state == "X"
}

/// Whether a process is gone within `seconds`: a SIGKILLed process closes its descriptors (which is how
/// the runner sees the end) a moment before it becomes a zombie, so a check right away could race it.
func processIsGone(_ pid: Int32, within seconds: TimeInterval) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while !processIsGone(pid) {
        if Date() >= deadline { return false }
        usleep(10_000)
    }
    return true
}

/// A pipe whose read end is drained on a background thread, for tests that check what the screen got.
final class ScreenCapture: @unchecked Sendable {
    let writeEnd: Int32
    private let readEnd: Int32
    private let lock = NSLock()
    private var collected = Data()
    private let done = DispatchSemaphore(value: 0)

    init() {
        var fds: [Int32] = [0, 0]
        _ = pipe(&fds)
        readEnd = fds[0]
        writeEnd = fds[1]
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = read(readEnd, &buffer, buffer.count)
                if count <= 0 { break }
                lock.withLock { collected.append(contentsOf: buffer[0..<count]) }
            }
            close(readEnd)
            done.signal()
        }
        thread.start()
    }

    /// Closes the write end and returns everything written.
    func finish() -> Data {
        close(writeEnd)
        done.wait()
        return lock.withLock { collected }
    }
}

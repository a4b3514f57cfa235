import CPTY
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Turns signals sent to `runbook` while a command runs into bytes on a pipe the poll loop watches.
///
/// Signal dispositions are process-wide, so only one relay can be active at a time; a second runner
/// running concurrently (parallel tests) simply runs without one. SIGPIPE is ignored while the relay
/// is active, so a closed screen never kills `runbook` mid-command.
final class SignalRelay {
    /// Signals whose arrival the runner acts on: SIGWINCH resizes, the others are passed to the child.
    static let watched: [Int32] = [SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    private static let ownership = NSLock()
    nonisolated(unsafe) private static var owned = false

    /// Readable end: one byte per delivered signal (the signal number).
    let readEnd: Int32
    private let writeEnd: Int32
    private var saved: [(Int32, UnsafeMutableRawPointer)] = []
    private var savedPipe: sighandler_t?

    /// Takes ownership of the process's signal handling, or returns `nil` when another run holds it.
    static func activate() -> SignalRelay? {
        ownership.lock()
        defer { ownership.unlock() }
        guard !owned else { return nil }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return nil }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        owned = true
        let relay = SignalRelay(readEnd: fds[0], writeEnd: fds[1])
        for signal in watched {
            let previous = UnsafeMutableRawPointer.allocate(byteCount: Int(cpty_sigaction_size()), alignment: 16)
            if cpty_watch_signal(signal, fds[1], previous) == 0 {
                relay.saved.append((signal, previous))
            } else {
                previous.deallocate()
            }
        }
        relay.savedPipe = signal(SIGPIPE, SIG_IGN)
        return relay
    }

    private init(readEnd: Int32, writeEnd: Int32) {
        self.readEnd = readEnd
        self.writeEnd = writeEnd
    }

    /// Signals delivered since the last call.
    func drain() -> [Int32] {
        var bytes = [UInt8](repeating: 0, count: 64)
        var signals: [Int32] = []
        while true {
            let count = read(readEnd, &bytes, bytes.count)
            if count <= 0 { break }
            signals += bytes[0..<count].map { Int32($0) }
        }
        return signals
    }

    /// Restores the previous dispositions and gives up ownership.
    func deactivate() {
        for (signal, previous) in saved {
            _ = cpty_restore_signal(signal, previous)
            previous.deallocate()
        }
        saved = []
        if let savedPipe {
            _ = signal(SIGPIPE, savedPipe)
            self.savedPipe = nil
        }
        close(readEnd)
        close(writeEnd)
        Self.ownership.lock()
        Self.owned = false
        Self.ownership.unlock()
    }
}

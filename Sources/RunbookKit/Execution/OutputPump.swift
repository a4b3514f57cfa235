import CPTY
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The loop that runs while a child lives: output to the screen and the sink, keystrokes to the child,
/// signals passed on, and the timeout enforced on the child's whole process group.
///
/// One thread, one `poll(2)`: the child's output descriptor, the responder's keystrokes, the signal relay's
/// pipe and a pidfd that becomes readable when the child exits. Output is read with a large buffer, drained
/// until the descriptor has nothing more, and written to the screen with plain write(2), which is what keeps
/// 100 MB of `yes` fast.
struct OutputPump {
    /// How a pump run ended.
    struct Outcome {
        var status: Int32
        var timedOut: Bool
        var bytes: Int
        var duration: TimeInterval
        /// The last signal (other than SIGWINCH) that `runbook` received and passed on to the child.
        var received: Int32?
    }

    /// Output still arriving from processes the shell left behind is collected for this long after it exits.
    static let linger: TimeInterval = 0.25
    static let readSize = 256 * 1024

    let child: ChildProcess
    /// Non-blocking read end of the child's output (pty master or pipe).
    let output: Int32
    /// Keystrokes are read from `source` and written to `target` (the pty master).
    let keystrokes: (source: Int32, target: Int32)?
    let screen: Int32?
    let sink: any OutputSink
    let timeout: TimeInterval?
    let killGrace: TimeInterval
    let relay: SignalRelay?
    /// Called on SIGWINCH, to pass the new window size on.
    let onResize: (() -> Void)?

    func run() -> Outcome {
        let start = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> TimeInterval { TimeInterval(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

        let pidfd = cpty_pidfd_open(child.pid)
        defer { if pidfd >= 0 { close(pidfd) } }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.readSize, alignment: 16)
        defer { buffer.deallocate() }

        var screen = self.screen
        var outputOpen = true
        var inputOpen = keystrokes != nil
        var pendingInput: [UInt8] = []
        var status: Int32?
        var timedOut = false
        var received: Int32?
        var termSentAt: TimeInterval?
        var killSentAt: TimeInterval?
        var exitedAt: TimeInterval?
        var bytes = 0

        while true {
            let now = elapsed()
            if status == nil, let reaped = child.reap(blocking: false) {
                status = reaped
                exitedAt = now
            }
            if let exitedAt {
                if !outputOpen { break }
                // After a timeout the stragglers get the whole grace period and then SIGKILL; otherwise
                // background processes holding the output open only delay the end by `linger`.
                let lingerFrom = timedOut ? killSentAt : exitedAt
                if let lingerFrom, now - lingerFrom >= Self.linger { break }
            }
            if let timeout, !timedOut, now >= timeout {
                timedOut = true
                termSentAt = now
                child.signalGroup(SIGTERM)
            }
            if let termSentAt, killSentAt == nil, now - termSentAt >= killGrace {
                killSentAt = now
                child.signalGroup(SIGKILL)
            }

            var wakeAt: [TimeInterval] = []
            if let timeout, !timedOut { wakeAt.append(timeout) }
            if let termSentAt, killSentAt == nil { wakeAt.append(termSentAt + killGrace) }
            if let exitedAt { wakeAt.append((timedOut ? (killSentAt ?? .infinity) : exitedAt) + Self.linger) }
            if pidfd < 0 && status == nil { wakeAt.append(now + 0.01) }
            let wait = wakeAt.min().map { max(0, Int32(min(($0 - now) * 1000 + 1, 60_000))) } ?? -1

            var fds: [pollfd] = []
            var outputIndex = -1
            var inputIndex = -1
            var targetIndex = -1
            var relayIndex = -1
            if outputOpen {
                outputIndex = fds.count
                fds.append(pollfd(fd: output, events: Int16(POLLIN), revents: 0))
            }
            if let keystrokes {
                if inputOpen && pendingInput.count < 65536 {
                    inputIndex = fds.count
                    fds.append(pollfd(fd: keystrokes.source, events: Int16(POLLIN), revents: 0))
                }
                if !pendingInput.isEmpty && outputOpen {
                    targetIndex = fds.count
                    fds.append(pollfd(fd: keystrokes.target, events: Int16(POLLOUT), revents: 0))
                }
            }
            if let relay {
                relayIndex = fds.count
                fds.append(pollfd(fd: relay.readEnd, events: Int16(POLLIN), revents: 0))
            }
            if pidfd >= 0 && status == nil {
                fds.append(pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0))
            }
            let ready = poll(&fds, nfds_t(fds.count), wait)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            if ready == 0 { continue }

            if outputIndex >= 0 && fds[outputIndex].revents != 0 {
                // A pty master hands out at most about 4 KiB per read: reading on until it has nothing more (or
                // the buffer is full) turns a burst into one screen write and one chunk instead of dozens, with
                // a poll and a wait check saved per read. The buffer fills in milliseconds, so the screen lags
                // by no more than that.
                var filled = 0
                var ended = false
                while filled < Self.readSize {
                    let count = read(output, buffer + filled, Self.readSize - filled)
                    if count > 0 {
                        filled += count
                    } else if count < 0 && errno == EINTR {
                        continue
                    } else {
                        // EOF, or EIO from a pty master: the child side is gone. EAGAIN: drained for now.
                        ended = count == 0 || errno != EAGAIN
                        break
                    }
                }
                if filled > 0 {
                    bytes += filled
                    if let fd = screen, !Self.writeFully(fd, buffer, filled) { screen = nil }
                    sink.receive(Data(bytes: buffer, count: filled), offset: elapsed())
                }
                if ended { outputOpen = false }
            }
            if inputIndex >= 0 && fds[inputIndex].revents != 0, let keystrokes {
                var chunk = [UInt8](repeating: 0, count: 4096)
                let count = read(keystrokes.source, &chunk, chunk.count)
                if count > 0 {
                    pendingInput += chunk[0..<count]
                } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                    inputOpen = false
                }
            }
            if let keystrokes, !pendingInput.isEmpty, targetIndex >= 0 || inputIndex >= 0 {
                let written = pendingInput.withUnsafeBytes { write(keystrokes.target, $0.baseAddress, $0.count) }
                if written > 0 {
                    pendingInput.removeFirst(written)
                } else if written < 0 && errno != EAGAIN && errno != EINTR {
                    pendingInput.removeAll()
                }
            }
            if relayIndex >= 0 && fds[relayIndex].revents != 0, let relay {
                for signal in relay.drain() {
                    if signal == SIGWINCH {
                        onResize?()
                    } else {
                        received = signal
                        if status == nil { child.signalGroup(signal) }
                    }
                }
            }
        }
        if status == nil { status = child.reap(blocking: true) }
        // A timed-out group gets no survivors, even when the shell itself went quietly on SIGTERM.
        if timedOut && killSentAt == nil { child.signalGroup(SIGKILL) }
        return Outcome(
            status: status ?? 0, timedOut: timedOut, bytes: bytes, duration: elapsed(), received: received)
    }

    /// Writes all of `count` bytes, waiting when the descriptor is non-blocking and full.
    static func writeFully(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Bool {
        var offset = 0
        while offset < count {
            let written = write(fd, bytes + offset, count - offset)
            if written > 0 {
                offset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else if written < 0 && errno == EAGAIN {
                var pending = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&pending, 1, -1)
            } else {
                return false
            }
        }
        return true
    }
}

import Foundation
import RunbookKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// How many SIGUSR2 the handler below caught (only this suite sends it).
private nonisolated(unsafe) var interruptions = 0

/// A handler that does nothing but count: installed without SA_RESTART, as libedit's are, so a read blocked in the
/// thread it lands on fails with EINTR.
private let countInterruption: @convention(c) (Int32) -> Void = { _ in interruptions += 1 }

/// A pipe read while signals keep interrupting the read: everything written arrives and the process lives on.
/// Foundation's `readDataToEndOfFile()` ends the process (`try!`) at the first EINTR: the test process died so
/// under load, in `ProcessRunner`.
@Suite(.serialized) struct DescriptorReadingTests {
    enum Reader: String, CaseIterable, CustomTestStringConvertible {
        case toEnd, available
        var testDescription: String { rawValue }

        func read(_ handle: FileHandle) -> Data {
            switch self {
            case .toEnd: return DescriptorReading.readToEnd(handle)
            case .available: return DescriptorReading.read(handle)
            }
        }
    }

    @Test(arguments: Reader.allCases)
    func aReadInterruptedBySignalsReadsOn(_ reader: Reader) throws {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = countInterruption
        action.sa_flags = 0
        sigemptyset(&action.sa_mask)
        var previous = sigaction()
        #expect(sigaction(SIGUSR2, &action, &previous) == 0)
        defer { sigaction(SIGUSR2, &previous, nil) }

        let pipe = Pipe()
        let started = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var thread: pthread_t = 0
        nonisolated(unsafe) var result = Data()
        Thread {
            // A thread started from the test's (a dispatch worker's) blocks every signal: this one takes SIGUSR2.
            var signals = sigset_t()
            sigemptyset(&signals)
            sigaddset(&signals, SIGUSR2)
            pthread_sigmask(SIG_UNBLOCK, &signals, nil)
            thread = pthread_self()
            started.signal()
            result = reader.read(pipe.fileHandleForReading)
            finished.signal()
        }.start()
        started.wait()
        // The reader waits in read(2) on an empty pipe: interrupt it again and again.
        let before = interruptions
        var sent = 0
        while interruptions - before < 50 && sent < 10_000 {
            pthread_kill(thread, SIGUSR2)
            sent += 1
            usleep(500)
        }
        #expect(interruptions - before >= 50, "the reading thread caught \(interruptions - before) of \(sent)")
        let payload = Data("output after the interruptions\n".utf8)
        try pipe.fileHandleForWriting.write(contentsOf: payload)
        try pipe.fileHandleForWriting.close()
        #expect(finished.wait(timeout: .now() + 10) == .success, "the read never returned")
        #expect(result == payload)
    }

    /// A descriptor another process left non-blocking (`O_NONBLOCK` on a shared terminal) fails a read of nothing
    /// yet with EAGAIN: that is not the end of the input, so the read waits for the bytes.
    @Test(arguments: Reader.allCases)
    func aNonBlockingDescriptorIsWaitedForNotTakenForTheEnd(_ reader: Reader) throws {
        let pipe = Pipe()
        let descriptor = pipe.fileHandleForReading.fileDescriptor
        #expect(fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK) == 0)
        let started = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result = Data()
        Thread {
            started.signal()
            result = reader.read(pipe.fileHandleForReading)
            finished.signal()
        }.start()
        started.wait()
        // Nothing is written until the reader has had its EAGAIN: it must still be waiting. (Were the thread slow to
        // reach its read, it would read the bytes below and pass without meeting EAGAIN; never the reverse.)
        #expect(finished.wait(timeout: .now() + 0.2) == .timedOut, "the read returned \(result.count) bytes at once")
        let payload = Data("typed after a while\n".utf8)
        try pipe.fileHandleForWriting.write(contentsOf: payload)
        try pipe.fileHandleForWriting.close()
        #expect(finished.wait(timeout: .now() + 10) == .success, "the read never returned")
        #expect(result == payload)
    }
}

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Reads a pipe (a child's output, standard input) by its file descriptor, reading again when a signal interrupted
/// the read (`EINTR`).
///
/// Foundation's `FileHandle.readDataToEndOfFile()`, `availableData` and `readData(ofLength:)` end the process
/// (`try!`) when a read fails with `EINTR`, which any signal caught by a handler installed without `SA_RESTART`
/// causes in the thread it lands on: libedit's (Ctrl-C, a terminal resize, `fg`), or a test's. Seen as the test
/// process dying under load. What reads a pipe goes through here instead.
public enum DescriptorReading {
    /// Everything until the end of the file. A read error other than `EINTR` ends it, with what was read.
    public static func readToEnd(_ handle: FileHandle) -> Data {
        var result = Data()
        while true {
            let chunk = read(handle, upTo: 65_536)
            if chunk.isEmpty { return result }
            result.append(chunk)
        }
    }

    /// What is there, at least one byte (waiting for it, also on a descriptor left non-blocking), at most `limit`;
    /// empty at the end of the file or on a read error other than `EINTR` and `EAGAIN`.
    public static func read(_ handle: FileHandle, upTo limit: Int = 65_536) -> Data {
        var buffer = [UInt8](repeating: 0, count: max(limit, 1))
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(handle.fileDescriptor, $0.baseAddress, $0.count) }
            if count > 0 { return Data(buffer[0..<count]) }
            if count < 0, errno == EINTR { continue }
            if count < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                // A descriptor another process left non-blocking (a shared terminal): wait until it is readable.
                var descriptor = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
                _ = poll(&descriptor, 1, -1)
                continue
            }
            return Data()
        }
    }
}

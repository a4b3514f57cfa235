import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where an export's bytes go as they are produced: a file descriptor (a file, standard output, a pipe), or memory.
///
/// Exporters write through an `ExportWriter`, which hands its buffer over whenever it fills, so an export of a
/// large incident never holds the whole document.
public final class ExportSink {
    private let descriptor: Int32?
    /// What to call the destination in an error: the path, or "standard output".
    public let name: String
    /// Everything written, for a memory sink; empty for a file descriptor.
    public private(set) var data = Data()
    /// Bytes written so far.
    public private(set) var count = 0

    /// A sink that keeps the bytes in `data`.
    public init() {
        descriptor = nil
        name = "memory"
    }

    /// A sink that writes to `descriptor` (not closed here); `name` names it in errors.
    public init(fileDescriptor descriptor: Int32, name: String) {
        self.descriptor = descriptor
        self.name = name
    }

    /// Writes `bytes` in full.
    /// - Throws: `ExportError.cannotWrite` with the system's reason (a full disk, a closed pipe).
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        count += bytes.count
        guard let descriptor else {
            data.append(contentsOf: bytes)
            return
        }
        var offset = 0
        while offset < bytes.count {
            let written = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw ExportError.cannotWrite(path: name, reason: String(cString: strerror(errno)))
            }
            offset += written
        }
    }
}

/// `write(2)`, under a name that does not clash with `ExportSink.write`.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        return Glibc.write(descriptor, bytes, count)
    #else
        return Darwin.write(descriptor, bytes, count)
    #endif
}

import Foundation

/// Where an export's bytes go as they are produced: a file descriptor (a file, standard output, a pipe), or memory.
///
/// Exporters write through an `ExportWriter`, which hands its buffer over whenever it fills, so an export of a
/// large incident never holds the whole document.
public final class ExportSink {
    private let file: FileHandle?
    /// Where the bytes go instead, for a forwarding sink.
    private let forward: ((UnsafeRawBufferPointer) throws -> Void)?
    /// What to call the destination in an error: the path, or "standard output".
    public let name: String
    /// Everything written, for a memory sink; empty for a file descriptor or a forwarding sink.
    public private(set) var data = Data()
    /// Bytes written so far.
    public private(set) var count = 0

    /// A sink that keeps the bytes in `data`.
    public init() {
        file = nil
        forward = nil
        name = "memory"
    }

    /// A sink that hands each write to `forward`: a stage that rewrites the stream (`BlockSealer`), or one
    /// document embedded in another (the HTML report holds the asciicast); `name` names the final destination in
    /// errors.
    public init(name: String, forward: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        file = nil
        self.forward = forward
        self.name = name
    }

    /// A sink that writes to `descriptor` (not closed here); `name` names it in errors.
    public init(fileDescriptor descriptor: Int32, name: String) {
        file = FileHandle(fileDescriptor: descriptor, closeOnDealloc: false)
        forward = nil
        self.name = name
    }

    /// Writes `bytes` in full.
    /// - Throws: `ExportError.cannotWrite` with the system's reason (a full disk, a closed pipe).
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        count += bytes.count
        if let forward { return try forward(bytes) }
        guard let file else { return data.append(contentsOf: bytes) }
        do {
            try file.write(contentsOf: Data(bytes))
        } catch {
            // Foundation wraps the system's error (`ENOSPC` becomes "out of space"); the reason is the system's.
            let error = error as NSError
            let system = error.userInfo[NSUnderlyingErrorKey] as? NSError ?? error
            let reason =
                system.domain == NSPOSIXErrorDomain ? String(cString: strerror(Int32(system.code))) : "\(error)"
            throw ExportError.cannotWrite(path: name, reason: reason)
        }
    }
}

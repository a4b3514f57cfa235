import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes an export to disk safely: atomically, never through a symbolic link, and never over a file an export did
/// not write (unless forced).
///
/// The document goes to a temporary file in the target's directory, which is flushed to disk (`fsync`) and then
/// renamed over the target, so a reader, a crash or a `kill -9` sees the old file whole or the new one whole. A new
/// file gets mode 0600 and a missing parent directory 0700, because transcripts describe production systems and
/// their failures; a file being replaced keeps its mode (a 0644 file stays 0644: its owner chose it).
public enum ExportFile {
    /// How many bytes of an existing file are searched for the exporter's generator marker.
    public static let markerWindow = 512

    /// Writes what `produce` writes through its sink to `path`, replacing the file there only when it holds
    /// `marker` in its first `markerWindow` bytes (an earlier export wrote it) or `force` is set. A device or a
    /// pipe (`-o /dev/null`) is written in place.
    /// - Throws: `ExportError.symbolicLink` when `path` is a symbolic link; `ExportError.notAnExport` when it is a
    ///   file without the marker and `force` is false; `ExportError.cannotWrite` with the system's reason; whatever
    ///   `produce` throws. On any error the file at `path` is left as it was and the temporary file is removed.
    public static func write(
        to path: String, marker: String, force: Bool = false, _ produce: (ExportSink) throws -> Void
    ) throws {
        var existing = stat()
        let exists = lstat(path, &existing) == 0
        if exists {
            switch existing.st_mode & S_IFMT {
            case S_IFLNK: throw ExportError.symbolicLink(path: path)
            case S_IFDIR: throw ExportError.cannotWrite(path: path, reason: "it is a directory")
            case S_IFREG:
                if !force, !holds(marker, path: path) { throw ExportError.notAnExport(path: path, marker: marker) }
            default: return try writeInPlace(path, produce)
            }
        }
        do {
            try PrivateDirectory.createParent(of: path)
        } catch {
            throw ExportError.cannotWrite(
                path: path, reason: "cannot create \((path as NSString).deletingLastPathComponent)")
        }
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        // Created 0600 by mkstemp (never world-readable, even briefly), in the target's directory so that the rename
        // is atomic.
        var template = Array(((directory.isEmpty ? "" : directory + "/") + ".\(name).export-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw ExportError.cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var renamed = false
        defer {
            if !renamed { unlink(temporary) }
        }
        do {
            if exists {
                fchmod(fd, existing.st_mode & 0o7777)
                // Root re-exporting a responder's file gives it back to its owner.
                if geteuid() == 0, existing.st_uid != 0 { _ = fchown(fd, existing.st_uid, existing.st_gid) }
            }
            try produce(ExportSink(fileDescriptor: fd, name: path))
            guard fsync(fd) == 0 else {
                throw ExportError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
            }
        } catch {
            close(fd)
            throw error
        }
        guard close(fd) == 0 else {
            throw ExportError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
        // rename replaces whatever is at `path` (even a symbolic link placed there meanwhile) and never follows it.
        guard rename(temporary, path) == 0 else {
            throw ExportError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
        renamed = true
        // The rename itself reaches the disk with the directory.
        let directoryFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }

    /// Whether the first `markerWindow` bytes of the file at `path` hold `marker` (false when it cannot be read).
    static func holds(_ marker: String, path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: markerWindow)
        var count = 0
        while count < markerWindow {
            let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, markerWindow - count) }
            if got <= 0 { break }
            count += got
        }
        let prefix = buffer[..<count]
        let needle = Array(marker.utf8)
        guard !needle.isEmpty, prefix.count >= needle.count else { return false }
        return (0...(prefix.count - needle.count)).contains { start in
            prefix[start..<(start + needle.count)].elementsEqual(needle)
        }
    }

    /// Writes to a device or pipe that already exists (`/dev/null`, a FIFO): it cannot be replaced by a rename, and
    /// its mode is not changed.
    private static func writeInPlace(_ path: String, _ produce: (ExportSink) throws -> Void) throws {
        let fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw ExportError.cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        do {
            try produce(ExportSink(fileDescriptor: fd, name: path))
        } catch {
            close(fd)
            throw error
        }
        guard close(fd) == 0 else {
            throw ExportError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
    }
}

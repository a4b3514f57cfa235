import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes an export to disk: the file with mode 0600, and a missing parent directory with mode 0700, because
/// transcripts describe production systems and their failures.
public enum ExportFile {
    /// Opens `path` (replacing an existing file) and lets `produce` write to it through a sink, so that a large
    /// export goes to disk as it is produced.
    /// - Throws: `ExportError.cannotWrite` with the system's reason; whatever `produce` throws.
    public static func write(to path: String, _ produce: (ExportSink) throws -> Void) throws {
        do {
            try PrivateDirectory.createParent(of: path)
        } catch {
            throw ExportError.cannotWrite(
                path: path, reason: "cannot create \((path as NSString).deletingLastPathComponent)")
        }
        // Created 0600 from the start (never world-readable, even briefly), then truncated and written.
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw ExportError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
        // An existing file keeps its mode under O_CREAT; exports are always 0600. Only regular files, though:
        // `-o /dev/null` must not change the device node's mode.
        var status = stat()
        if fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG {
            fchmod(fd, 0o600)
        }
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

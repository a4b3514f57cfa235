import Foundation

/// A file named like a runbook that is not a regular file (a FIFO, a socket, a device): `list`, `lint`, `start`
/// and the catalog skip it with a warning and never open it, since reading a FIFO with no writer waits forever.
public struct SkippedFile: Sendable, Hashable {
    /// The path as listed.
    public var path: String
    /// What the file is: `a FIFO`, `a socket`, `a character device`, `a block device`.
    public var kind: String

    public init(path: String, kind: String) {
        self.path = path
        self.kind = kind
    }

    /// The kind of file `mode` (from `stat`) describes.
    public init(path: String, mode: mode_t) {
        self.init(path: path, kind: Self.kind(of: mode))
    }

    /// `a FIFO`, `a socket`, … for the file type bits of `mode`.
    public static func kind(of mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFDIR: return "a directory"
        case S_IFLNK: return "a symbolic link"
        default: return "not a regular file"
        }
    }

    /// `PATH is a FIFO, not a regular file: skipped`, as `list` and `start` print it after `warning: `.
    public var message: String { "\(path) is \(kind), not a regular file: skipped" }

    /// The warning `lint` prints for it, at line 1 of the path.
    public var diagnostic: Diagnostic {
        .warning(
            message, at: SourceLocation(file: path, line: 1),
            hint: "runbooks are regular Markdown files; move it out of the runbooks directory")
    }
}

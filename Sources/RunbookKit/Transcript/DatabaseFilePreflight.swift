import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Checks a database path before SQLite touches it, so each problem gets its own clear message.
///
/// SQLite reports a read-only directory, a read-only file and an unreadable file with similar
/// codes (and as root it may open a protected file read-only without complaint); checking the
/// file system first names the real cause. It also creates what is missing with safe modes:
/// directories 0700, the database file 0600 (SQLite gives the `-wal` and `-shm` files the mode of
/// the database file).
struct DatabaseFilePreflight {
    var path: String

    private static let header = Array("SQLite format 3\u{0}".utf8)

    var directory: String {
        let parent = (path as NSString).deletingLastPathComponent
        return parent.isEmpty ? "." : parent
    }

    func prepare() throws {
        try createDirectoryIfMissing(directory)
        var info = stat()
        if stat(path, &info) == 0 {
            if (info.st_mode & S_IFMT) == S_IFDIR {
                throw TranscriptError.unreadable(path: path, detail: "it is a directory")
            }
            guard access(path, R_OK) == 0 else {
                throw TranscriptError.unreadable(path: path, detail: "permission denied")
            }
            guard access(path, W_OK) == 0 else { throw TranscriptError.readOnlyFile(path: path) }
            guard access(directory, W_OK | X_OK) == 0 else {
                throw TranscriptError.readOnlyDirectory(path: path, directory: directory)
            }
            try checkHeader(size: Int(info.st_size), info: info)
        } else {
            let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
            if descriptor >= 0 {
                // Created here, so its header needs no check: the next open in this process (SQLite's connection
                // may hold locks by then) must not open and close it again.
                if fstat(descriptor, &info) == 0 {
                    Self.checkedLock.withLock { _ = Self.checked.insert(Self.key(info)) }
                }
                close(descriptor)
            } else if errno != EEXIST {
                let code = errno
                if code == EACCES || code == EROFS || code == EPERM {
                    throw TranscriptError.readOnlyDirectory(path: path, directory: directory)
                }
                throw TranscriptError.unreadable(path: path, detail: String(cString: strerror(code)))
            }
        }
    }

    /// Checks an existing database that is to be read as evidence (never created or written), and reports
    /// whether to open it `immutable`: true unless a non-empty `-wal` file lies beside it.
    func inspectEvidence() throws -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw TranscriptError.missingDatabase(path: path) }
            throw TranscriptError.unreadable(path: path, detail: String(cString: strerror(errno)))
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw TranscriptError.unreadable(path: path, detail: "it is a directory")
        }
        guard access(path, R_OK) == 0 else {
            throw TranscriptError.unreadable(path: path, detail: "permission denied")
        }
        guard info.st_size > 0 else {
            throw TranscriptError.corrupt(path: path, detail: "the file is empty")
        }
        try checkHeader(size: Int(info.st_size), info: info)
        var wal = stat()
        return !(stat(path + "-wal", &wal) == 0 && wal.st_size > 0)
    }

    /// Files (device and inode) whose header this process already read: it is read once per file. Closing a
    /// descriptor drops every POSIX lock the process holds on the file, SQLite's included, so reading the header
    /// again while a connection is open (`runbook serve` opens its store twice) would let another process delete
    /// the WAL under it ("database disk image is malformed").
    nonisolated(unsafe) private static var checked: Set<String> = []
    private static let checkedLock = NSLock()

    private static func key(_ info: stat) -> String { "\(info.st_dev):\(info.st_ino)" }

    /// A non-empty file must start with the SQLite header; anything else is refused untouched.
    private func checkHeader(size: Int, info: stat) throws {
        guard size > 0 else { return }
        let file = Self.key(info)
        guard !Self.checkedLock.withLock({ Self.checked.contains(file) }) else { return }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw TranscriptError.unreadable(path: path, detail: "cannot open")
        }
        defer { try? handle.close() }
        let prefix = (try? handle.read(upToCount: Self.header.count)) ?? Data()
        guard Array(prefix) == Self.header else {
            throw TranscriptError.corrupt(path: path, detail: "the file does not start with the SQLite header")
        }
        Self.checkedLock.withLock { _ = Self.checked.insert(file) }
    }

    private func createDirectoryIfMissing(_ directory: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw TranscriptError.unreadable(path: path, detail: "\(directory) is not a directory")
            }
            return
        }
        let parent = (directory as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != directory { try createDirectoryIfMissing(parent) }
        if mkdir(directory, 0o700) != 0, errno != EEXIST {
            let code = errno
            if code == EACCES || code == EROFS || code == EPERM {
                throw TranscriptError.readOnlyDirectory(path: path, directory: parent.isEmpty ? "." : parent)
            }
            throw TranscriptError.unreadable(path: path, detail: String(cString: strerror(code)))
        }
    }
}

import Foundation

extension RunbookImporter {
    /// A file `runbook import` could not read or write.
    public struct WriteError: UserFacingError, Equatable {
        public var path: String
        public var reason: String
        public var hint: String?

        public init(path: String, reason: String, hint: String?) {
            self.path = path
            self.reason = reason
            self.hint = hint
        }

        public var summary: String { "\(path): \(reason)" }
        public var exitStatus: ExitStatus { .usage }
    }

    /// Replaces the regular file at `path` with `contents` atomically: a temporary file in the same directory,
    /// written, synced, given the old file's mode, then renamed over it. A symbolic link is refused, never followed.
    public static func replace(_ path: String, with contents: String) throws(WriteError) {
        var status = stat()
        guard lstat(path, &status) == 0 else {
            throw WriteError(path: path, reason: String(cString: strerror(errno)), hint: "check the path")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw WriteError(
                path: path, reason: "is not a regular file (a symbolic link?): not rewritten in place",
                hint: "convert the file the link points to, or use -o DIR")
        }
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        var template = Array(((directory.isEmpty ? "." : directory) + "/.\(name).import-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw WriteError(
                path: path, reason: "cannot create a temporary file beside it: \(String(cString: strerror(errno)))",
                hint: "check the directory's permissions")
        }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        func fail(_ what: String) -> WriteError {
            let reason = String(cString: strerror(errno))
            close(fd)
            unlink(temporary)
            return WriteError(path: path, reason: "\(what): \(reason)", hint: "check the disk and the permissions")
        }
        let bytes = Array(contents.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw fail("cannot write") }
        guard fchmod(fd, status.st_mode & 0o7777) == 0 else { throw fail("cannot keep its mode") }
        guard fsync(fd) == 0 else { throw fail("cannot sync") }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw WriteError(
                path: path, reason: "cannot replace it: \(reason)", hint: "check the directory's permissions")
        }
    }

    /// Writes a new file at `path` (its directories created), refusing to replace one unless `overwrite`.
    public static func create(_ path: String, with contents: String, overwrite: Bool) throws(WriteError) {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw WriteError(
                    path: directory, reason: "cannot create the directory", hint: "check the output directory")
            }
        }
        let flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | (overwrite ? O_TRUNC : O_EXCL)
        let fd = open(path, flags, 0o644)
        guard fd >= 0 else {
            if errno == EEXIST {
                throw WriteError(
                    path: path, reason: "exists already", hint: "choose an empty output directory, or add --force")
            }
            throw WriteError(path: path, reason: String(cString: strerror(errno)), hint: "check the output directory")
        }
        defer { close(fd) }
        let bytes = Array(contents.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw WriteError(path: path, reason: "cannot write: \(String(cString: strerror(errno)))", hint: nil)
        }
    }
}

import Foundation

extension RunbookCatalog {
    /// How many directory levels below the runbooks directory are read: `a/b/c/d/e/f/g/h/x.md` is, one level
    /// more is not. Deep enough for any layout seen in real runbook repositories, shallow enough that a
    /// runbooks directory pointed at `/` by mistake ends.
    public static let maximumDepth = 8

    /// Directories never read: dependencies of a documentation site, not runbooks.
    public static let ignoredDirectoryNames: Set<String> = ["node_modules"]

    /// A runbook file found by the walk and its id (its path under the directory, without `.md`).
    struct Entry: Sendable, Hashable {
        var path: String
        var id: String
    }

    /// The walk behind `listRunbookFiles`: regular `*.md` files, depth first, at most `maximumDepth` levels
    /// down. Hidden directories (`.git`, `.github`) and `node_modules` are skipped; links are followed, each
    /// directory read once (a link back up the tree is not a loop).
    static func listRunbookEntries(in directory: String) throws(RunbookCatalogError) -> (
        files: [Entry], skipped: [SkippedFile]
    ) {
        var walk = Walk()
        var status = stat()
        if stat(directory, &status) == 0 { walk.visited.insert(FileIdentity(status)) }
        try walk.read(directory, prefix: "", depth: 0)
        return (walk.files.sorted { $0.path < $1.path }, walk.skipped.sorted { $0.path < $1.path })
    }

    /// A directory's device and inode: what makes two paths the same directory.
    struct FileIdentity: Hashable {
        var device: UInt64
        var inode: UInt64
        init(_ status: stat) {
            device = UInt64(status.st_dev)
            inode = UInt64(status.st_ino)
        }
    }

    private struct Walk {
        var files: [Entry] = []
        var skipped: [SkippedFile] = []
        var visited: Set<FileIdentity> = []

        mutating func read(_ directory: String, prefix: String, depth: Int) throws(RunbookCatalogError) {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: directory)
            } catch {
                guard depth > 0 else {
                    throw RunbookCatalogError(
                        summary: "cannot list \(directory): \(RunbookCatalog.reason(error))",
                        hint: "check its permissions")
                }
                skipped.append(SkippedFile(path: directory, kind: "a directory that cannot be listed"))
                return
            }
            for name in names.sorted() where !name.hasPrefix(".") {
                let path = (directory as NSString).appendingPathComponent(name)
                // `stat` follows links, and tells a FIFO or a device from a regular file.
                var status = stat()
                guard stat(path, &status) == 0 else { continue }
                switch status.st_mode & S_IFMT {
                case S_IFREG:
                    guard RunbookCatalog.isRunbookName(name) else { continue }
                    files.append(Entry(path: path, id: prefix + RunbookCatalog.fileID(of: name)))
                case S_IFDIR:
                    guard depth < RunbookCatalog.maximumDepth,
                        !RunbookCatalog.ignoredDirectoryNames.contains(name),
                        visited.insert(FileIdentity(status)).inserted
                    else { continue }
                    try read(path, prefix: prefix + name + "/", depth: depth + 1)
                default:
                    if RunbookCatalog.isRunbookName(name) {
                        skipped.append(SkippedFile(path: path, mode: status.st_mode))
                    }
                }
            }
        }
    }

    /// Why listing failed, as the system says it (`Permission denied`).
    static func reason(_ error: any Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let underlying, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return error.localizedDescription
    }

    /// `*.md` (any case), not README.md, not hidden.
    static func isRunbookName(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return lowered.hasSuffix(".md") && lowered != "readme.md" && !name.hasPrefix(".")
    }
}

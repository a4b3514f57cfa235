import Foundation

/// The runbooks of one directory: its top-level `*.md` files (not subdirectories, not README.md).
public struct RunbookCatalog: Sendable {
    /// The directory as given.
    public let directory: String
    /// The runbooks that parsed, sorted by id.
    public private(set) var runbooks: [Runbook]
    /// Files that could not be used, by path (a broken runbook does not hide the others).
    public private(set) var failures: [String: RunbookParseError]
    /// Entries named like runbooks that are not regular files (FIFOs, sockets, devices): never opened.
    public private(set) var skipped: [SkippedFile]

    /// Loads every runbook of `directory`. Throws when the directory cannot be listed.
    public init(directory: String) throws {
        self.directory = directory
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw RunbookCatalogError(
                summary: "runbooks directory not found: \(directory)",
                hint: "run from the project root, or pass --runbooks DIR (or set RUNBOOK_DIR)")
        }
        var runbooks: [Runbook] = []
        var failures: [String: RunbookParseError] = [:]
        let listing = try Self.listRunbookFiles(in: directory)
        for path in listing.files {
            do {
                runbooks.append(try RunbookParser.parse(contentsOf: path))
            } catch let error as RunbookParseError {
                failures[path] = error
            }
        }
        self.runbooks = runbooks.sorted { $0.id < $1.id }
        self.failures = failures
        self.skipped = listing.skipped
    }

    /// The paths of the top-level runbook files of `directory`, sorted; README.md is documentation, not a runbook.
    /// Entries that are not regular files are left out (`listRunbookFiles` names them).
    public static func runbookFiles(in directory: String) throws(RunbookCatalogError) -> [String] {
        try listRunbookFiles(in: directory).files
    }

    /// The top-level runbook files of `directory`, sorted, and the entries named like runbooks that are not
    /// regular files (a FIFO would block the first `read` forever, a device could be endless).
    ///
    /// Read with `readdir`, whose entry types spare a `stat` of every regular file (listing a hundred
    /// directories through FileManager and `stat` was a few percent of linting a thousand files, all of it
    /// before the parallel part). Links and entries of unknown type are still asked `stat`, which follows links.
    public static func listRunbookFiles(in directory: String) throws(RunbookCatalogError) -> (
        files: [String], skipped: [SkippedFile]
    ) {
        guard let stream = opendir(directory) else {
            let reason = String(cString: strerror(errno))
            throw RunbookCatalogError(summary: "cannot list \(directory): \(reason)", hint: "check its permissions")
        }
        defer { closedir(stream) }
        var paths: [String] = []
        var skipped: [SkippedFile] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard isRunbookName(name) else { continue }
            let path = join(directory, name)
            switch Int32(entry.pointee.d_type) {
            case Int32(DT_REG): paths.append(path)
            case Int32(DT_DIR): continue
            default:
                var status = stat()
                guard stat(path, &status) == 0 else { continue }
                switch status.st_mode & S_IFMT {
                case S_IFREG: paths.append(path)
                case S_IFDIR: continue
                default: skipped.append(SkippedFile(path: path, mode: status.st_mode))
                }
            }
        }
        return (paths.sorted(), skipped.sorted { $0.path < $1.path })
    }

    /// `*.md` (any case), not README.md, not hidden.
    static func isRunbookName(_ name: String) -> Bool {
        let utf8 = name.utf8
        guard ASCIIText.isASCII(name) else {
            let lowered = name.lowercased()
            return lowered.hasSuffix(".md") && lowered != "readme.md" && !name.hasPrefix(".")
        }
        guard utf8.count >= 3, utf8.first != UInt8(ascii: "."), ASCIIText.equalIgnoringCase(name.suffix(3), ".md")
        else { return false }
        return !ASCIIText.equalIgnoringCase(name, "readme.md")
    }

    /// `name` in `directory`, as NSString's `appendingPathComponent` puts it. A plain directory path joins with a
    /// plain `/`; NSString's path handling (which also collapses `//` and strips a trailing `/`) is kept for the
    /// rest, and is slow enough on Linux to show in `lint`'s profile.
    private static func join(_ directory: String, _ name: String) -> String {
        let plainDirectory =
            !directory.isEmpty && directory.utf8.last != UInt8(ascii: "/") && !ASCIIText.contains(directory, "//")
        return plainDirectory && !name.utf8.contains(UInt8(ascii: "/"))
            ? directory + "/" + name : (directory as NSString).appendingPathComponent(name)
    }

    /// The ids of the runbooks found.
    public var ids: [String] { runbooks.map(\.id) }

    /// The runbook called `id`. Also accepts `outage.md` and, when it contains `/`, a path to a runbook file.
    ///
    /// Throws the parse error when that file is broken, and otherwise an error listing the available ids.
    public func runbook(id: String) throws -> Runbook {
        if id.contains("/"), FileManager.default.fileExists(atPath: id) {
            return try RunbookParser.parse(contentsOf: id)
        }
        let wanted = id.lowercased().hasSuffix(".md") ? String(id.dropLast(3)) : id
        if let runbook = runbooks.first(where: { $0.id == wanted }) { return runbook }
        if let failure = failures.first(where: {
            (($0.key as NSString).lastPathComponent as NSString).deletingPathExtension == wanted
        }) {
            throw failure.value
        }
        let available = ids.isEmpty ? "none found in \(directory)" : ids.joined(separator: ", ")
        throw RunbookCatalogError(
            summary: "no runbook named `\(id)` in \(directory)",
            hint: "available: \(available); `runbook list` shows them with titles")
    }

    /// The escalation matrix, contacts and channels from `escalation.md`.
    public func escalationPolicy() throws -> EscalationPolicy {
        try EscalationPolicy(parsing: runbook(id: "escalation"))
    }
}

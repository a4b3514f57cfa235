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
    /// regular files (a FIFO would block the first `read` forever, a device could be endless). Links are followed;
    /// a dangling link and a directory named like a runbook are left out.
    public static func listRunbookFiles(in directory: String) throws(RunbookCatalogError) -> (
        files: [String], skipped: [SkippedFile]
    ) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw RunbookCatalogError(
                summary: "cannot list \(directory): \(reason(error))", hint: "check its permissions")
        }
        var paths: [String] = []
        var skipped: [SkippedFile] = []
        for name in names where isRunbookName(name) {
            let path = (directory as NSString).appendingPathComponent(name)
            // `stat` follows links, and tells a FIFO or a device from a regular file.
            var status = stat()
            guard stat(path, &status) == 0 else { continue }
            switch status.st_mode & S_IFMT {
            case S_IFREG: paths.append(path)
            case S_IFDIR: continue
            default: skipped.append(SkippedFile(path: path, mode: status.st_mode))
            }
        }
        return (paths.sorted(), skipped.sorted { $0.path < $1.path })
    }

    /// Why listing failed, as the system says it (`Permission denied`).
    private static func reason(_ error: any Error) -> String {
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

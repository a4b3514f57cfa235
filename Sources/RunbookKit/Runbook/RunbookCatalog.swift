import Foundation

/// The runbooks of one directory tree: every `*.md` file in it and in its subdirectories (README.md aside, hidden
/// directories and `node_modules` skipped, at most `maximumDepth` levels down).
///
/// A runbook's id is its path relative to the directory, without `.md` (`alerts/etcd/EtcdDown`), unless its front
/// matter sets `id:`. A file at the top keeps its file name as id (`outage`), as before subdirectories were read.
public struct RunbookCatalog: Sendable {
    /// The directory as given.
    public let directory: String
    /// The runbooks that parsed, sorted by id.
    public private(set) var runbooks: [Runbook]
    /// Files that could not be used, by path (a broken runbook does not hide the others).
    public private(set) var failures: [String: RunbookParseError]
    /// The id each failed file would have had, by path: a broken runbook is still found by its id.
    private var failureIDs: [String: String]
    /// Entries named like runbooks that are not regular files (FIFOs, sockets, devices): never opened.
    public private(set) var skipped: [SkippedFile]

    /// Loads every runbook of `directory` and its subdirectories. Throws when the directory cannot be listed.
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
        var failureIDs: [String: String] = [:]
        let listing = try Self.listRunbookEntries(in: directory)
        for entry in listing.files {
            do {
                runbooks.append(try Self.parse(entry.path, id: entry.id))
            } catch let error as RunbookParseError {
                failures[entry.path] = error
                failureIDs[entry.path] = entry.id
            }
        }
        self.runbooks = runbooks.sorted { $0.id < $1.id }
        self.failures = failures
        self.failureIDs = failureIDs
        self.skipped = listing.skipped
    }

    /// Parses the runbook file at `path` and gives it `id` (its path under the runbooks directory), unless its front
    /// matter names another.
    public static func parse(_ path: String, id: String) throws -> Runbook {
        var runbook = try RunbookParser.parse(contentsOf: path)
        // The parser names a runbook after its file; a front-matter `id:` is kept.
        if runbook.id == fileID(of: path) { runbook.id = id }
        return runbook
    }

    /// The id a file would have on its own: its name without `.md`.
    static func fileID(of path: String) -> String {
        let name = (path as NSString).lastPathComponent
        return name.lowercased().hasSuffix(".md") ? String(name.dropLast(3)) : name
    }

    /// The paths of the runbook files of `directory` and its subdirectories, sorted; README.md is documentation,
    /// not a runbook. Entries that are not regular files are left out (`listRunbookFiles` names them).
    public static func runbookFiles(in directory: String) throws(RunbookCatalogError) -> [String] {
        try listRunbookFiles(in: directory).files
    }

    /// The runbook files of `directory` and its subdirectories, sorted, and the entries named like runbooks that
    /// are not regular files (a FIFO would block the first `read` forever, a device could be endless).
    public static func listRunbookFiles(in directory: String) throws(RunbookCatalogError) -> (
        files: [String], skipped: [SkippedFile]
    ) {
        let listing = try listRunbookEntries(in: directory)
        return (listing.files.map(\.path), listing.skipped)
    }

    /// The ids of the runbooks found.
    public var ids: [String] { runbooks.map(\.id) }

    /// The id a failed file would have had.
    func failureID(_ path: String) -> String { failureIDs[path] ?? Self.fileID(of: path) }
}

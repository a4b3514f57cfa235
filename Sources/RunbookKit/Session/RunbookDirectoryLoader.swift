import Foundation

/// Loads the runbooks of a directory tree on demand, for sessions.
///
/// `outage` is read from `outage.md` (and `alerts/etcd/EtcdDown` from `alerts/etcd/EtcdDown.md`) when that file
/// declares that id, so starting an incident parses one file rather than the whole tree (start-up time matters
/// at 3 a.m.). Anything else (an id set in front matter, a short id, a missing file, the list of ids) falls back
/// to the full `RunbookCatalog`, with its messages.
public final class RunbookDirectoryLoader: RunbookLoading, @unchecked Sendable {
    /// The directory as given.
    public let directory: String
    private let lock = NSLock()
    private var cache: [String: Runbook] = [:]
    private var catalog: RunbookCatalog?

    /// A loader over `directory`; throws the catalog's error when it is not a directory.
    public init(directory: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw RunbookCatalogError(
                summary: "runbooks directory not found: \(directory)",
                hint: "run from the project root, or pass --runbooks DIR (or set RUNBOOK_DIR)")
        }
        self.directory = directory
    }

    public func runbook(id: String) throws -> Runbook {
        let wanted = RunbookCatalog.trimmedID(id)
        if let cached = lock.withLock({ cache[wanted] }) { return cached }
        let path = (directory as NSString).appendingPathComponent(wanted + ".md")
        if !wanted.hasPrefix("/"), !wanted.split(separator: "/").contains(".."),
            FileManager.default.fileExists(atPath: path)
        {
            let runbook = try RunbookCatalog.parse(path, id: wanted)
            if runbook.id == wanted {
                lock.withLock { cache[wanted] = runbook }
                return runbook
            }
        }
        let runbook = try fullCatalog().runbook(id: wanted)
        lock.withLock { cache[wanted] = runbook }
        return runbook
    }

    /// The runbook a link in `current` leads to: `target` (without `.md`) is relative to `current`'s file.
    public func runbook(linkedAs target: String, from current: Runbook) throws -> Runbook {
        let file = Self.linkedFile(target, from: current.path)
        guard FileManager.default.fileExists(atPath: file) else {
            throw RunbookCatalogError(
                summary: "the link `\(target).md` in \(current.path) leads to \(file), which does not exist",
                hint: "links are relative to the linking file; `runbook lint \(current.path)` reports it too")
        }
        if let id = RunbookCatalog.id(ofFile: file, under: directory) { return try runbook(id: id) }
        // A file outside the runbooks directory is named by its absolute path, which a resume finds again.
        return try runbook(id: RunbookCatalog.absoluteID(of: file))
    }

    /// The path `target.md` names when written in the runbook at `path`, with `.` and `..` resolved.
    static func linkedFile(_ target: String, from path: String) -> String {
        let directory = (path as NSString).deletingLastPathComponent
        let joined = target.hasPrefix("/") ? target : (directory as NSString).appendingPathComponent(target)
        return RunbookCatalog.normalized(joined + ".md")
    }

    public func runbookIDs() -> [String] {
        (try? fullCatalog().ids) ?? []
    }

    private func fullCatalog() throws -> RunbookCatalog {
        if let catalog = lock.withLock({ catalog }) { return catalog }
        let loaded = try RunbookCatalog(directory: directory)
        lock.withLock { catalog = loaded }
        return loaded
    }
}

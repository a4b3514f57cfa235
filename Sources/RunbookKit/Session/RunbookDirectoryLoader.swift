import Foundation

/// Loads the runbooks of a directory on demand, for sessions.
///
/// `outage` is read from `outage.md` when that file declares that id, so starting an incident parses one file
/// rather than the whole directory (start-up time matters at 3 a.m.). Anything else (an id set in front matter,
/// a missing file, the list of ids) falls back to the full `RunbookCatalog`, with its messages.
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
        let wanted = id.lowercased().hasSuffix(".md") ? String(id.dropLast(3)) : id
        if let cached = lock.withLock({ cache[wanted] }) { return cached }
        let path = (directory as NSString).appendingPathComponent(wanted + ".md")
        if !wanted.contains("/"), FileManager.default.fileExists(atPath: path) {
            let runbook = try RunbookParser.parse(contentsOf: path)
            if runbook.id == wanted {
                lock.withLock { cache[wanted] = runbook }
                return runbook
            }
        }
        let runbook = try fullCatalog().runbook(id: wanted)
        lock.withLock { cache[wanted] = runbook }
        return runbook
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

/// Resolves runbook ids (`outage`, `triage`) to parsed runbooks.
///
/// The session asks for runbooks by id when a choice, an `open` or an `on-fail` target leads to another one, and
/// on resume. The CLI passes a loader over the runbooks directory; tests pass in-memory runbooks.
public protocol RunbookLoading {
    /// The runbook whose id is `id`. Throws a `UserFacingError` when it is missing or does not parse.
    func runbook(id: String) throws -> Runbook
    /// The runbook a Markdown link or `on-fail=` in `current` leads to: `target` is the link's path without `.md`
    /// (`helpers/podDebug`), relative to `current`'s file.
    func runbook(linkedAs target: String, from current: Runbook) throws -> Runbook
    /// Every runbook id available, for completion and for messages that list what exists.
    func runbookIDs() -> [String]
}

/// A loader over runbooks already in memory.
public struct InMemoryRunbookLoader: RunbookLoading {
    /// The runbooks by id.
    public var runbooks: [String: Runbook]

    /// Creates a loader over `runbooks`, keyed by their ids.
    public init(_ runbooks: [Runbook]) {
        self.runbooks = Dictionary(runbooks.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func runbook(id: String) throws -> Runbook {
        guard let runbook = runbooks[id] else {
            throw SessionError.runbookNotFound(id: id, available: runbookIDs())
        }
        return runbook
    }

    public func runbookIDs() -> [String] { runbooks.keys.sorted() }

    /// The runbook whose path is the linked file, else the one whose id is the link's path or its last component.
    public func runbook(linkedAs target: String, from current: Runbook) throws -> Runbook {
        let file = RunbookDirectoryLoader.linkedFile(target, from: current.path)
        if let runbook = runbooks.values.first(where: { RunbookCatalog.normalized($0.path) == file }) { return runbook }
        if let runbook = runbooks[target] { return runbook }
        return try runbook(id: RunbookCatalog.lastComponent(target))
    }
}

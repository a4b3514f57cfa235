import Foundation

/// The runbooks of one directory: its top-level `*.md` files (not subdirectories, not README.md).
public struct RunbookCatalog: Sendable {
    /// The directory as given.
    public let directory: String
    /// The runbooks that parsed, sorted by id.
    public private(set) var runbooks: [Runbook]
    /// Files that could not be used, by path (a broken runbook does not hide the others).
    public private(set) var failures: [String: RunbookParseError]

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
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw RunbookCatalogError(
                summary: "cannot list \(directory): \(error.localizedDescription)", hint: "check its permissions")
        }
        var runbooks: [Runbook] = []
        var failures: [String: RunbookParseError] = [:]
        for path in Self.runbookFiles(in: directory, names: names) {
            do {
                runbooks.append(try RunbookParser.parse(contentsOf: path))
            } catch let error as RunbookParseError {
                failures[path] = error
            }
        }
        self.runbooks = runbooks.sorted { $0.id < $1.id }
        self.failures = failures
    }

    /// The paths of the top-level runbook files of `directory`, sorted; README.md is documentation, not a runbook.
    public static func runbookFiles(in directory: String) throws -> [String] {
        runbookFiles(in: directory, names: try FileManager.default.contentsOfDirectory(atPath: directory))
    }

    private static func runbookFiles(in directory: String, names: [String]) -> [String] {
        // A plain directory path joins with a plain `/`; NSString's path handling (which also collapses `//` and
        // strips a trailing `/`) is kept for the rest, and is slow enough on Linux to show in `lint`'s profile.
        let plainDirectory = !directory.isEmpty && !directory.hasSuffix("/") && !ASCIIText.contains(directory, "//")
        return names.filter { name in
            let lowered = name.lowercased()
            return lowered.hasSuffix(".md") && lowered != "readme.md" && !name.hasPrefix(".")
        }
        .map { name in
            plainDirectory && !name.contains("/")
                ? directory + "/" + name : (directory as NSString).appendingPathComponent(name)
        }
        .filter { path in
            // stat follows symbolic links, as FileManager.fileExists does.
            var status = stat()
            return stat(path, &status) == 0 && status.st_mode & S_IFMT != S_IFDIR
        }
        .sorted()
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

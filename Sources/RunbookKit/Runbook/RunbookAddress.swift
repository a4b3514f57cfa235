import Foundation

/// What a person typed to name a runbook, read as `show`, `start`, `drill` and `lint` read it: a path to a
/// `*.md` file, or an id in the runbooks directory.
public struct RunbookAddress: Sendable, Hashable {
    /// The runbooks directory the runbook belongs to: the one given when the file lies inside it, else the
    /// file's own directory (where its links, `escalation.md` and `destructive.yaml` are looked for).
    public var root: String
    /// The runbook's id under `root`.
    public var id: String
    /// The file, when a path was given.
    public var path: String?

    public init(root: String, id: String, path: String? = nil) {
        self.root = root
        self.id = id
        self.path = path
    }

    /// Reads `argument`: a path when it names a regular `*.md` file, else an id in `runbooksDirectory`.
    public init(_ argument: String, runbooksDirectory: String) {
        guard argument.lowercased().hasSuffix(".md"), let path = RunbookCatalog.existingRunbookFile(argument) else {
            self.init(root: runbooksDirectory, id: RunbookCatalog.trimmedID(argument))
            return
        }
        if let id = RunbookCatalog.id(ofFile: path, under: runbooksDirectory) {
            self.init(root: runbooksDirectory, id: id, path: path)
        } else {
            let directory = (path as NSString).deletingLastPathComponent
            self.init(root: directory.isEmpty ? "." : directory, id: RunbookCatalog.fileID(of: path), path: path)
        }
    }
}

extension RunbookAddress {
    /// Reads `argument` as `init(_:runbooksDirectory:)` does, but a path that is plainly a path (absolute, or
    /// starting with `./` or `../`, and ending in `.md`) and names no file is an error that names it, rather than
    /// an id looked up in the runbooks directory.
    public static func resolve(_ argument: String, runbooksDirectory: String) throws(RunbookCatalogError)
        -> RunbookAddress
    {
        let address = RunbookAddress(argument, runbooksDirectory: runbooksDirectory)
        let isPlainlyAPath =
            argument.hasPrefix("/") || argument.hasPrefix("./") || argument.hasPrefix("../")
        if address.path == nil, isPlainlyAPath, argument.lowercased().hasSuffix(".md") {
            throw RunbookCatalogError(
                summary: "no such runbook file: \(argument)",
                hint: "check the path, or give a runbook id from `runbook list`")
        }
        return address
    }
}

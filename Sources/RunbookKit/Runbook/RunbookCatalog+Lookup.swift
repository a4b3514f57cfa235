import Foundation

extension RunbookCatalog {
    /// The runbook called `id`: its id (`alerts/etcd/EtcdDown`), that id with `.md`, its file name alone when no
    /// other runbook has it (`EtcdDown`), or a path to a runbook file (`./alerts/etcd/EtcdDown.md`).
    ///
    /// Throws the parse error when that file is broken, an error listing the candidates when a file name is
    /// shared by several runbooks, and otherwise an error with the closest ids ("did you mean").
    public func runbook(id: String) throws -> Runbook {
        switch try find(id) {
        case .runbook(let runbook): return runbook
        case .failure(let path): throw failures[path]!
        case .file(let path):
            return try Self.parse(path, id: Self.id(ofFile: path, under: directory) ?? Self.absoluteID(of: path))
        }
    }

    /// The file of the runbook `runbook(id:)` would return, even when it does not parse (`lint` reports why).
    public func file(id: String) throws -> String {
        switch try find(id) {
        case .runbook(let runbook): return runbook.path
        case .failure(let path), .file(let path): return path
        }
    }

    /// What an id names: a runbook of the catalog, a file of it that failed to parse, or a file elsewhere.
    private enum Found {
        case runbook(Runbook)
        case failure(path: String)
        case file(String)
    }

    private func find(_ id: String) throws -> Found {
        let wanted = Self.trimmedID(id)
        if let runbook = runbooks.first(where: { $0.id == wanted }) { return .runbook(runbook) }
        // A runbook whose front matter renames it is still found by its file.
        let file = (directory as NSString).appendingPathComponent(wanted + ".md")
        if let runbook = runbooks.first(where: { $0.path == file }) { return .runbook(runbook) }
        if let failure = failures.keys.first(where: { failureID($0) == wanted }) { return .failure(path: failure) }
        if let path = Self.existingRunbookFile(id) { return .file(path) }
        if !wanted.contains("/") {
            let runbookMatches = runbooks.filter { Self.lastComponent($0.id) == wanted }
            let failureMatches = failures.keys.filter { Self.lastComponent(failureID($0)) == wanted }.sorted()
            let candidates = runbookMatches.map(\.id) + failureMatches.map(failureID)
            if candidates.count == 1 {
                if let runbook = runbookMatches.first { return .runbook(runbook) }
                return .failure(path: failureMatches[0])
            }
            if candidates.count > 1 {
                var error = RunbookCatalogError(
                    summary: "`\(id)` names \(candidates.count) runbooks in \(directory)",
                    hint: "use the full id: " + candidates.sorted().joined(separator: ", "))
                error.isAmbiguous = true
                throw error
            }
        }
        throw notFound(id)
    }

    /// "no runbook named …", with the ids closest to it.
    func notFound(_ id: String) -> RunbookCatalogError {
        let known = ids + failures.keys.map(failureID)
        var hint = ""
        let close = Self.closest(to: Self.trimmedID(id), among: known)
        if !close.isEmpty { hint = "did you mean " + close.map { "`\($0)`" }.joined(separator: " or ") + "? " }
        if known.isEmpty {
            hint += "none found in \(directory)"
        } else if known.count <= 20 {
            hint += "available: " + known.sorted().joined(separator: ", ")
        } else {
            hint += "\(known.count) runbooks here"
        }
        return RunbookCatalogError(
            summary: "no runbook named `\(id)` in \(directory)", hint: hint + "; `runbook list` shows them with titles")
    }

    /// `id` without a trailing `.md` (any case) or a leading `./`.
    static func trimmedID(_ id: String) -> String {
        var trimmed = Substring(id)
        while trimmed.hasPrefix("./") { trimmed = trimmed.dropFirst(2) }
        if trimmed.lowercased().hasSuffix(".md") { trimmed = trimmed.dropLast(3) }
        return String(trimmed)
    }

    /// The last component of an id: `EtcdDown` for `alerts/etcd/EtcdDown`.
    static func lastComponent(_ id: String) -> String {
        id.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? id
    }

    /// `argument` when it is a path to a regular `*.md` file, as written (relative to the working directory, or
    /// absolute); an absolute id (`/srv/runbooks/x`, recorded for a runbook linked from outside the runbooks
    /// directory) names `/srv/runbooks/x.md`.
    public static func existingRunbookFile(_ argument: String) -> String? {
        func isRegularFile(_ path: String) -> Bool {
            var status = stat()
            return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFREG
        }
        if argument.lowercased().hasSuffix(".md"), isRegularFile(argument) { return argument }
        if argument.hasPrefix("/"), isRegularFile(argument + ".md") { return argument + ".md" }
        return nil
    }

    /// The id of the file at `path` under `root` (its relative path without `.md`), or `nil` when it is not
    /// inside `root`. Links are resolved on both sides, so `./runbooks/x.md` and `/abs/runbooks/x.md` agree.
    public static func id(ofFile path: String, under root: String) -> String? {
        let directory = canonical((path as NSString).deletingLastPathComponent)
        let file = (directory as NSString).appendingPathComponent((path as NSString).lastPathComponent)
        let base = canonical(root)
        let prefix = base.hasSuffix("/") ? base : base + "/"
        guard file.hasPrefix(prefix) else { return nil }
        return trimmedID(String(file.dropFirst(prefix.count)))
    }

    /// The id of a runbook file outside the runbooks directory: its absolute path without `.md`, which the
    /// catalog finds again on resume.
    static func absoluteID(of path: String) -> String {
        let directory = canonical((path as NSString).deletingLastPathComponent)
        return (directory as NSString).appendingPathComponent(fileID(of: path))
    }

    /// An absolute path with `.`, `..` and links resolved.
    static func canonical(_ path: String) -> String {
        let absolute =
            path.hasPrefix("/")
            ? path
            : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path.isEmpty ? "." : path)
        return URL(fileURLWithPath: absolute).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// Up to three of `candidates` within a few edits of `word`, closest first: the "did you mean" of a mistyped
    /// id. A word without `/` is also compared with each candidate's last component (`DatabseDown` finds
    /// `alerts/db/DatabaseDown`). A few edits: a quarter of the word's length, at least 2 and at most 4.
    public static func closest(to word: String, among candidates: [String]) -> [String] {
        let limit = min(4, max(2, word.count / 4))
        let typed = Array(word.lowercased())
        let scored = candidates.compactMap { candidate -> (String, Int)? in
            var distance = editDistance(typed, Array(candidate.lowercased()))
            if !word.contains("/") {
                distance = min(distance, editDistance(typed, Array(lastComponent(candidate).lowercased())))
            }
            return distance <= limit ? (candidate, distance) : nil
        }
        return Array(scored.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(3).map(\.0))
    }

    /// The edit distance between two strings of characters: insertions, deletions, substitutions and swaps of
    /// two neighbours (`outgae` is one edit from `outage`), each counting one.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var rows = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { rows[i][0] = i }
        for j in 0...b.count { rows[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
                }
            }
        }
        return rows[a.count][b.count]
    }
}

extension RunbookCatalog {
    /// `path` with `.` and `..` resolved by its text alone (`a/b/../c.md` is `a/c.md`; a leading `..` stays): where
    /// a relative link leads, without asking the file system.
    public static func normalized(_ path: String) -> String {
        let isAbsolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            switch part {
            case ".": continue
            case "..":
                if let last = parts.last, last != ".." {
                    parts.removeLast()
                } else if !isAbsolute {
                    parts.append(part)
                }
            default: parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        return isAbsolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }
}

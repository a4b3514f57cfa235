import ArgumentParser
import Foundation
import RunbookKit

/// The dynamic completions of the shell scripts `runbook --generate-completion-script bash|zsh|fish` prints:
/// ArgumentParser's generated script calls `runbook` back, and these list what exists now.
///
/// They read the command line typed so far for `--runbooks` and `--db` (else `$RUNBOOK_DIR` and `$RUNBOOK_DB` and
/// the defaults, as the commands do), open the database only as evidence (never creating one), and print
/// nothing rather than an error: a completion must never disturb the prompt.
enum ShellCompletion {
    /// Runbook ids of the runbooks directory (`start`, `drill`, `show`, `lint`).
    static let runbookIDs = CompletionKind.custom { words, _, _ in runbookIDs(words: words) }
    /// Incident ids, open ones first, newest first within each (`resume`, `note`, `export`, …).
    static let incidentIDs = CompletionKind.custom { words, _, _ in incidentIDs(words: words) }
    /// P0 to P3.
    static let severities = CompletionKind.custom { _, _, _ in Severity.allCases.map(\.rawValue) }

    static func runbookIDs(words: [String]) -> [String] {
        let directory =
            value(of: "--runbooks", in: words) ?? ProcessInfo.processInfo.environment["RUNBOOK_DIR"] ?? "runbooks"
        return (try? RunbookCatalog(directory: directory))?.runbooks.map(\.id) ?? []
    }

    static func incidentIDs(words: [String]) -> [String] {
        let location = DatabaseLocation.resolve(
            flag: value(of: "--db", in: words), environment: ProcessInfo.processInfo.environment,
            currentDirectory: FileManager.default.currentDirectoryPath)
        // A PostgreSQL store is not asked at every Tab (a connection per key press); only a local file is.
        guard !location.isPostgres,
            let store = try? SQLiteTranscriptStore(readingEvidenceAt: location.path, busyTimeout: 1),
            let incidents = try? store.incidents(openOnly: false, drillsOnly: false)
        else { return [] }
        let isOpen = { (incident: Incident) in incident.status == .open || incident.status == .mitigated }
        let open = incidents.filter(isOpen)
        let closed = incidents.filter { !isOpen($0) }
        return (open.sorted { $0.id > $1.id } + closed.sorted { $0.id > $1.id }).map { String($0.id) }
    }

    /// The value of `option` in `words` (`--db PATH` or `--db=PATH`), the last one given.
    static func value(of option: String, in words: [String]) -> String? {
        var found: String?
        for (index, word) in words.enumerated() {
            if word == option, index + 1 < words.count {
                found = words[index + 1]
            } else if word.hasPrefix(option + "=") {
                found = String(word.dropFirst(option.count + 1))
            }
        }
        return found
    }
}

import Foundation

/// A fresh temporary directory holding `runbooks/` and the path of a database beside it, for end-to-end suites that
/// write their own runbooks and configuration.
public struct ScratchRunbooks {
    public let directory: URL
    public let runbooks: URL
    public let database: String

    /// Creates `<tmp>/<prefix>-<uuid>/runbooks`.
    public init(_ prefix: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        runbooks = directory.appendingPathComponent("runbooks")
        try FileManager.default.createDirectory(at: runbooks, withIntermediateDirectories: true)
        database = directory.appendingPathComponent("runbook.sqlite3").path
    }

    /// A fresh temporary directory holding `files` (relative path → text, subdirectories created); its path.
    public static func tree(_ files: [String: String], prefix: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, text) in files {
            let url = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return directory.path
    }

    /// An `escalation.md` whose matrix escalates P0 after `p0` (`1 second`) to `targets`, and P1 after `p1` when
    /// given: short response times for tests that watch the escalator fire.
    public static func escalationMatrix(p0: String, targets: String = "On-call", p1: String? = nil) -> String {
        var text = """
            ---
            title: Escalation
            id: escalation
            ---
            # Escalation

            ## Escalation Matrix

            | Severity | Description | Response Time | Escalation |
            |----------|-------------|---------------|------------|
            | P0 | Complete outage | \(p0) | \(targets) |

            """
        if let p1 { text += "| P1 | Partial outage | \(p1) | DevOps Lead |\n" }
        return text
    }
}

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
}

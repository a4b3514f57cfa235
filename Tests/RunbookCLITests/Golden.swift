import Foundation
import Testing

/// Golden files under Tests/RunbookCLITests/Golden/: compared byte for byte, re-recorded only when the
/// environment has `RECORD_GOLDEN=1` (so a change of output is always a deliberate act, never an accident).
enum Golden {
    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    }

    /// Compares `actual` with the golden file `name` (or records it when `RECORD_GOLDEN=1`).
    static func check(_ actual: String, against name: String, sourceLocation: SourceLocation = #_sourceLocation) throws
    {
        try check(Data(actual.utf8), against: name, sourceLocation: sourceLocation)
    }

    /// Compares `actual` bytes with the golden file `name`; on a difference, writes the actual bytes beside it
    /// in the temporary directory so `diff` shows what changed.
    static func check(_ actual: Data, against name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
            try actual.write(to: url)
            return
        }
        guard let expected = FileManager.default.contents(atPath: url.path) else {
            Issue.record(
                "missing golden file \(name); run with RECORD_GOLDEN=1 to record it", sourceLocation: sourceLocation)
            return
        }
        if expected != actual {
            let actualURL = FileManager.default.temporaryDirectory.appendingPathComponent("actual-\(name)")
            try? actual.write(to: actualURL)
            Issue.record(
                "output differs from Golden/\(name); diff \(url.path) \(actualURL.path)", sourceLocation: sourceLocation
            )
        }
    }
}

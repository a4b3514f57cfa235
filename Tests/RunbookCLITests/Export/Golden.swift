import Foundation
import Testing

/// Golden files under Tests/RunbookCLITests/Golden: compared byte for byte, re-recorded only on purpose with
/// `RECORD_GOLDEN=1 swift test --filter …`, never by accident.
enum Golden {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Golden")

    /// Compares `actual` with the golden file `name` (or records it when `RECORD_GOLDEN=1`).
    static func check(_ actual: Data, against name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
            try actual.write(to: url)
            return
        }
        guard let expected = FileManager.default.contents(atPath: url.path) else {
            Issue.record(
                "missing golden file \(name); record it with RECORD_GOLDEN=1", sourceLocation: sourceLocation)
            return
        }
        if expected != actual {
            let actualURL = FileManager.default.temporaryDirectory.appendingPathComponent("actual-\(name)")
            try? actual.write(to: actualURL)
            Issue.record(
                "\(name) differs from the golden file; diff \(url.path) \(actualURL.path)",
                sourceLocation: sourceLocation)
        }
    }
}

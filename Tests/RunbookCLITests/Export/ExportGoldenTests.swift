import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// The three formats of the scripted sample incident, recorded into a real SQLite transcript and exported by the
/// built binary, compared with golden files (re-recorded only with RECORD_GOLDEN=1).
@Suite struct ExportGoldenTests {
    /// A database holding the sample incident (id 1), written through the real store.
    static func sampleDatabase(resolved: Bool = true, drill: Bool = false) throws -> ScratchDatabase {
        let scratch = ScratchDatabase()
        let store = try SQLiteTranscriptStore(path: scratch.path)
        try SampleIncident.record(into: store, resolved: resolved, drill: drill)
        return scratch
    }

    private func export(_ format: String) throws -> Data {
        let result = try Self.sampleDatabase().run(["export", "1", "--format", format, "-o", "-"])
        #expect(result.status == 0, "\(result.stderr)")
        return Data(result.stdout.utf8)
    }

    @Test func markdownMatchesTheGoldenFile() throws {
        try Golden.check(export("markdown"), against: "export.md")
    }

    @Test func jsonMatchesTheGoldenFile() throws {
        try Golden.check(export("json"), against: "export.json")
    }

    @Test func asciicastMatchesTheGoldenFile() throws {
        try Golden.check(export("asciicast"), against: "export.cast")
    }
}

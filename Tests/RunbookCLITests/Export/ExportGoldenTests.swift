import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// The three export formats of the scripted sample incident, compared with golden files.
@Suite struct ExportGoldenTests {
    private func report() throws -> IncidentReport {
        let store = InMemoryTranscriptStore()
        let id = try SampleIncident.record(into: store)
        return try IncidentReport.load(incidentID: id, from: store)
    }

    @Test func markdownMatchesTheGoldenFile() throws {
        try Golden.check(MarkdownPostmortemExporter().render(report()), against: "export.md")
    }

    @Test func jsonMatchesTheGoldenFile() throws {
        try Golden.check(JSONExporter().render(report()), against: "export.json")
    }

    @Test func asciicastMatchesTheGoldenFile() throws {
        try Golden.check(AsciicastExporter().render(report()), against: "export.cast")
    }
}
